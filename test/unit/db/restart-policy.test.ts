import { decideRestart, DEFAULT_RESTART_POLICY } from '../../../src/db/restart-policy';

describe('restarting a dead embedded database', () => {
  const policy = { maxRestarts: 3, windowMs: 60_000, baseDelayMs: 250, maxDelayMs: 1000 };

  it('when it dies for the first time, then it is restarted at once (after the base delay)', () => {
    expect(decideRestart([], 1_000_000, policy)).toEqual({ action: 'restart', delayMs: 250 });
  });

  it('when it keeps dying, then each restart waits twice as long, up to the maximum', () => {
    const now = 1_000_000;
    expect(decideRestart([now - 1000], now, policy)).toEqual({ action: 'restart', delayMs: 500 });
    expect(decideRestart([now - 2000, now - 1000], now, policy)).toEqual({ action: 'restart', delayMs: 1000 });
  });

  it('when it died maxRestarts times within the window, then the supervisor gives up', () => {
    const now = 1_000_000;
    expect(decideRestart([now - 30_000, now - 20_000, now - 10_000], now, policy)).toEqual({ action: 'give_up', recent: 3 });
  });

  it('when the earlier deaths are older than the window, then they no longer count', () => {
    const now = 1_000_000;
    expect(decideRestart([now - 200_000, now - 100_000, now - 61_000], now, policy)).toEqual({ action: 'restart', delayMs: 250 });
  });

  it('the default allows a few restarts per minute', () => {
    expect(DEFAULT_RESTART_POLICY.maxRestarts).toBeGreaterThanOrEqual(3);
    expect(DEFAULT_RESTART_POLICY.windowMs).toBe(60_000);
  });
});
