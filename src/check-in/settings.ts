/**
 * A class meeting's self-marking settings and their rules, pure. Problems are reported as
 * { field, messageKey } so a form can show each next to its input; every problem at once.
 */
import { parseCidrList } from './cidr';
import { normalizeCode, PASSWORD_LENGTH } from './password';

export const STATUS_MODES = ['auto', 'choose'] as const;
export type StatusMode = (typeof STATUS_MODES)[number];

export interface SelfMarkingSettings {
  enabled: boolean;
  /** Stored normalised (see normalizeCode); the service generates one per meeting. */
  password: string;
  showQr: boolean;
  /** 0 = the QR does not rotate (and students type the password). */
  rotateSeconds: number;
  /** How long the previous rotating code is still accepted after a rotation. */
  graceSeconds: number;
  opensMinutesBefore: number;
  statusMode: StatusMode;
  /** 'auto' mode: Present until start + this many minutes (inclusive), then Late. */
  lateAfterMinutes: number;
  /** 'choose' mode only: a marked student may pick again while the window is open. */
  allowChange: boolean;
  oneDevicePerStudent: boolean;
  /** Empty = from anywhere. */
  allowedCidrs: string[];
}

export type SelfMarkingDefaults = Readonly<Omit<SelfMarkingSettings, 'password' | 'allowedCidrs'>> & {
  readonly allowedCidrs: readonly string[];
};

/** No password: it is unique per meeting, so the service generates it (generatePassword). */
export const DEFAULT_SELF_MARKING: SelfMarkingDefaults = Object.freeze({
  enabled: false,
  showQr: false,
  rotateSeconds: 15,
  graceSeconds: 5,
  opensMinutesBefore: 0,
  statusMode: 'auto',
  lateAfterMinutes: 10,
  allowChange: false,
  oneDevicePerStudent: true,
  allowedCidrs: Object.freeze([]),
});

/** Bounds keep tampered forms out; rotation under 5 s would outrun a phone camera. */
export const SETTING_BOUNDS = {
  rotateSeconds: { min: 5, max: 300 },
  graceSeconds: { min: 0, max: 30 },
  opensMinutesBefore: { min: 0, max: 240 },
  lateAfterMinutes: { min: 0, max: 1440 },
} as const;

export interface SettingsProblem {
  field: string;
  messageKey: string;
}

/** What arrives from a form or an old document: anything may be missing or of the wrong type. */
export type SelfMarkingInput = { [K in keyof SelfMarkingSettings]?: unknown };

export type SettingsValidation = { ok: true; settings: SelfMarkingSettings } | { ok: false; problems: SettingsProblem[] };

type Problems = SettingsProblem[];

function bool(input: SelfMarkingInput, field: 'enabled' | 'showQr' | 'allowChange' | 'oneDevicePerStudent', problems: Problems): boolean {
  const value = input[field] ?? DEFAULT_SELF_MARKING[field];
  if (typeof value === 'boolean') return value;
  problems.push({ field, messageKey: 'check_in.errors.not_boolean' });
  return DEFAULT_SELF_MARKING[field];
}

function int(input: SelfMarkingInput, field: keyof typeof SETTING_BOUNDS, problems: Problems): number {
  const value = input[field] ?? DEFAULT_SELF_MARKING[field];
  const { min, max } = SETTING_BOUNDS[field];
  // rotateSeconds 0 is "no rotation", outside its 5-300 range but allowed.
  const zeroAllowed = field === 'rotateSeconds' && value === 0;
  if (typeof value === 'number' && Number.isInteger(value) && (zeroAllowed || (value >= min && value <= max))) return value;
  problems.push({ field, messageKey: `check_in.errors.${snake(field)}_range` });
  return DEFAULT_SELF_MARKING[field];
}

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Letters and digits of any script (a teacher may type a Latvian word); length as people count. */
function password(input: SelfMarkingInput, problems: Problems): string {
  if (typeof input.password !== 'string' || normalizeCode(input.password) === '') {
    problems.push({ field: 'password', messageKey: 'check_in.errors.password_required' });
    return '';
  }
  const value = normalizeCode(input.password);
  const length = [...value].length;
  if (length < PASSWORD_LENGTH.min) problems.push({ field: 'password', messageKey: 'check_in.errors.password_too_short' });
  else if (length > PASSWORD_LENGTH.max) problems.push({ field: 'password', messageKey: 'check_in.errors.password_too_long' });
  else if (!/^[\p{L}\p{N}]+$/u.test(value)) problems.push({ field: 'password', messageKey: 'check_in.errors.password_chars' });
  return value;
}

function statusMode(input: SelfMarkingInput, problems: Problems): StatusMode {
  const value = input.statusMode ?? DEFAULT_SELF_MARKING.statusMode;
  if (STATUS_MODES.includes(value as StatusMode)) return value as StatusMode;
  problems.push({ field: 'statusMode', messageKey: 'form.invalid_choice' });
  return DEFAULT_SELF_MARKING.statusMode;
}

/** Bad entries are reported as `allowedCidrs.<index>` so the form can mark the line. */
function cidrs(input: SelfMarkingInput, problems: Problems): string[] {
  const value = input.allowedCidrs ?? [];
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
    problems.push({ field: 'allowedCidrs', messageKey: 'check_in.errors.bad_cidr' });
    return [];
  }
  const parsed = parseCidrList(value);
  if (parsed.ok) return parsed.cidrs;
  for (const p of parsed.problems) {
    problems.push({ field: p.index < 0 ? 'allowedCidrs' : `allowedCidrs.${p.index}`, messageKey: p.messageKey });
  }
  return [];
}

/**
 * Missing fields take the defaults (the password excepted: it is always required, even while
 * self-marking is off, so switching it on never finds a meeting without one).
 */
export function validateSelfMarkingSettings(input: SelfMarkingInput): SettingsValidation {
  const problems: Problems = [];
  const settings: SelfMarkingSettings = {
    enabled: bool(input, 'enabled', problems),
    password: password(input, problems),
    showQr: bool(input, 'showQr', problems),
    rotateSeconds: int(input, 'rotateSeconds', problems),
    graceSeconds: int(input, 'graceSeconds', problems),
    opensMinutesBefore: int(input, 'opensMinutesBefore', problems),
    statusMode: statusMode(input, problems),
    lateAfterMinutes: int(input, 'lateAfterMinutes', problems),
    allowChange: bool(input, 'allowChange', problems),
    oneDevicePerStudent: bool(input, 'oneDevicePerStudent', problems),
    allowedCidrs: cidrs(input, problems),
  };
  return problems.length > 0 ? { ok: false, problems } : { ok: true, settings };
}

/** Rotation only means something when a QR is shown; otherwise the password is the code. */
export function rotationOn(settings: Pick<SelfMarkingSettings, 'showQr' | 'rotateSeconds'>): boolean {
  return settings.showQr && settings.rotateSeconds > 0;
}
