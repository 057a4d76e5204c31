import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';

/**
 * The administration API's only credential: `Authorization: Bearer <ADMIN_TOKEN>`. Without an
 * ADMIN_TOKEN the API does not exist (404), so a tool nobody configured exposes nothing. The
 * comparison is on SHA-256 digests with timingSafeEqual: no length or prefix leaks by timing.
 */
export function requireAdminToken(adminToken: string | undefined): RequestHandler {
  const expected = adminToken ? digest(adminToken) : undefined;
  return (req, res, next) => {
    if (!expected) return res.status(404).json(problem(404, 'Not Found', 'The administration API is off: ADMIN_TOKEN is not set.'));
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    if (!m?.[1] || !timingSafeEqual(digest(m[1]), expected)) {
      res.set('WWW-Authenticate', 'Bearer realm="admin"');
      return res.status(401).json(problem(401, 'Unauthorized', 'Send Authorization: Bearer <ADMIN_TOKEN>.'));
    }
    res.set('Cache-Control', 'no-store');
    next();
  };
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** An RFC 9457 problem details body. */
export function problem(status: number, title: string, detail: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'about:blank', title, status, detail, ...extra };
}
