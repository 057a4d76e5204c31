/**
 * What the projector shows at a given instant, pure: the QR's URL and the code typed by students
 * without a camera. Rotation on: the slot's QR token and typed code, plus when they change.
 * Rotation off: the static QR token (retired with the password) and the password itself.
 */
import { qrToken, secondsUntilNextSlot, slotOf, staticQrToken, typedCode } from './rotating-code';
import { rotationOn, type SelfMarkingSettings } from './settings';

export interface ProjectorCodes {
  /** Absent when the teacher did not switch the QR on. */
  qrUrl?: string;
  /** What a student types: the rotating short code, or the password. */
  typed: string;
  rotating: boolean;
  /** Rotation on: seconds until the next code (fractional), else undefined. */
  secondsLeft?: number;
  /** Rotation on: the slot number, so a page can tell whether its code changed. */
  slot?: number;
}

/** The public check-in URL a QR encodes: opened top-level on a phone. */
export function checkInUrl(publicUrl: string, publicId: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/checkin/${encodeURIComponent(publicId)}?code=${encodeURIComponent(token)}`;
}

export function projectorCodes(
  settings: Pick<SelfMarkingSettings, 'showQr' | 'rotateSeconds' | 'password'>,
  keys: { secret: Buffer; sessionId: string; publicId: string },
  publicUrl: string,
  nowMs: number,
): ProjectorCodes {
  const { secret, sessionId, publicId } = keys;
  if (!rotationOn(settings)) {
    const qrUrl = settings.showQr ? checkInUrl(publicUrl, publicId, staticQrToken(secret, sessionId, settings.password)) : undefined;
    return { qrUrl, typed: settings.password, rotating: false };
  }
  const slot = slotOf(nowMs, settings.rotateSeconds);
  return {
    qrUrl: checkInUrl(publicUrl, publicId, qrToken(secret, sessionId, slot)),
    typed: typedCode(secret, sessionId, slot),
    rotating: true,
    secondsLeft: secondsUntilNextSlot(nowMs, settings.rotateSeconds),
    slot,
  };
}
