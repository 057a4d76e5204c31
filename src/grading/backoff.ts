/**
 * When to try a failed grade delivery again. Pure: the caller passes the random source.
 *
 * Exponential: 1 min, 2, 4, 8, … capped at 6 h, each stretched by up to +20 % of jitter (never
 * below 1 min nor above 6 h) so that the jobs of a whole class failing together during an LMS
 * outage do not all come back in the same second.
 *
 * A grade is never given up: retries go on at the 6 h cap for as long as it takes (a refusal
 * may be fixed by an LMS admin days later, and a merged job always sends the newest grade).
 * What changes is how the job is shown: after FAILING_AFTER consecutive failures (about 8.5 h
 * of outage with these numbers), or at once when the LMS refused the request itself, the job
 * is `failed` ("failing" on the teacher's Grade sync panel and in the admin API) instead of
 * quietly `pending`, so that a person looks at it.
 */

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  /** Share of the delay added at random (0.2 = up to +20 %). */
  jitter: number;
  /** Consecutive failures after which a job shows as failing. */
  failingAfter: number;
}

export const BACKOFF: Readonly<BackoffPolicy> = Object.freeze({ baseMs: 60_000, maxMs: 6 * 60 * 60_000, jitter: 0.2, failingAfter: 10 });

/** The delay after the `attempt`-th consecutive failure (1-based). `random` returns [0, 1). */
export function retryDelayMs(attempt: number, random: () => number, policy: BackoffPolicy = BACKOFF): number {
  const n = Math.max(1, Math.floor(attempt));
  // 2^(n-1) overflows to Infinity for huge n, which Math.min turns into the cap: fine.
  const nominal = Math.min(policy.maxMs, policy.baseMs * 2 ** (n - 1));
  const stretched = nominal * (1 + policy.jitter * clamp01(random()));
  return Math.round(Math.min(policy.maxMs, Math.max(policy.baseMs, stretched)));
}

/** Both states keep the job queued: `failed` only says that it needs a person's attention. */
export interface RetryDecision { state: 'pending' | 'failed'; nextAttemptAt: Date }

/**
 * After a failure: `attempts` counts the failures so far, this one included. `refused`: the LMS
 * refused the request itself (repeating it as is will not help until someone changes something),
 * so the job shows as failing at once, but it is still retried on the same schedule.
 */
export function afterFailure(attempts: number, now: Date, random: () => number, refused = false, policy: BackoffPolicy = BACKOFF): RetryDecision {
  const nextAttemptAt = new Date(now.getTime() + retryDelayMs(attempts, random, policy));
  return { state: refused || attempts >= policy.failingAfter ? 'failed' : 'pending', nextAttemptAt };
}

function clamp01(x: number): number {
  if (!Number.isFinite(x) || x < 0) return 0;
  return x >= 1 ? 1 : x;
}
