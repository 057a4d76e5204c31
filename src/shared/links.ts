/** Every in-tool link carries the ltik (LTI-NOTES: links and forms pass it as a parameter). */
export function withLtik(path: string, ltik: string): string {
  return `${path}${path.includes('?') ? '&' : '?'}ltik=${encodeURIComponent(ltik)}`;
}
