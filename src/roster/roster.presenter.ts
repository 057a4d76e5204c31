import { DateTime } from 'luxon';
import { formatLocale, Locale, Translate } from '../i18n/i18n';
import { DEFAULT_TEACHING_ASSISTANT_POLICY, roleFacts, type TeachingAssistantPolicy } from '../lti/roles';
import type { RosterData, RosterRow, RosterSyncState } from './roster.service';
import { toSyncFailureReason } from './sync-reasons';
import { memberRoleLabel } from './teaching-assistants.presenter';

export interface RosterRowView {
  name: string;
  email: string;
  username: string;
  roleLabel: string;
  active: boolean;
  statusLabel: string;
  /** Why someone is inactive (LMS said so / no longer in the LMS course); empty when active. */
  statusNote: string;
  lastOpened: string;
}

export interface RosterNotice {
  /** alert--info / alert--warning / alert--error */
  tone: 'info' | 'warning' | 'error';
  text: string;
  hint?: string;
}

export interface RosterFlash {
  tone: 'success' | 'error' | 'info';
  role: 'status' | 'alert';
  text: string;
}

export interface RosterView {
  counts: Array<{ label: string; value: number }>;
  notice: RosterNotice;
  flash?: RosterFlash;
  canRefresh: boolean;
  rows: RosterRowView[];
}

export interface RosterViewOptions {
  locale: Locale;
  t: Translate;
  now: Date;
  /** `?refreshed=` after the Refresh roster POST: show the outcome of that refresh. */
  refreshed: boolean;
  /** The activity's teaching-assistant setting: what the TAs on the list may do here. */
  teachingAssistants?: TeachingAssistantPolicy;
}

export function formatDateTime(date: Date, timezone: string, locale: Locale): string {
  return DateTime.fromJSDate(date, { zone: timezone }).setLocale(formatLocale(locale)).toLocaleString(DateTime.DATETIME_MED);
}

export function formatRelative(date: Date, now: Date, locale: Locale, t: Translate): string {
  if (Math.abs(now.getTime() - date.getTime()) < 60_000) return t('roster.just_now');
  return DateTime.fromJSDate(date).toRelative({ base: DateTime.fromJSDate(now), locale: formatLocale(locale) }) ?? '';
}

/** "Family, Given" as in a class list; falls back to the full name, then the LMS user id. */
function displayName(m: RosterRow): string {
  if (m.familyName && m.givenName) return `${m.familyName}, ${m.givenName}`;
  return m.name || m.familyName || m.givenName || m.userId;
}

/** Sorted by family name with the locale's collation (Latvian: Č after C, Š after S). */
export function sortRoster(members: readonly RosterRow[], locale: Locale): RosterRow[] {
  const collator = new Intl.Collator(locale, { sensitivity: 'base', numeric: true });
  const key = (m: RosterRow): string[] => [m.familyName || m.name || m.userId, m.givenName, m.name, m.userId];
  return [...members].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) {
      const c = collator.compare(ka[i] ?? '', kb[i] ?? '');
      if (c !== 0) return c;
    }
    return 0;
  });
}

function toRow(m: RosterRow, timezone: string, o: RosterViewOptions): RosterRowView {
  const { t } = o;
  return {
    name: displayName(m),
    email: m.email ?? '',
    username: m.username ?? '',
    roleLabel: memberRoleLabel(m, o.teachingAssistants ?? DEFAULT_TEACHING_ASSISTANT_POLICY, t),
    active: m.active,
    statusLabel: m.active ? t('roster.status.active') : t('roster.status.inactive'),
    statusNote: m.active ? '' : t(`roster.status_note.${m.rosterStatus && m.rosterStatus !== 'active' ? m.rosterStatus : 'unknown'}`),
    lastOpened: m.lastLaunchAt ? formatDateTime(m.lastLaunchAt, timezone, o.locale) : t('roster.never'),
  };
}

function reasonText(sync: RosterSyncState, t: Translate): string {
  return t(`roster.reasons.${toSyncFailureReason(sync.reason)}`, { status: sync.httpStatus ?? '—' });
}

export function toNotice(data: RosterData, o: RosterViewOptions): RosterNotice {
  const { t } = o;
  const { sync } = data;
  if (!data.nrpsAvailable) return { tone: 'info', text: t('roster.sync.unavailable'), hint: t('roster.sync.unavailable_hint') };
  const when = (d: Date) => ({ time: formatDateTime(d, data.timezone, o.locale), relative: formatRelative(d, o.now, o.locale, t) });
  if (sync?.status === 'failed') {
    const reason = reasonText(sync, t);
    return sync.lastSuccessAt
      ? { tone: 'error', text: t('roster.sync.failed', { reason, ...when(sync.lastSuccessAt) }) }
      : { tone: 'error', text: t('roster.sync.failed_never', { reason }) };
  }
  if (sync?.status === 'ok') return { tone: 'info', text: t('roster.sync.ok', when(sync.at)) };
  if (sync?.lastSuccessAt) return { tone: 'info', text: t('roster.sync.ok', when(sync.lastSuccessAt)) };
  return { tone: 'warning', text: t('roster.sync.never') };
}

function toFlash(data: RosterData, o: RosterViewOptions): RosterFlash | undefined {
  const { sync } = data;
  if (!o.refreshed || !sync) return undefined;
  if (sync.status === 'ok') return { tone: 'success', role: 'status', text: o.t('roster.flash.ok', { ...sync.counts }) };
  if (sync.status === 'failed') return { tone: 'error', role: 'alert', text: o.t('roster.flash.failed', { reason: reasonText(sync, o.t) }) };
  return { tone: 'info', role: 'status', text: o.t('roster.flash.unavailable') };
}

function toCounts(members: readonly RosterRow[], t: Translate): RosterView['counts'] {
  const students = members.filter((m) => m.role === 'student');
  const active = students.filter((m) => m.active).length;
  // Students who also hold a TA role (Open edX forum moderators) count as students.
  const staff = members.filter((m) => m.role === 'teacher' && m.active);
  const assistants = staff.filter((m) => roleFacts(m.ltiRoles).teachingAssistant).length;
  const counts = [
    { label: t('roster.counts.students_active'), value: active },
    { label: t('roster.counts.students_inactive'), value: students.length - active },
    { label: t('roster.counts.teachers'), value: staff.length - assistants },
  ];
  if (assistants > 0) counts.push({ label: t('roster.counts.teaching_assistants'), value: assistants });
  const others = members.filter((m) => m.role === 'limited' && m.active).length;
  if (others > 0) counts.push({ label: t('roster.counts.others'), value: others });
  return counts;
}

export function toRosterView(data: RosterData, o: RosterViewOptions): RosterView {
  return {
    counts: toCounts(data.members, o.t),
    notice: toNotice(data, o),
    flash: toFlash(data, o),
    canRefresh: data.nrpsAvailable,
    rows: sortRoster(data.members, o.locale).map((m) => toRow(m, data.timezone, o)),
  };
}
