/**
 * When to try a failed grade delivery again. Pure: the caller passes the random source.
 *
 * Exponential: 1 min, 2, 4, 8, … capped at 6 h, each stretched by up to +20 % of jitter (never
 * below 1 min nor above 6 h) so that the jobs of a whole class failing together during an LMS
 * outage do not all come back in the same second. After MAX_ATTEMPTS failed attempts (about
 * 8.5 h of outage with these numbers) the job is `failed`: it stays visible on the teacher's
 * Grade sync panel until someone presses "Retry now" or the student's grade changes again.
 */

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  /** Share of the delay added at random (0.2 = up to +20 %). */
  jitter: number;
  maxAttempts: number;
}

export const BACKOFF: Readonly<BackoffPolicy> = Object.freeze({ baseMs: 60_000, maxMs: 6 * 60 * 60_000, jitter: 0.2, maxAttempts: 10 });

/** The delay after the `attempt`-th consecutive failure (1-based). `random` returns [0, 1). */
export function retryDelayMs(attempt: number, random: () => number, policy: BackoffPolicy = BACKOFF): number {
  const n = Math.max(1, Math.floor(attempt));
  // 2^(n-1) overflows to Infinity for huge n, which Math.min turns into the cap: fine.
  const nominal = Math.min(policy.maxMs, policy.baseMs * 2 ** (n - 1));
  const stretched = nominal * (1 + policy.jitter * clamp01(random()));
  return Math.round(Math.min(policy.maxMs, Math.max(policy.baseMs, stretched)));
}

export type RetryDecision = { state: 'pending'; nextAttemptAt: Date } | { state: 'failed' };

/**
 * After a failure: `attempts` counts the failures so far, this one included. A permanent
 * failure (the LMS refused the request itself) fails at once: repeating it would not help.
 */
export function afterFailure(attempts: number, now: Date, random: () => number, permanent = false, policy: BackoffPolicy = BACKOFF): RetryDecision {
  if (permanent || attempts >= policy.maxAttempts) return { state: 'failed' };
  return { state: 'pending', nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempts, random, policy)) };
}

function clamp01(x: number): number {
  if (!Number.isFinite(x) || x < 0) return 0;
  return x >= 1 ? 1 : x;
}
