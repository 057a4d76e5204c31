import { DateTime } from 'luxon';
import { takeLink } from '../attendance/take-links';
import { teacherLink, teacherPath } from '../courses/teacher-nav';
import { formatLocale, Locale, Translate } from '../i18n/i18n';
import type { LaunchContext } from '../lti/launch-context';
import type { ListFilters } from './sessions.schema';
import type { StoredSession } from './sessions.service';
import { endsAt, isUpcoming } from './session-timing';

/**
 * The sessions list: which sessions a filter shows (pure, given `now`), how they are grouped
 * into weeks or months of the activity's time zone, and the rows the template prints.
 */

type Timed = Pick<StoredSession, 'startsAt' | 'durationMinutes'>;
type Filterable = Timed & Pick<StoredSession, 'audience'>;

/** Upcoming = not ended yet (session-timing.ts: the one definition the homes share). */
export { endsAt, isUpcoming };

/**
 * group: 'all' = every session; 'everyone' = sessions for all students only; a group id = that
 * group's sessions plus the ones for all students (what its members attend, as in mod_attendance).
 * Upcoming sessions run soonest first, past ones most recent first.
 */
export function filterSessions<T extends Filterable>(sessions: T[], filters: Pick<ListFilters, 'view' | 'group'>, now: Date): T[] {
  const byGroup = sessions.filter((s) => {
    if (filters.group === 'all') return true;
    if (filters.group === 'everyone') return s.audience.kind === 'all';
    return s.audience.kind === 'all' || s.audience.groupId === filters.group;
  });
  const byTime = byGroup.filter((s) => filters.view === 'all' || (filters.view === 'upcoming') === isUpcoming(s, now));
  const sorted = [...byTime].sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
  return filters.view === 'past' ? sorted.reverse() : sorted;
}

export interface Period<T> {
  /** '2026-W14' or '2026-03' */
  key: string;
  /** Local start of the week (Monday) or month. */
  start: DateTime;
  items: T[];
}

export function periodOf(instant: Date, by: 'week' | 'month', zone: string): { key: string; start: DateTime } {
  const local = DateTime.fromJSDate(instant, { zone });
  if (by === 'month') return { key: local.toFormat('yyyy-MM'), start: local.startOf('month') };
  return { key: `${local.weekYear}-W${String(local.weekNumber).padStart(2, '0')}`, start: local.startOf('week') };
}

/** Keeps the given order; one period per ISO week or calendar month of the activity's zone. */
export function groupByPeriod<T extends { startsAt: Date }>(items: T[], by: 'week' | 'month', zone: string): Period<T>[] {
  const periods = new Map<string, Period<T>>();
  for (const item of items) {
    const { key, start } = periodOf(item.startsAt, by, zone);
    const period = periods.get(key) ?? { key, start, items: [] };
    period.items.push(item);
    periods.set(key, period);
  }
  return [...periods.values()];
}

export interface Display {
  zone: string;
  locale: string;
  t: Translate;
}

export function formatDay(instant: Date, d: Display): string {
  return DateTime.fromJSDate(instant, { zone: d.zone }).setLocale(formatLocale(d.locale as Locale)).toLocaleString({ weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });
}

/**
 * "09:00–10:30". When the clocks go back (Europe/Riga: 03:00–04:00 on the last Sunday of
 * October happens twice) a wall time alone is ambiguous, and a one-hour session from the first
 * 03:30 read "03:30–03:30": then both ends carry their UTC offset ("03:30 UTC+3–03:30 UTC+2"),
 * as they do when a session spans a change of the clocks.
 */
export function formatTimeRange(s: Timed, zone: string): string {
  const start = DateTime.fromJSDate(s.startsAt, { zone });
  const end = DateTime.fromJSDate(endsAt(s), { zone });
  const ambiguous = (t: DateTime) => t.getPossibleOffsets().length > 1;
  const format = start.offset !== end.offset || ambiguous(start) || ambiguous(end) ? "HH:mm 'UTC'Z" : 'HH:mm';
  return `${start.toFormat(format)}–${end.toFormat(format)}`;
}

