/**
 * The cookies of one browser for one site, kept by hand (the lean clients have no jar): name,
 * value and path; a Set-Cookie with an empty value or an expiry in the past deletes. Enough for
 * the tool's cookies (ltijs's state and platform cookies, the phone's la_device / la_pending);
 * domains are not needed, each jar serves one origin.
 */
interface Stored { value: string; path: string }

export class CookieJar {
  private readonly cookies = new Map<string, Stored>();

  /** Takes the Set-Cookie lines of a reply. */
  take(setCookie: readonly string[] | undefined): void {
    for (const line of setCookie ?? []) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let path = '/';
      let gone = value === '';
      for (const attr of attrs) {
        const [k = '', v = ''] = attr.split('=').map((x) => x.trim());
        if (/^path$/i.test(k) && v.startsWith('/')) path = v;
        if (/^max-age$/i.test(k) && Number(v) <= 0) gone = true;
        if (/^expires$/i.test(k) && Date.parse(v) <= Date.now()) gone = true;
      }
      if (gone) this.cookies.delete(name);
      else this.cookies.set(name, { value, path });
    }
  }

  /** The Cookie header a browser sends for this path ('' when none applies). */
  header(requestPath: string): string {
    const pathOnly = requestPath.split('?')[0] ?? '/';
    const out: string[] = [];
    for (const [name, c] of this.cookies) {
      const p = c.path.endsWith('/') ? c.path : `${c.path}/`;
      if (pathOnly === c.path || pathOnly.startsWith(p) || c.path === '/') out.push(`${name}=${c.value}`);
    }
    return out.join('; ');
  }

  has(name: string): boolean {
    return this.cookies.has(name);
  }
}
