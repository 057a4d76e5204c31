/**
 * Rules of a held scan (pure; the time is passed in). A held scan is a valid QR scan waiting on
 * an unpaired phone for the student's LMS launch. It belongs to the device that scanned it, is
 * used once, and lasts `heldMinutes` after the scan: long enough to open the LMS app on the
 * phone (single sign-on, MFA, finding the course), too short to pass around after the lecture.
 */

export type HeldScanProblem = 'other_device' | 'used' | 'expired';

export interface HeldScanState {
  deviceId: string;
  expiresAt: Date;
  consumedAt?: Date | null;
}

/** Never later than the end of the session's check-in window. */
export function heldScanExpiresAt(scannedAtMs: number, heldMinutes: number, windowClosesAtMs: number): Date {
  return new Date(Math.min(scannedAtMs + heldMinutes * 60_000, windowClosesAtMs));
}

/**
 * Why the scan cannot be completed by this device now, or undefined when it can. Another
 * device is told only that (not whether the scan was used or has expired). A record that is
 * gone was deleted by the cleanup after it expired.
 */
export function heldScanProblem(held: HeldScanState | undefined, deviceId: string | undefined, nowMs: number): HeldScanProblem | undefined {
  if (!held) return 'expired';
  if (deviceId === undefined || held.deviceId !== deviceId) return 'other_device';
  if (held.consumedAt) return 'used';
  if (held.expiresAt.getTime() <= nowMs) return 'expired';
  return undefined;
}
