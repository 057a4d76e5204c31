import { AUTO_MARK_ACTOR } from './auto-mark';
import { DateTime } from 'luxon';
import { teacherNav, TeacherNav } from '../courses/teacher-nav';
import { formatLocale, Translate } from '../i18n/i18n';
import type { LaunchContext } from '../lti/launch-context';
import { formatDay, formatTimeRange } from '../sessions/sessions.presenter';
import type { HistoryData, HistoryEntry, PersonName } from './history.service';
import { historyLink, takeLink } from './take-links';

/** Shapes the change-history page (the audit trail of a session or of one student in it). */

export interface HistoryRow {
  when: string;
  /** ISO instant for <time datetime>. */
  iso: string;
  actor: string;
  student: string;
  studentHref: string;
  statusFrom: string;
  statusTo: string;
  statusChanged: boolean;
  remarkFrom: string;
  remarkTo: string;
  remarkChanged: boolean;
  source: string;
}

export interface HistoryView {
  pageTitle: string;
  heading: string;
  nav: TeacherNav;
  sessionWhen: string;
  backHref: string;
  allHref?: string;
  oneStudent: boolean;
  rows: HistoryRow[];
  truncated: boolean;
}

const personName = (p: PersonName | undefined, fallback: string): string =>
  p?.name || [p?.givenName, p?.familyName].filter(Boolean).join(' ') || fallback;

function acronym(data: HistoryData, statusId: string | null, t: Translate): string {
  if (statusId === null) return t('attendance.history.unmarked');
  return data.statuses.get(statusId)?.acronym ?? t('attendance.status_unknown');
}

function toRow(e: HistoryEntry, data: HistoryData, launch: LaunchContext, t: Translate): HistoryRow {
  const at = DateTime.fromJSDate(e.at, { zone: data.timezone }).setLocale(formatLocale(launch.locale));
  return {
    when: at.toLocaleString(DateTime.DATETIME_MED_WITH_SECONDS),
    iso: e.at.toISOString(),
    actor: e.actorId === AUTO_MARK_ACTOR ? t('auto_mark.actor') : personName(data.people.get(e.actorId), e.actorId),
    student: personName(data.people.get(e.userId), e.userId),
    studentHref: historyLink(launch, data.session.id, e.userId),
    statusFrom: acronym(data, e.from.statusId, t),
    statusTo: acronym(data, e.to.statusId, t),
    statusChanged: e.from.statusId !== e.to.statusId,
    remarkFrom: e.from.remark,
    remarkTo: e.to.remark,
    remarkChanged: e.from.remark !== e.to.remark,
    source: t(`attendance.source.${e.source}`),
  };
}

export function toHistoryView(data: HistoryData, launch: LaunchContext, t: Translate): HistoryView {
  const display = { zone: data.timezone, locale: launch.locale, t };
  const sessionWhen = `${formatDay(data.session.startsAt, display)}, ${formatTimeRange(data.session, data.timezone)}`;
  const oneStudent = data.userId !== undefined;
  const student = oneStudent ? personName(data.people.get(data.userId ?? ''), data.userId ?? '') : '';
  const heading = oneStudent ? t('attendance.history.title_student', { name: student }) : t('attendance.history.title_session');
  return {
    pageTitle: heading,
    heading,
    nav: teacherNav(launch, 'sessions'),
    sessionWhen,
    backHref: takeLink(launch, data.session.id),
    allHref: oneStudent ? historyLink(launch, data.session.id) : undefined,
    oneStudent,
    rows: data.entries.map((e) => toRow(e, data, launch, t)),
    truncated: data.truncated,
  };
}
