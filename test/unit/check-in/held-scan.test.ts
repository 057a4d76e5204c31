import { heldScanExpiresAt, heldScanProblem } from '../../../src/check-in/held-scan';

const SCAN = Date.UTC(2026, 10, 30, 8, 3, 0);
const WINDOW_END = Date.UTC(2026, 10, 30, 9, 30, 0);
const held = (over: Partial<{ deviceId: string; expiresAt: Date; consumedAt: Date | null }> = {}) => ({
  deviceId: 'phone-a', expiresAt: new Date(SCAN + 5 * 60_000), consumedAt: null, ...over,
});

describe('how long a held scan lasts', () => {
  it('when scanned early in the window, then it lasts the configured minutes after the scan', () => {
    expect(heldScanExpiresAt(SCAN, 5, WINDOW_END)).toEqual(new Date(SCAN + 5 * 60_000));
  });

  it('when scanned just before the window closes, then it ends with the window', () => {
    expect(heldScanExpiresAt(WINDOW_END - 60_000, 5, WINDOW_END)).toEqual(new Date(WINDOW_END));
  });
});

describe('whether a device may complete a held scan now', () => {
  it('when it is the scanning device, unused and in time, then there is no problem', () => {
    expect(heldScanProblem(held(), 'phone-a', SCAN + 5 * 60_000 - 1)).toBeUndefined();
  });

  it.each<[string, ReturnType<typeof held> | undefined, string | undefined, number, string]>([
    ['another device', held(), 'phone-b', SCAN, 'other_device'],
    ['a request without a device cookie', held(), undefined, SCAN, 'other_device'],
    ['another device, even when the scan is used and expired', held({ consumedAt: new Date(SCAN) }), 'phone-b', SCAN + 3_600_000, 'other_device'],
    ['a used scan', held({ consumedAt: new Date(SCAN + 1000) }), 'phone-a', SCAN + 2000, 'used'],
    ['the moment it expires', held(), 'phone-a', SCAN + 5 * 60_000, 'expired'],
    ['a scan the cleanup already deleted', undefined, 'phone-a', SCAN, 'expired'],
  ])('when it is %s, then it is refused', (_name, record, deviceId, nowMs, problem) => {
    expect(heldScanProblem(record, deviceId, nowMs)).toBe(problem);
  });
});
