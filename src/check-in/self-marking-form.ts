/**
 * The teacher's self-marking form as posted (strings, checkboxes present or absent) turned into
 * the shape validateSelfMarkingSettings checks, and back into the strings the form shows. Pure.
 */
import type { SelfMarkingInput, SelfMarkingSettings, SettingsProblem } from './settings';

export interface SelfMarkingFormValues {
  enabled: boolean;
  password: string;
  statusMode: string;
  lateAfterMinutes: string;
  allowChange: boolean;
  opensMinutesBefore: string;
  allowedCidrs: string;
  showQr: boolean;
  rotateSeconds: string;
  graceSeconds: string;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const checked = (v: unknown): boolean => v !== undefined && v !== '' && v !== null;

export function formValuesFromBody(body: Record<string, unknown>): SelfMarkingFormValues {
  return {
    enabled: checked(body.enabled),
    password: text(body.password),
    statusMode: text(body.statusMode),
    lateAfterMinutes: text(body.lateAfterMinutes),
    allowChange: checked(body.allowChange),
    opensMinutesBefore: text(body.opensMinutesBefore),
    allowedCidrs: text(body.allowedCidrs),
    showQr: checked(body.showQr),
    rotateSeconds: text(body.rotateSeconds),
    graceSeconds: text(body.graceSeconds),
  };
}

export function formValuesFromSettings(s: SelfMarkingSettings): SelfMarkingFormValues {
  return {
    enabled: s.enabled,
    password: s.password,
    statusMode: s.statusMode,
    lateAfterMinutes: String(s.lateAfterMinutes),
    allowChange: s.allowChange,
    opensMinutesBefore: String(s.opensMinutesBefore),
    allowedCidrs: s.allowedCidrs.join('\n'),
    showQr: s.showQr,
    rotateSeconds: String(s.rotateSeconds),
    graceSeconds: String(s.graceSeconds),
  };
}

/** Whole numbers only; anything else is passed on as is so the validator reports the field. */
const int = (v: string): unknown => (/^\s*\d{1,6}\s*$/.test(v) ? Number(v) : v);

export function toSettingsInput(v: SelfMarkingFormValues, oneDevicePerStudent: boolean): SelfMarkingInput {
  return {
    enabled: v.enabled,
    password: v.password,
    statusMode: v.statusMode,
    lateAfterMinutes: int(v.lateAfterMinutes),
    allowChange: v.allowChange,
    opensMinutesBefore: int(v.opensMinutesBefore),
    allowedCidrs: v.allowedCidrs.split(/\r?\n/),
    showQr: v.showQr,
    rotateSeconds: int(v.rotateSeconds),
    graceSeconds: int(v.graceSeconds),
    oneDevicePerStudent,
  };
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
