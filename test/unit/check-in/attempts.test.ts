import { attemptsLeft, isLockedOut, retryAt } from '../../../src/check-in/attempts';

const MIN = 60_000;
const now = 1_700_000_000_000;

describe('attempts with the default 5 per 10 minutes', () => {
  it.each<[string, number[], number]>([
    ['no failures', [], 5],
    ['2 failures in the last minutes', [now - MIN, now - 2 * MIN], 3],
    ['5 failures in the window', [1, 2, 3, 4, 5].map((m) => now - m * MIN), 0],
    ['6 failures in the window', [1, 2, 3, 4, 5, 6].map((m) => now - m * MIN), 0],
    ['a failure exactly 10 minutes ago', [now - 10 * MIN], 5],
    ['a failure 10 minutes ago less 1 ms', [now - 10 * MIN + 1], 4],
    ['5 failures of which 2 left the window', [1, 2, 3, 11, 30].map((m) => now - m * MIN), 2],
    ['a failure stamped slightly in the future (another instance)', [now + 500], 4],
  ])('when there were %s, then %i attempts are left', (_label, failures, left) => {
    expect(attemptsLeft(failures, now)).toBe(left);
    expect(isLockedOut(failures, now)).toBe(left === 0);
  });

  it('when the window slides past the oldest of 5 failures, then one attempt comes back', () => {
    const failures = [9, 8, 7, 6, 5].map((m) => now - m * MIN);
    expect(isLockedOut(failures, now)).toBe(true);
    expect(isLockedOut(failures, now + MIN - 1)).toBe(true);
    expect(attemptsLeft(failures, now + MIN)).toBe(1);
  });

  it('when locked out, then it tells when the next attempt is free', () => {
    const failures = [9, 8, 7, 6, 5, 4].map((m) => now - m * MIN);
    expect(retryAt(failures, now)?.getTime()).toBe(now + 2 * MIN);
    expect(retryAt(failures.slice(0, 2), now)).toBeUndefined();
  });

  it('when a stricter policy is given, then it applies', () => {
    const policy = { limit: 3, windowMs: MIN };
    expect(attemptsLeft([now - 1000, now - 2000], now, policy)).toBe(1);
    expect(isLockedOut([now - 1000, now - 2000, now - 3000], now, policy)).toBe(true);
    expect(isLockedOut([now - 1000, now - 2000, now - 2 * MIN], now, policy)).toBe(false);
  });
});
