import type { RequestHandler, Response } from 'express';

/**
 * Our helmet (in app.ts) decides the security headers. ltijs runs its own helmet 6 on every
 * route behind it and overwrites several of them with other values (HSTS of 180 days instead of
 * one year, Referrer-Policy no-referrer, COEP require-corp that breaks embedding). So the headers
 * our helmet set are remembered per response, and ltijs's server add-on puts them back: every
 * route answers with the same policy.
 */
const GUARDED = [
  'strict-transport-security',
  'referrer-policy',
  'cross-origin-embedder-policy',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
  'origin-agent-cluster',
  'x-content-type-options',
  'x-dns-prefetch-control',
  'x-download-options',
  'x-permitted-cross-domain-policies',
  'x-xss-protection',
] as const;

const KEY = 'ourSecurityHeaders';

/** Right after our helmet: remember what it set. */
export const rememberSecurityHeaders: RequestHandler = (_req, res, next) => {
  const saved: Record<string, string | number | string[] | undefined> = {};
  for (const name of GUARDED) saved[name] = res.getHeader(name);
  res.locals[KEY] = saved;
  next();
};

/** Inside ltijs, after its helmet: put ours back, and drop what ours did not set. */
export function restoreSecurityHeaders(res: Response): void {
  const saved = res.locals[KEY] as Record<string, string | number | string[] | undefined> | undefined;
  if (!saved) return;
  for (const name of GUARDED) {
    const value = saved[name];
    if (value === undefined) res.removeHeader(name);
    else res.setHeader(name, value);
  }
}
