/**
 * When may the tool use the LMS signing keys it holds, and when must it ask the LMS again?
 * Pure, with the time passed in (milliseconds of a monotonic clock), so the rules are tested
 * without waiting. platform-keys.ts applies them per JWKS URL.
 *
 * - A key set is used for KEY_SET_TTL_MS after it was fetched: a key the LMS removes is still
 *   accepted for at most that long (sooner when a token with a new kid forces a refetch).
 * - A token naming a kid the fresh set lacks (a rotated LMS key, or a made-up kid) refetches,
 *   but at most once per MIN_REFETCH_INTERVAL_MS per URL: a flood of forged kids costs the LMS
 *   one request per window, and a genuinely new key is picked up within that window.
 * - While a fetch is running, every lookup that needs one waits for it (single flight).
 */

/** How long a fetched key set is used without asking the LMS again. */
export const KEY_SET_TTL_MS = 10 * 60_000;
/** The least time between two fetches of one URL caused by an unknown kid or a failed signature. */
export const MIN_REFETCH_INTERVAL_MS = 10_000;

export interface KeyPolicy { ttlMs: number; minRefetchIntervalMs: number }
export const DEFAULT_KEY_POLICY: KeyPolicy = { ttlMs: KEY_SET_TTL_MS, minRefetchIntervalMs: MIN_REFETCH_INTERVAL_MS };

export interface KeySetView {
  /** When the set in hand was fetched; undefined when there is none (never fetched, or every fetch failed). */
  fetchedAt: number | undefined;
  /** When the last fetch of this URL started, whatever its outcome. */
  lastFetchStartedAt: number | undefined;
  /** A fetch of this URL is running now. */
  fetching: boolean;
  /** The set in hand has a key with the token's kid (that, when asked after a bad signature, did not verify: pass false). */
  hasKid: boolean;
}

/** use: the key in hand; fetch: start or join a fetch, then look again; refuse: no key (KEY_NOT_FOUND). */
export type KeyDecision = 'use' | 'fetch' | 'refuse';

/** A clock that went backwards (only an injected one can) makes nothing fresh: ask again. */
const elapsed = (since: number, now: number): number => (now >= since ? now - since : Number.POSITIVE_INFINITY);

export function isFresh(fetchedAt: number | undefined, now: number, policy: KeyPolicy = DEFAULT_KEY_POLICY): boolean {
  return fetchedAt !== undefined && elapsed(fetchedAt, now) < policy.ttlMs;
}

/** May a fresh set be fetched again because it lacks what a token needs? */
export function mayRefetch(lastFetchStartedAt: number | undefined, now: number, policy: KeyPolicy = DEFAULT_KEY_POLICY): boolean {
  return lastFetchStartedAt === undefined || elapsed(lastFetchStartedAt, now) >= policy.minRefetchIntervalMs;
}

export function decideKeyLookup(view: KeySetView, now: number, policy: KeyPolicy = DEFAULT_KEY_POLICY): KeyDecision {
  const fresh = isFresh(view.fetchedAt, now, policy);
  if (fresh && view.hasKid) return 'use';
  // Joining a running fetch costs the LMS nothing more.
  if (view.fetching || !fresh) return 'fetch';
  return mayRefetch(view.lastFetchStartedAt, now, policy) ? 'fetch' : 'refuse';
}
