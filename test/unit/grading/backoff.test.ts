import { afterFailure, BACKOFF, retryDelayMs } from '../../../src/grading/backoff';

const MIN = 60_000;
const HOUR = 60 * MIN;
const never = () => 0; // no jitter
const most = () => 0.999999; // the most jitter

describe('retryDelayMs: exponential from 1 minute to 6 hours', () => {
  it.each<[number, number]>([
    [1, 1 * MIN],
    [2, 2 * MIN],
    [3, 4 * MIN],
    [4, 8 * MIN],
    [5, 16 * MIN],
    [6, 32 * MIN],
    [7, 64 * MIN],
    [8, 128 * MIN],
    [9, 256 * MIN],
    [10, 6 * HOUR], // 512 min is over the cap
    [40, 6 * HOUR],
    [5000, 6 * HOUR], // 2^4999 is Infinity: still the cap
  ])('when attempt %i failed without jitter, then the next try is %i ms later', (attempt, expected) => {
    expect(retryDelayMs(attempt, never)).toBe(expected);
  });

  it('when jitter is drawn, then the delay grows by at most 20 %, never past 6 hours', () => {
    expect(retryDelayMs(1, most)).toBe(Math.round(1.2 * MIN - 0.0000012 * MIN));
    expect(retryDelayMs(3, () => 0.5)).toBe(4.4 * MIN);
    expect(retryDelayMs(9, most)).toBe(Math.round(256 * MIN * (1 + 0.2 * 0.999999)));
    expect(retryDelayMs(10, most)).toBe(6 * HOUR);
  });

  it('when many jobs fail together, then their retries spread out instead of coming back at once', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const delays = new Set(Array.from({ length: 30 }, () => retryDelayMs(2, random)));
    expect(delays.size).toBeGreaterThan(25);
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(2 * MIN);
      expect(d).toBeLessThanOrEqual(2.4 * MIN);
    }
  });

  it.each<[string, number, () => number]>([
    ['attempt 0', 0, never],
    ['a negative attempt', -3, never],
    ['a fractional attempt', 1.7, never],
    ['a random source out of range', 1, () => -5],
    ['a random source that returns NaN', 1, () => Number.NaN],
  ])('when given %s, then the delay is still the first one (1 minute)', (_name, attempt, random) => {
    expect(retryDelayMs(attempt, random)).toBe(MIN);
  });

  it('when the random source returns 1 or more, then it counts as the most jitter', () => {
    expect(retryDelayMs(2, () => 7)).toBe(2.4 * MIN);
  });
});

describe('afterFailure: keep retrying; show as failing when a person should look', () => {
  const now = new Date('2030-01-01T00:00:00Z');
  const HOUR = 60 * MIN;

  it.each<[number, string]>([
    [1, '2030-01-01T00:01:00.000Z'],
    [2, '2030-01-01T00:02:00.000Z'],
    [5, '2030-01-01T00:16:00.000Z'],
    [9, '2030-01-01T04:16:00.000Z'],
  ])('when %i attempts have failed, then the job stays pending until %s', (attempts, expected) => {
    expect(afterFailure(attempts, now, never)).toEqual({ state: 'pending', nextAttemptAt: new Date(expected) });
  });

  it.each([BACKOFF.failingAfter, BACKOFF.failingAfter + 1, 99, 10_000])('when %i attempts have failed, then the job shows as failing and is still retried at the 6-hour cap', (attempts) => {
    expect(afterFailure(attempts, now, never)).toEqual({ state: 'failed', nextAttemptAt: new Date(now.getTime() + 6 * HOUR) });
  });

  it('when the LMS refused the request itself, then the job shows as failing at the first attempt, and is retried a minute later', () => {
    expect(afterFailure(1, now, never, true)).toEqual({ state: 'failed', nextAttemptAt: new Date(now.getTime() + MIN) });
  });

  it('when a refusal goes on, then its retries back off like any other failure, up to the cap', () => {
    expect(afterFailure(4, now, never, true).nextAttemptAt).toEqual(new Date(now.getTime() + 8 * MIN));
    expect(afterFailure(30, now, () => 0.99, true).nextAttemptAt).toEqual(new Date(now.getTime() + 6 * HOUR));
  });

  it('when the policy is given, then it is followed (failing threshold and cap)', () => {
    const policy = { baseMs: 1000, maxMs: 3000, jitter: 0, failingAfter: 3 };
    expect(afterFailure(2, now, never, false, policy)).toEqual({ state: 'pending', nextAttemptAt: new Date(now.getTime() + 2000) });
    expect(retryDelayMs(5, never, policy)).toBe(3000);
    expect(afterFailure(3, now, never, false, policy)).toEqual({ state: 'failed', nextAttemptAt: new Date(now.getTime() + 3000) });
  });

  it('when every retry fails, then a job shows as failing after about 8.5 hours', () => {
    const total = Array.from({ length: BACKOFF.failingAfter - 1 }, (_, i) => retryDelayMs(i + 1, never)).reduce((a, b) => a + b, 0);
    expect(total).toBe(511 * MIN);
  });
});
