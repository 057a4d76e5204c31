/**
 * How students check in, as the teacher chooses it on the self-marking form. The stored settings
 * keep their fields (showQr, rotateSeconds, graceSeconds): the mode is derived from them and
 * mapped back onto them, so stored sessions, the check-in rules and the projector are unchanged.
 * The choice exists because "rotate every 0 s = never" was the only way to a static QR, and a
 * rotating QR silently stops the password from working (see check-in-decision.ts). Pure.
 */
import { DEFAULT_SELF_MARKING, SETTING_BOUNDS, type SelfMarkingSettings, type SettingsProblem } from './settings';

export const CHECK_IN_MODES = ['password', 'static_qr', 'rotating_qr'] as const;
export type CheckInMode = (typeof CHECK_IN_MODES)[number];

export const isCheckInMode = (value: unknown): value is CheckInMode => CHECK_IN_MODES.includes(value as CheckInMode);

/** The same rule as rotationOn: rotation without a QR means nothing (the password is the code). */
export function checkInModeOf(settings: Pick<SelfMarkingSettings, 'showQr' | 'rotateSeconds'>): CheckInMode {
  if (!settings.showQr) return 'password';
  return settings.rotateSeconds > 0 ? 'rotating_qr' : 'static_qr';
}

/** The rotation inputs as posted: numbers when they parsed, else the raw text. */
export interface PostedRotation {
  rotateSeconds: unknown;
  graceSeconds: unknown;
}

export interface ModeFields {
  showQr: boolean;
  rotateSeconds: unknown;
  graceSeconds: unknown;
}

export interface ModeMapping {
  fields: ModeFields;
  problems: SettingsProblem[];
}

const within = (value: unknown, bounds: { min: number; max: number }): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= bounds.min && value <= bounds.max;

/**
 * The stored fields a mode stands for. Outside the rotating mode the rotation inputs are ignored
 * (without JavaScript they stay visible): rotation is off, and a valid grace period is kept so it
 * is there again when rotation is switched back on. In the rotating mode 0 is not "never" but an
 * error: it would quietly turn the QR static.
 */
export function fieldsForMode(mode: CheckInMode, posted: PostedRotation): ModeMapping {
  if (mode !== 'rotating_qr') {
    const graceSeconds = within(posted.graceSeconds, SETTING_BOUNDS.graceSeconds) ? posted.graceSeconds : DEFAULT_SELF_MARKING.graceSeconds;
    return { fields: { showQr: mode === 'static_qr', rotateSeconds: 0, graceSeconds }, problems: [] };
  }
  if (within(posted.rotateSeconds, SETTING_BOUNDS.rotateSeconds)) {
    return { fields: { showQr: true, rotateSeconds: posted.rotateSeconds, graceSeconds: posted.graceSeconds }, problems: [] };
  }
  // The stand-in keeps the general validator from reporting the field a second time.
  return {
    fields: { showQr: true, rotateSeconds: DEFAULT_SELF_MARKING.rotateSeconds, graceSeconds: posted.graceSeconds },
    problems: [{ field: 'rotateSeconds', messageKey: 'check_in.errors.rotate_seconds_rotating_range' }],
  };
}

/** The seconds the rotating mode's sentence names: the typed value when it is usable, else the default. */
export function rotationSecondsShown(posted: unknown): number {
  return within(posted, SETTING_BOUNDS.rotateSeconds) ? posted : DEFAULT_SELF_MARKING.rotateSeconds;
}
