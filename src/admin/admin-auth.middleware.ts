import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';

/**
 * A bearer-token credential: `Authorization: Bearer <token>`. Without a configured token the
 * protected paths do not exist (404), so a tool nobody configured exposes nothing. The
 * comparison is on SHA-256 digests with timingSafeEqual: no length or prefix leaks by timing.
 */
export function requireBearerToken(token: string | undefined, names: { realm: string; variable: string; what: string }): RequestHandler {
  const expected = token ? digest(token) : undefined;
  return (req, res, next) => {
    if (!expected) return res.status(404).json(problem(404, 'Not Found', `${names.what} is off: ${names.variable} is not set.`));
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    if (!m?.[1] || !timingSafeEqual(digest(m[1]), expected)) {
      res.set('WWW-Authenticate', `Bearer realm="${names.realm}"`);
      return res.status(401).json(problem(401, 'Unauthorized', `Send Authorization: Bearer <${names.variable}>.`));
    }
    res.set('Cache-Control', 'no-store');
    next();
  };
}

/** The administration API's only credential: ADMIN_TOKEN. */
export function requireAdminToken(adminToken: string | undefined): RequestHandler {
  return requireBearerToken(adminToken, { realm: 'admin', variable: 'ADMIN_TOKEN', what: 'The administration API' });
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** An RFC 9457 problem details body. */
export function problem(status: number, title: string, detail: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'about:blank', title, status, detail, ...extra };
}
