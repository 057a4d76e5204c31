import { formatSession } from '../courses/home.presenter';
import { formatLocale, Locale, Translate } from '../i18n/i18n';
import type { CheckInRefusal } from './check-in-decision';
import type { CheckInFacts, StatusOption } from './check-in.service';
import { allowedStatuses } from './status-choice';
import { rotationOn } from './settings';
import { checkInWindow } from './window';

/** View models of the student's check-in pages. */

export function formatInstant(at: Date, timeZone: string, locale: Locale): string {
  return new Intl.DateTimeFormat(formatLocale(locale), { timeZone, day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(at);
}

const describe = (statuses: StatusOption[], id: string) => {
  const s = statuses.find((x) => x.id === id);
  return s ? `${s.acronym} · ${s.description}` : id;
};

export interface RefusalInfo { reason: CheckInRefusal; attemptsLeft?: number; retryAt?: Date }

/**
 * A rotating QR's code is not a password, so it is not called one. The guess that used up the
 * last attempt says when the student may try again, never "0 attempts left".
 */
function wrongCodeMessage(info: RefusalInfo, facts: CheckInFacts, at: (d: Date) => string, t: Translate): string {
  const rotating = facts.settings !== undefined && rotationOn(facts.settings);
  const left = info.attemptsLeft ?? 0;
  if (left > 0) return rotating ? t('check_in.refusals.wrong_rotating_code', { count: left }) : t('check_in.refusals.wrong_code', { count: left });
  const time = info.retryAt ? at(info.retryAt) : '';
  return rotating ? t('check_in.refusals.wrong_rotating_code_locked', { time }) : t('check_in.refusals.wrong_code_locked', { time });
}

export function refusalMessage(info: RefusalInfo, facts: CheckInFacts, now: Date, locale: Locale, t: Translate): string {
  const at = (d: Date) => formatInstant(d, facts.timezone, locale);
  switch (info.reason) {
    case 'wrong_code': return wrongCodeMessage(info, facts, at, t);
    case 'locked_out': return t('check_in.refusals.locked_out', { time: info.retryAt ? at(info.retryAt) : '' });
    case 'already_marked': return t('check_in.refusals.already_marked', { status: facts.existing ? describe(facts.statuses, facts.existing.statusId) : '' });
    case 'not_open': {
      const w = checkInWindow(facts.session, facts.settings?.opensMinutesBefore ?? 0, now.getTime());
      return t('check_in.refusals.not_open', { time: at(w.opensAt) });
    }
    default: return t(`check_in.refusals.${info.reason}`);
  }
}

export const REFUSAL_STATUS: Record<CheckInRefusal, number> = {
  wrong_code: 400, status_not_allowed: 400, already_marked: 409, locked_out: 403, not_open: 403, closed: 403,
  not_in_audience: 403, ip_not_allowed: 403, disabled: 403, device_used_by_other: 403,
};

export function toCheckInView(facts: CheckInFacts, now: Date, locale: Locale, chosen?: string) {
  const settings = facts.settings;
  const choose = settings?.statusMode === 'choose';
  return {
    when: formatSession(facts.session, facts.timezone, locale),
    codeLabelKey: settings && rotationOn(settings) ? 'check_in.form.current_code' : 'check_in.form.password',
    choose,
    statuses: choose ? allowedStatuses(facts.statuses, facts.session.startsAt, now.getTime()).map((s) => ({ id: s.id, label: describe(facts.statuses, s.id), checked: s.id === chosen })) : [],
  };
}

export function toDoneView(facts: CheckInFacts, userName: string, locale: Locale) {
  const existing = facts.existing;
  return {
    name: userName,
    when: formatSession(facts.session, facts.timezone, locale),
    status: existing ? describe(facts.statuses, existing.statusId) : '',
    recordedAt: existing?.selfRecordedAt ? formatInstant(existing.selfRecordedAt, facts.timezone, locale) : '',
  };
}
