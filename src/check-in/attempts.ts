/**
 * Limits guessing of check-in codes: at most `limit` wrong codes per student and session within
 * a sliding window. The caller stores the times of failures (only 'wrong_code' refusals count).
 */
export interface AttemptPolicy {
  limit: number;
  windowMs: number;
}

export const DEFAULT_ATTEMPT_POLICY: AttemptPolicy = { limit: 5, windowMs: 10 * 60_000 };

/**
 * Failures stamped later than `now` still count: another app instance whose clock runs a little
 * ahead may have recorded them, and forgetting them would hand out extra guesses.
 */
function recentFailures(previousFailuresMs: readonly number[], nowMs: number, windowMs: number): number[] {
  return previousFailuresMs.filter((at) => at > nowMs - windowMs);
}

export function attemptsLeft(
  previousFailuresMs: readonly number[],
  nowMs: number,
  policy: Partial<AttemptPolicy> = {},
): number {
  const { limit, windowMs } = { ...DEFAULT_ATTEMPT_POLICY, ...policy };
  return Math.max(0, limit - recentFailures(previousFailuresMs, nowMs, windowMs).length);
}

export function isLockedOut(
  previousFailuresMs: readonly number[],
  nowMs: number,
  policy: Partial<AttemptPolicy> = {},
): boolean {
  return attemptsLeft(previousFailuresMs, nowMs, policy) === 0;
}

/**
 * For the "try again in N minutes" message: the instant an attempt becomes available again,
 * i.e. when enough of the recent failures have left the window. undefined when not locked out.
 */
export function retryAt(
  previousFailuresMs: readonly number[],
  nowMs: number,
  policy: Partial<AttemptPolicy> = {},
): Date | undefined {
  const { limit, windowMs } = { ...DEFAULT_ATTEMPT_POLICY, ...policy };
  const recent = recentFailures(previousFailuresMs, nowMs, windowMs).sort((a, b) => a - b);
  if (recent.length < limit) return undefined;
  // With `limit` allowed, the (n - limit + 1)-th oldest must expire before one is free again.
  const freeing = recent[recent.length - limit];
  return freeing === undefined ? undefined : new Date(freeing + windowMs);
}
