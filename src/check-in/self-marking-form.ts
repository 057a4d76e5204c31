/**
 * The teacher's self-marking form as posted (strings, checkboxes present or absent) turned into
 * the shape validateSelfMarkingSettings checks, and back into the strings the form shows. The
 * same form, without the password, edits an activity's defaults. Pure.
 */
import type { Translate } from '../i18n/i18n';
import { ConflictContext, ConflictView, formConflictView } from '../shared/edit-conflict.presenter';
import type { EditConflict } from '../shared/edit-conflict';
import { checkInModeOf, CHECK_IN_MODES, CheckInMode, fieldsForMode, isCheckInMode, ModeMapping, rotationSecondsShown } from './check-in-mode';
import {
  DEFAULT_SELF_MARKING, rotationOn, SelfMarkingDefaults, SelfMarkingInput, SettingsProblem, SettingsValidation, validateSelfMarkingSettings,
} from './settings';

export interface SelfMarkingFormValues {
  enabled: boolean;
  /** How students check in (check-in-mode.ts); '' when the post predates the choice. */
  mode: string;
  password: string;
  statusMode: string;
  lateAfterMinutes: string;
  allowChange: boolean;
  opensMinutesBefore: string;
  allowedCidrs: string;
  oneDevicePerStudent: boolean;
  showQr: boolean;
  rotateSeconds: string;
  graceSeconds: string;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');
/** A checkbox is on when the browser sent it at all (unchecked boxes are not posted). */
export const checked = (v: unknown): boolean => v !== undefined && v !== '' && v !== null;

export function formValuesFromBody(body: Record<string, unknown>): SelfMarkingFormValues {
  return {
    enabled: checked(body.enabled),
    mode: text(body.mode),
    password: text(body.password),
    statusMode: text(body.statusMode),
    lateAfterMinutes: text(body.lateAfterMinutes),
    allowChange: checked(body.allowChange),
    opensMinutesBefore: text(body.opensMinutesBefore),
    allowedCidrs: text(body.allowedCidrs),
    oneDevicePerStudent: checked(body.oneDevicePerStudent),
    showQr: checked(body.showQr),
    rotateSeconds: text(body.rotateSeconds),
    graceSeconds: text(body.graceSeconds),
  };
}

/** Activity defaults have no password: the form then shows an empty one (and the defaults page hides it). */
export function formValuesFromSettings(s: SelfMarkingDefaults & { password?: string }): SelfMarkingFormValues {
  return {
    enabled: s.enabled,
    mode: checkInModeOf(s),
    password: s.password ?? '',
    statusMode: s.statusMode,
    lateAfterMinutes: String(s.lateAfterMinutes),
    allowChange: s.allowChange,
    opensMinutesBefore: String(s.opensMinutesBefore),
    allowedCidrs: s.allowedCidrs.join('\n'),
    oneDevicePerStudent: s.oneDevicePerStudent,
    showQr: s.showQr,
    // "0 = no rotation" is the mode now; the input offers a usable period for switching rotation on.
    rotateSeconds: String(s.rotateSeconds > 0 ? s.rotateSeconds : DEFAULT_SELF_MARKING.rotateSeconds),
    graceSeconds: String(s.graceSeconds),
  };
}

/** Whole numbers only; anything else is passed on as is so the validator reports the field. */
const int = (v: string): unknown => (/^\s*\d{1,6}\s*$/.test(v) ? Number(v) : v);

/**
 * The QR fields the posted mode stands for. A post without a mode (older forms, scripts) is read
 * as before the choice existed: its showQr and rotateSeconds as they are.
 */
function qrFields(v: SelfMarkingFormValues): ModeMapping {
  const posted = { rotateSeconds: int(v.rotateSeconds), graceSeconds: int(v.graceSeconds) };
  if (v.mode === '') return { fields: { showQr: v.showQr, ...posted }, problems: [] };
  if (isCheckInMode(v.mode)) return fieldsForMode(v.mode, posted);
  return { fields: fieldsForMode('password', posted).fields, problems: [{ field: 'mode', messageKey: 'check_in.errors.mode_choice' }] };
}

export function toSettingsInput(v: SelfMarkingFormValues): SelfMarkingInput {
  const { showQr, rotateSeconds, graceSeconds } = qrFields(v).fields;
  return {
    enabled: v.enabled,
    password: v.password,
    statusMode: v.statusMode,
    lateAfterMinutes: int(v.lateAfterMinutes),
    allowChange: v.allowChange,
    opensMinutesBefore: int(v.opensMinutesBefore),
    allowedCidrs: v.allowedCidrs.split(/\r?\n/),
    showQr,
    rotateSeconds,
    graceSeconds,
    oneDevicePerStudent: v.oneDevicePerStudent,
  };
}

export type DefaultsValidation = { ok: true; defaults: SelfMarkingDefaults } | { ok: false; problems: SettingsProblem[] };

/**
 * Defaults are checked by the very rules a session's settings are (one validator, no drift). They
 * carry no password, so a valid stand-in fills that slot and is dropped again; the per-session
 * password rules stay as strict as they are.
 */
const STAND_IN_PASSWORD = 'ACDEFGH';

export function validateDefaults(input: SelfMarkingInput): DefaultsValidation {
  const result = validateSelfMarkingSettings({ ...input, password: STAND_IN_PASSWORD });
  if (!result.ok) return { ok: false, problems: result.problems.filter((p) => p.field !== 'password') };
  const { password: _standIn, ...defaults } = result.settings;
  return { ok: true, defaults };
}

/** A session's form: the mode's problems and the settings' rules, all at once. */
export function validateSessionForm(v: SelfMarkingFormValues): SettingsValidation {
  const modeProblems = qrFields(v).problems;
  const result = validateSelfMarkingSettings(toSettingsInput(v));
  const problems = [...modeProblems, ...(result.ok ? [] : result.problems)];
  return result.ok && problems.length === 0 ? result : { ok: false, problems };
}

/** The defaults form: as validateSessionForm, without the password. */
export function validateDefaultsForm(v: SelfMarkingFormValues): DefaultsValidation {
  const modeProblems = qrFields(v).problems;
  const result = validateDefaults(toSettingsInput(v));
  const problems = [...modeProblems, ...(result.ok ? [] : result.problems)];
  return result.ok && problems.length === 0 ? result : { ok: false, problems };
}

/** The mode a form shows as chosen: as posted, or read from an old post's fields; none for an unknown one. */
export function shownMode(v: SelfMarkingFormValues): CheckInMode | '' {
  if (isCheckInMode(v.mode)) return v.mode;
  if (v.mode !== '') return '';
  const rotateSeconds = int(v.rotateSeconds);
  return checkInModeOf({ showQr: v.showQr, rotateSeconds: typeof rotateSeconds === 'number' ? rotateSeconds : 0 });
}

export interface CheckInModeChoice {
  value: CheckInMode;
  label: string;
  /** What students will have to enter. */
  help: string;
  checked: boolean;
}

/** The radio group "How students check in", each option with its sentence for students. */
export function checkInModeChoices(v: SelfMarkingFormValues, t: Translate): CheckInModeChoice[] {
  const chosen = shownMode(v);
  const seconds = rotationSecondsShown(int(v.rotateSeconds));
  return CHECK_IN_MODES.map((value) => ({
    value,
    label: t(`check_in.settings.how.${value}`),
    help: t(`check_in.settings.how.${value}_help`, { seconds }),
    checked: chosen === value,
  }));
}

/** { field: messageKey } for the form; `allowedCidrs.<i>` problems name the offending lines. */
export function settingsErrors(problems: SettingsProblem[], cidrLines: string[]): { errors: Record<string, string>; badLines: string[] } {
  const errors: Record<string, string> = {};
  const badLines: string[] = [];
  for (const p of problems) {
    const [field = '', index] = p.field.split('.');
    if (!(field in errors)) errors[field] = p.messageKey;
    if (field === 'allowedCidrs' && index !== undefined) badLines.push(`${Number(index) + 1}: ${(cidrLines[Number(index)] ?? '').trim()}`);
  }
  return { errors, badLines };
}

/** The activity Settings page's short account of the defaults, one row per setting. */
export function defaultsSummary(d: SelfMarkingDefaults, t: Translate): Array<{ label: string; value: string }> {
  const qr = !d.showQr ? t('check_in.defaults.summary.qr_off')
    : rotationOn(d) ? t('check_in.defaults.summary.qr_rotating', { seconds: d.rotateSeconds }) : t('check_in.defaults.summary.qr_static');
  return [
    { label: t('check_in.defaults.summary.enabled'), value: d.enabled ? t('check_in.defaults.summary.on') : t('check_in.defaults.summary.off') },
    { label: t('check_in.defaults.summary.qr'), value: qr },
    {
      label: t('check_in.defaults.summary.status'),
      value: d.statusMode === 'choose' ? t('check_in.defaults.summary.status_choose') : t('check_in.defaults.summary.status_auto', { minutes: d.lateAfterMinutes }),
    },
    { label: t('check_in.defaults.summary.opens'), value: t('check_in.defaults.summary.opens_value', { minutes: d.opensMinutesBefore }) },
    { label: t('check_in.settings.one_device'), value: d.oneDevicePerStudent ? t('common.yes') : t('common.no') },
    { label: t('check_in.defaults.summary.networks'), value: d.allowedCidrs.length > 0 ? d.allowedCidrs.join(', ') : t('check_in.defaults.summary.networks_any') },
  ];
}

export const SELF_MARKING_FORM_ID = 'self-marking-form';

/** The rows of a conflict page, in the form's order, with the form's own labels (check_in.settings.<label>). */
const CONFLICT_FIELDS = [
  ['enabled', 'enabled'], ['password', 'password'], ['statusMode', 'status_mode'], ['lateAfterMinutes', 'late_after'], ['allowChange', 'allow_change'],
  ['opensMinutesBefore', 'opens_before'], ['allowedCidrs', 'cidrs'], ['oneDevicePerStudent', 'one_device'], ['mode', 'how.legend'],
  ['rotateSeconds', 'rotate'], ['graceSeconds', 'grace'],
] as const;

function shownValue(key: keyof SelfMarkingFormValues, value: string | boolean, t: Translate): string {
  if (typeof value === 'boolean') return value ? t('common.yes') : t('common.no');
  if (key === 'statusMode') return value === 'choose' ? t('check_in.settings.mode_choose') : t('check_in.settings.mode_auto');
  if (key === 'mode') return isCheckInMode(value) ? t(`check_in.settings.how.${value}`) : '';
  if (key === 'allowedCidrs') return value.split(/\r?\n/).map((line) => line.trim()).filter(Boolean).join(', ');
  return value.trim();
}

/**
 * A stale save of a session's settings or of the defaults: the stored settings beside the posted
 * form. The defaults have no password, so `withPassword` is false there.
 */
export function selfMarkingConflictView(
  conflict: EditConflict<SelfMarkingDefaults & { password?: string }>,
  mine: SelfMarkingFormValues,
  withPassword: boolean,
  theirsHref: string,
  ctx: ConflictContext,
): ConflictView {
  return formConflictView(conflict, {
    fields: CONFLICT_FIELDS.filter(([key]) => withPassword || key !== 'password').map(([key, label]) => [key, `check_in.settings.${label}`] as const),
    theirs: formValuesFromSettings(conflict.current),
    // An old post without a mode is shown with the mode its fields mean.
    mine: { ...mine, mode: shownMode(mine) },
    show: (key, value) => shownValue(key, value, ctx.t),
    links: { theirsHref, formId: SELF_MARKING_FORM_ID },
  }, ctx);
}
