import { createHash } from 'node:crypto';
import { RateCounterModel } from './rate-counter.model';
import { isDuplicateKey } from './database-errors';

/**
 * Per-key limits (usually the client address) kept in the database, so every app instance sees
 * the same count. Fixed windows: the count of a key restarts at each multiple of `windowMs`;
 * at a window's edge a client may get up to twice the limit within one window's length, which
 * is acceptable for limits meant to slow floods and guessing. `limit` 0 switches a rule off.
 */
export interface RateRule {
  /** Names the counter, e.g. `qr-unknown-id`; rules with different names count apart. */
  name: string;
  limit: number;
  windowMs: number;
}

export interface RateState {
  /** Events counted in the current window (after this one, for hit()). */
  count: number;
  /** The key has used up the rule: refuse it. */
  blocked: boolean;
  /** Seconds until the window ends (for Retry-After), at least 1. */
  retryAfterSeconds: number;
}

const MAX_KEY = 200;

function counterId(rule: RateRule, key: string, windowStart: number): string {
  // Keys come from clients (addresses, issuers): bound their size without losing distinctness.
  const k = key.length > MAX_KEY ? createHash('sha256').update(key).digest('base64url') : key;
  return `${rule.name}|${k}|${windowStart}`;
}

function windowOf(rule: RateRule, nowMs: number): { start: number; end: number } {
  const start = Math.floor(nowMs / rule.windowMs) * rule.windowMs;
  return { start, end: start + rule.windowMs };
}

function state(rule: RateRule, count: number, nowMs: number, blockedAt: number): RateState {
  const { end } = windowOf(rule, nowMs);
  return { count, blocked: rule.limit > 0 && count >= blockedAt, retryAfterSeconds: Math.max(1, Math.ceil((end - nowMs) / 1000)) };
}

/**
 * Counts one event for `key` and says whether the key is now over the limit: the first `limit`
 * events of a window are allowed (blocked=false), every later one is blocked. One atomic upsert.
 */
export async function hit(rule: RateRule, key: string, now: Date): Promise<RateState> {
  const nowMs = now.getTime();
  if (rule.limit <= 0) return state(rule, 0, nowMs, Infinity);
  const { start, end } = windowOf(rule, nowMs);
  const _id = counterId(rule, key, start);
  const update = { $inc: { count: 1 }, $setOnInsert: { expiresAt: new Date(end) } };
  for (let attempt = 0; ; attempt++) {
    try {
      const doc = await RateCounterModel.collection.findOneAndUpdate({ _id: _id as never }, update, { upsert: true, returnDocument: 'after' });
      return state(rule, (doc?.count as number | undefined) ?? 1, nowMs, rule.limit + 1);
    } catch (err) {
      // Two first hits raced to insert the window's counter: the loser simply increments it.
      if (!isDuplicateKey(err) || attempt >= 2) throw err;
    }
  }
}

/** Whether `key` has already used up the rule, without counting anything. */
export async function peek(rule: RateRule, key: string, now: Date): Promise<RateState> {
  const nowMs = now.getTime();
  if (rule.limit <= 0) return state(rule, 0, nowMs, Infinity);
  const doc = await RateCounterModel.collection.findOne({ _id: counterId(rule, key, windowOf(rule, nowMs).start) as never }, { projection: { count: 1 } });
  return state(rule, (doc?.count as number | undefined) ?? 0, nowMs, rule.limit);
}

/** For the cleanup job: counters of windows that have ended. */
export async function deleteEndedCounters(now: Date): Promise<number> {
  return (await RateCounterModel.deleteMany({ expiresAt: { $lte: now } })).deletedCount;
}
