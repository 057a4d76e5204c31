/**
 * When a supervised embedded database dies: restart it, unless it has died too often lately
 * (then something is wrong that a restart will not fix, and the operator must be told). Pure.
 */
export interface RestartPolicy {
  /** Restarts allowed within `windowMs` before giving up. */
  maxRestarts: number;
  windowMs: number;
  /** Wait before the n-th consecutive attempt: base × 2^(n-1), at most maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { maxRestarts: 5, windowMs: 60_000, baseDelayMs: 250, maxDelayMs: 4000 };

export type RestartDecision = { action: 'restart'; delayMs: number } | { action: 'give_up'; recent: number };

/** `history`: when earlier restarts were attempted (ms). */
export function decideRestart(history: readonly number[], nowMs: number, policy: RestartPolicy = DEFAULT_RESTART_POLICY): RestartDecision {
  const recent = history.filter((at) => at > nowMs - policy.windowMs).length;
  if (recent >= policy.maxRestarts) return { action: 'give_up', recent };
  return { action: 'restart', delayMs: Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** recent) };
}