export function periodHeading(period: Pick<Period<unknown>, 'start'>, by: 'week' | 'month', d: Display): string {
  const start = period.start.setLocale(formatLocale(d.locale as Locale));
  if (by === 'month') return start.toFormat('LLLL yyyy');
  const short = { day: 'numeric', month: 'short' } as const;
  return d.t('sessions.list.week_heading', {
    week: start.weekNumber,
    year: start.weekYear,
    from: start.toLocaleString(short),
    to: start.plus({ days: 6 }).toLocaleString(short),
  });
}

export interface SessionRow {
  id: string;
  day: string;
  timeRange: string;
  duration: string;
  audience: string;
  description: string;
  statusSet: string;
  upcoming: boolean;
  checked: boolean;
  editHref: string;
  deleteHref: string;
  takeHref: string;
  /** Whether any student has a mark in this session. */
  taken: boolean;
  attendance: string;
  /** The session's self-marking settings page (src/check-in). */
  selfMarkingHref: string;
  selfMarkingOn: boolean;
  /**
   * The teacher's projector route, opened in a new tab while self-marking is on: it mints a
   * projector link and redirects there, so the tab never shows the ltik (src/check-in/projector.routes.ts).
   */
  projectorHref: string;
}

export interface Names {
  groups: Map<string, string>;
  statusSets: Map<string, string>;
}

export function audienceLabel(audience: StoredSession['audience'], names: Names, t: Translate): string {
  if (audience.kind === 'all') return t('sessions.audience.all');
  return names.groups.get(audience.groupId ?? '') ?? t('sessions.audience.unknown_group');
}

export function toRow(s: StoredSession, launch: LaunchContext, names: Names, d: Display, now: Date, checked: Set<string>, marked = 0, selfMarkingOn = false): SessionRow {
  return {
    id: s.id,
    day: formatDay(s.startsAt, d),
    timeRange: formatTimeRange(s, d.zone),
    duration: d.t('sessions.list.minutes', { count: s.durationMinutes }),
    audience: audienceLabel(s.audience, names, d.t),
    description: s.description,
    statusSet: names.statusSets.get(s.statusSetId) ?? '',
    upcoming: isUpcoming(s, now),
    checked: checked.has(s.id),
    editHref: teacherLink(launch, 'sessions', `/${s.id}/edit`),
    deleteHref: teacherLink(launch, 'sessions', `/${s.id}/delete`),
    takeHref: takeLink(launch, s.id),
    taken: marked > 0,
    attendance: marked > 0 ? d.t('sessions.list.marked', { count: marked }) : d.t('sessions.list.not_taken'),
    selfMarkingHref: teacherLink(launch, 'sessions', `/${s.id}/self-marking`),
    selfMarkingOn,
    projectorHref: teacherLink(launch, 'sessions', `/${s.id}/projector`),
  };
}

export interface Option {
  value: string;
  label: string;
  selected: boolean;
}

export function filterOptions(filters: ListFilters, groups: Array<{ id: string; name: string }>, t: Translate): Record<'view' | 'by' | 'group', Option[]> {
  const opt = (current: string) => (value: string, label: string): Option => ({ value, label, selected: current === value });
  const view = opt(filters.view);
  const by = opt(filters.by);
  const group = opt(filters.group);
  return {
    view: [view('upcoming', t('sessions.list.view_upcoming')), view('past', t('sessions.list.view_past')), view('all', t('sessions.list.view_all'))],
    by: [by('week', t('sessions.list.by_week')), by('month', t('sessions.list.by_month'))],
    group: [
      group('all', t('sessions.list.group_all')),
      group('everyone', t('sessions.list.group_everyone')),
      ...groups.map((g) => group(g.id, t('sessions.list.group_named', { name: g.name }))),
    ],
  };
}

/** Query string that keeps the list's filters across a redirect or a bulk action. */
export function filterQuery(filters: ListFilters): string {
  return `view=${encodeURIComponent(filters.view)}&by=${encodeURIComponent(filters.by)}&group=${encodeURIComponent(filters.group)}`;
}

export function listLinks(launch: LaunchContext) {
  return {
    filterAction: teacherPath(launch, 'sessions'),
    bulkAction: teacherPath(launch, 'sessions', '/bulk'),
    newSession: teacherLink(launch, 'sessions', '/new'),
    newSeries: teacherLink(launch, 'sessions', '/series'),
    settings: teacherLink(launch, 'settings'),
  };
}
