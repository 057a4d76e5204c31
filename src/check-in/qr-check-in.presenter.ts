import { formatSession } from '../courses/home.presenter';
import { formatLocale, Locale, Translate, Vars } from '../i18n/i18n';
import { activityTimezone } from '../sessions/sessions.service';
import { memberName, QrSession } from './qr-check-in.service';
import type { CheckInRefusal } from './check-in-decision';
import { refusalMessage, RefusalInfo, toCheckInView, toDoneView } from './check-in.presenter';
import type { CheckInFacts } from './check-in.service';
import type { HeldScanProblem } from './held-scan';
import { checkInWindow } from './window';
import { formatInstant } from './check-in.presenter';

/** View models of the phone's QR pages (views/check-in/qr-*.ejs). */

export interface QrPageBase { template: string; status: number; pageTitle: string }

export type MessageKind =
  | 'rate_limited' | 'unknown_session' | 'ticket_expired' | 'nothing_held' | 'open_lms' | 'scan_first' | 'scan_other_device' | 'scan_used' | 'scan_expired';
export type ScanRefusal = CheckInRefusal | 'expired' | 'wrong';

type Locals = Record<string, unknown>;
const tOf = (locals: Locals) => locals.t as Translate;
const localeOf = (locals: Locals) => locals.locale as Locale;

export function scanPath(publicId: string, rest = '', ticket?: string): string {
  const base = `/checkin/${encodeURIComponent(publicId)}${rest}`;
  return ticket ? `${base}?t=${encodeURIComponent(ticket)}` : `${base}?`;
}

const TONE: Record<MessageKind, 'info' | 'warning' | 'error'> = {
  rate_limited: 'error', unknown_session: 'error', ticket_expired: 'warning', nothing_held: 'warning', open_lms: 'info', scan_first: 'info',
  scan_other_device: 'error', scan_used: 'warning', scan_expired: 'warning',
};

export function qrMessagePage(t: Translate, status: number, kind: MessageKind, lmsHref?: string, vars?: Vars) {
  return {
    template: 'check-in/qr-message', status, pageTitle: t(`qr_check_in.messages.${kind}.title`),
    title: t(`qr_check_in.messages.${kind}.title`), body: t(`qr_check_in.messages.${kind}.body`, vars), tone: TONE[kind],
    lmsHref, lmsLabel: t('qr_check_in.open_lms_button'),
  };
}

const HELD_PROBLEM: Record<HeldScanProblem, { kind: MessageKind; status: number }> = {
  other_device: { kind: 'scan_other_device', status: 403 },
  used: { kind: 'scan_used', status: 409 },
  expired: { kind: 'scan_expired', status: 410 },
};

/** A held scan this phone cannot complete (another phone's, used, expired). */
export function qrHeldProblemPage(t: Translate, problem: HeldScanProblem) {
  return qrMessagePage(t, HELD_PROBLEM[problem].status, HELD_PROBLEM[problem].kind);
}

/** The unpaired phone holds a scan: go to the LMS before it expires (the time in the activity's zone). */
export async function qrOpenLmsPage(s: QrSession, heldUntil: Date, lmsHref: string | undefined, status: number, locals: Locals) {
  const timeZone = await activityTimezone(s.courseId, s.activityId, 'UTC');
  const time = new Intl.DateTimeFormat(formatLocale(localeOf(locals)), { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(heldUntil);
  return qrMessagePage(tOf(locals), status, 'open_lms', lmsHref, { time });
}

const REFUSAL_STATUS: Record<ScanRefusal, number> = {
  expired: 400, wrong: 400, wrong_code: 400, status_not_allowed: 400, already_marked: 409, locked_out: 403, not_open: 403, closed: 403,
  not_in_audience: 403, ip_not_allowed: 403, disabled: 403, device_used_by_other: 403,
};

/** A refusal, with or without a student behind it (a bad scan is refused before anyone is known). */
export async function qrRefusalPage(s: QrSession, facts: CheckInFacts | undefined, info: { reason: ScanRefusal } & Omit<RefusalInfo, 'reason'>, now: Date, locals: Locals) {
  const t = tOf(locals);
  const locale = localeOf(locals);
  const timezone = facts?.timezone ?? (await activityTimezone(s.courseId, s.activityId, 'UTC'));
  let message: string;
  if (info.reason === 'expired' || info.reason === 'wrong') message = t(`qr_check_in.refusals.${info.reason}`);
  else if (info.reason === 'not_open') message = t('check_in.refusals.not_open', { time: formatInstant(checkInWindow(s, s.settings?.opensMinutesBefore ?? 0, now.getTime()).opensAt, timezone, locale) });
  else if (facts) message = refusalMessage({ ...info, reason: info.reason }, facts, now, locale, t);
  else message = t(`check_in.refusals.${info.reason}`);
  const title = t('qr_check_in.refused_title');
  return { template: 'check-in/qr-message', status: REFUSAL_STATUS[info.reason], pageTitle: title, title, body: message, tone: 'error' as const, lmsHref: undefined, lmsLabel: '' };
}

/** The held scan, ready to complete: a confirm button, and the status choice in 'choose' mode. */
export async function qrFormPage(
  s: QrSession, facts: CheckInFacts, who: { userId: string; ticket?: string }, now: Date, locals: Locals, refusal: { reason: CheckInRefusal } | undefined, status: number,
) {
  const t = tOf(locals);
  const locale = localeOf(locals);
  const name = await memberName(s.courseId, who.userId);
  return {
    template: 'check-in/qr-form', status, pageTitle: t('qr_check_in.form.title'),
    name, form: toCheckInView(facts, now, locale), when: formatSession(facts.session, facts.timezone, locale),
    message: refusal ? refusalMessage(refusal, facts, now, locale, t) : undefined,
    action: `/checkin/${encodeURIComponent(s.publicId)}`, ticket: who.ticket ?? '',
  };
}

export async function qrDonePage(s: QrSession, facts: CheckInFacts, who: { userId: string; via: string; ticket?: string }, pairedWith: string | undefined, pairedFlash: string | undefined, locals: Locals) {
  const t = tOf(locals);
  const locale = localeOf(locals);
  const done = toDoneView(facts, await memberName(s.courseId, who.userId), locale);
  // Pairing needs the ticket (proof of the LMS launch on this phone) and a phone nobody else holds.
  const canPair = who.via === 'ticket' && pairedWith === undefined;
  return {
    template: 'check-in/qr-done', status: 200, pageTitle: t('check_in.done.title'), done,
    pairedHere: pairedWith === who.userId, pairedToOther: pairedWith !== undefined && pairedWith !== who.userId,
    pair: canPair ? { action: '/checkin/pair', publicId: s.publicId, ticket: who.ticket ?? '' } : undefined,
    flash: ['paired', 'already', 'taken'].includes(pairedFlash ?? '') ? { key: `qr_check_in.pair.flash_${pairedFlash}`, tone: pairedFlash === 'taken' ? 'warning' : 'info' } : undefined,
  };
}
