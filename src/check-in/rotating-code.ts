/**
 * Rotating check-in codes (TOTP-like). A code is an HMAC of a per-session secret and the time
 * slot, so nothing is written when the code rotates and every app instance computes the same
 * code without talking to the others. Only the server's clock counts: the phone just carries the
 * code it scanned or the student types what the projector shows.
 */
import { createHmac } from 'node:crypto';
import { charsFromBytes, codesEqual, normalizeCode } from './password';

export const QR_TOKEN_LENGTH = 16;
export const TYPED_CODE_LENGTH = 6;
/** Secrets shorter than this are a bug in the caller (the service makes 32 random bytes). */
export const MIN_SECRET_BYTES = 16;

export type RotatingKind = 'qr' | 'typed';
export type RotatingCheck = { ok: true; slot: number } | { ok: false };

function periodMs(periodSeconds: number): number {
  if (!Number.isInteger(periodSeconds) || periodSeconds <= 0) throw new RangeError('period must be a positive integer of seconds');
  return periodSeconds * 1000;
}

/** Slots count from the Unix epoch, so every instance agrees without sharing state. */
export function slotOf(nowMs: number, periodSeconds: number): number {
  return Math.floor(nowMs / periodMs(periodSeconds));
}

export function slotStartMs(slot: number, periodSeconds: number): number {
  return slot * periodMs(periodSeconds);
}

/**
 * For the projector's refresh timer. Fractional (milliseconds / 1000) so the page can wait
 * exactly until the change; in (0, period]: at a slot's first millisecond a whole period is left.
 */
export function secondsUntilNextSlot(nowMs: number, periodSeconds: number): number {
  const next = slotStartMs(slotOf(nowMs, periodSeconds) + 1, periodSeconds);
  return (next - nowMs) / 1000;
}

/**
 * Each kind of code uses its own label in the HMAC input (domain separation), so the typed code
 * is not a prefix of the QR token: seeing the QR token on a screenshot must not reveal, and
 * reading the typed code must not shorten a guess of, the other. JSON framing keeps
 * (sessionId, slot) pairs from running into each other.
 */
function codeFor(label: string, length: number, secret: Buffer, sessionId: string, slot: number): string {
  if (secret.length < MIN_SECRET_BYTES) throw new RangeError(`secret must have at least ${MIN_SECRET_BYTES} bytes`);
  let block = 0;
  // Rejection sampling may need more than one HMAC's 32 bytes (rarely): extend with a counter.
  const next = () => createHmac('sha256', secret).update(JSON.stringify([label, sessionId, slot, block++])).digest();
  return charsFromBytes(next, length);
}

/** Goes into the QR's URL: 16 characters (about 74 bits), URL-safe as is. */
export function qrToken(secret: Buffer, sessionId: string, slot: number): string {
  return codeFor('check-in/qr/v1', QR_TOKEN_LENGTH, secret, sessionId, slot);
}

/** Shown under the QR for students without a camera; short because people type it. */
export function typedCode(secret: Buffer, sessionId: string, slot: number): string {
  return codeFor('check-in/typed/v1', TYPED_CODE_LENGTH, secret, sessionId, slot);
}

/**
 * A QR that does not rotate (rotation set to 0). The password is part of the input so that
 * regenerating the password also retires a printed or photographed QR.
 */
export function staticQrToken(secret: Buffer, sessionId: string, password: string): string {
  return codeFor(`check-in/static-qr/v1/${normalizeCode(password)}`, QR_TOKEN_LENGTH, secret, sessionId, 0);
}

/**
 * Accepts the current slot's code, and the previous slot's only during the first
 * `graceSeconds` of the current slot, so a scan in flight at the rotation still succeeds. Never a
 * future slot: a code cannot be used before the projector has shown it. When the grace is longer
 * than the period, still only one slot back is accepted.
 */
export function verifyRotating(
  kind: RotatingKind,
  code: string,
  secret: Buffer,
  sessionId: string,
  nowMs: number,
  periodSeconds: number,
  graceSeconds: number,
): RotatingCheck {
  const make = kind === 'qr' ? qrToken : typedCode;
  const current = slotOf(nowMs, periodSeconds);
  const inGrace = nowMs - slotStartMs(current, periodSeconds) < graceSeconds * 1000;
  // Both comparisons always run, so the time taken does not tell which slot matched.
  const matchesCurrent = codesEqual(code, make(secret, sessionId, current));
  const matchesPrevious = codesEqual(code, make(secret, sessionId, current - 1));
  if (matchesCurrent) return { ok: true, slot: current };
  if (matchesPrevious && inGrace) return { ok: true, slot: current - 1 };
  return { ok: false };
}

/**
 * A code that was valid in one of the last `lookbackSlots` slots but is no longer accepted: a
 * photo of the screen passed around, or a page left open. Told apart from a wrong code so the
 * student is told to scan again, and so expired scans do not count as guesses.
 */
export function recentlyExpired(
  kind: RotatingKind,
  code: string,
  secret: Buffer,
  sessionId: string,
  nowMs: number,
  periodSeconds: number,
  lookbackSlots: number,
): boolean {
  const make = kind === 'qr' ? qrToken : typedCode;
  const current = slotOf(nowMs, periodSeconds);
  for (let slot = current - 1; slot >= current - lookbackSlots; slot--) {
    if (codesEqual(code, make(secret, sessionId, slot))) return true;
  }
  return false;
}
