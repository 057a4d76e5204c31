import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { hit, peek, RateRule, RateState } from '../shared/rate-limit.service';
import { asyncHandler } from '../shared/async-handler';
import { problem, sendProblem } from './problem';

export { problem } from './problem';

/** Wrong or missing tokens per client address and window, before the address is refused (429). */
export const TOKEN_FAILURES_PER_WINDOW = 20;
export const TOKEN_FAILURE_WINDOW_MS = 10 * 60_000;

export interface TokenFailureLimit {
  /** Failures per address per window; 0 switches the limit off (unit tests without a database). */
  failures?: number;
  windowMs?: number;
  now?: () => Date;
}

interface Names {
  realm: string;
  variable: string;
  what: string;
}

/**
 * A bearer-token credential: `Authorization: Bearer <token>`. Without a configured token the
 * protected paths do not exist (404), so a tool nobody configured exposes nothing. The
 * comparison is on SHA-256 digests with timingSafeEqual: no length or prefix leaks by timing.
 *
 * Failures (a wrong or missing token) are counted per client address in the database (every
 * instance sees the same count, src/shared/rate-limit.service.ts). Once an address has failed
 * `failures` times in a window, *every* request from it is refused with 429 until the window
 * ends, even one with the right token: the answer then does not depend on the token at all (not
 * even by timing), so guessing on past the limit learns nothing. The price: whoever shares the
 * administrator's address (a NAT, or every client when TRUST_PROXY is wrong and all requests
 * seem to come from the proxy) can lock the API for up to one window. Realms count apart.
 * When the database cannot be asked, the limit is skipped (fail open): the token check alone
 * still protects, and /metrics must keep answering while the database is down.
 */
export function requireBearerToken(token: string | undefined, names: Names, limit: TokenFailureLimit = {}): RequestHandler {
  const expected = token ? digest(token) : undefined;
  const rule: RateRule = { name: `bearer-${names.realm}`, limit: limit.failures ?? TOKEN_FAILURES_PER_WINDOW, windowMs: limit.windowMs ?? TOKEN_FAILURE_WINDOW_MS };
  const now = limit.now ?? (() => new Date());
  const tooMany = (state: RateState | undefined) => state?.blocked === true;
  return asyncHandler(async (req, res, next) => {
    if (!expected) {
      sendProblem(res, problem(404, 'Not Found', `${names.what} is off: ${names.variable} is not set.`));
      return;
    }
    res.set('Cache-Control', 'no-store');
    const address = req.ip ?? 'unknown';
    const limited = await peek(rule, address, now()).catch(() => undefined);
    if (tooMany(limited)) return refuseLimited(res, limited as RateState);
    if (tokenMatches(req.get('authorization'), expected)) return next();
    const failed = await hit(rule, address, now()).catch(() => undefined);
    if (tooMany(failed)) return refuseLimited(res, failed as RateState);
    res.set('WWW-Authenticate', `Bearer realm="${names.realm}"`);
    sendProblem(res, problem(401, 'Unauthorized', `Send Authorization: Bearer <${names.variable}>.`));
  });
}

function refuseLimited(res: Parameters<RequestHandler>[1], state: RateState): void {
  res.set('Retry-After', String(state.retryAfterSeconds));
  sendProblem(res, problem(429, 'Too Many Requests', `Too many wrong or missing tokens from this address; try again in ${state.retryAfterSeconds} s.`, { retryAfter: state.retryAfterSeconds }));
}

/** Exported for the unit test that checks every comparison is a constant-time one of equal lengths. */
export function tokenMatches(authorization: string | undefined, expected: Buffer): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  // Always one comparison of two 32-byte digests, also for a missing token: the same work either way.
  return timingSafeEqual(digest(m?.[1] ?? ''), expected) && m?.[1] !== undefined;
}

/** The administration API's only credential: ADMIN_TOKEN. */
export function requireAdminToken(adminToken: string | undefined, limit: TokenFailureLimit = {}): RequestHandler {
  return requireBearerToken(adminToken, { realm: 'admin', variable: 'ADMIN_TOKEN', what: 'The administration API' }, limit);
}

export const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
