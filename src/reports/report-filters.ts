import { DateTime } from 'luxon';
import type { FieldErrors } from '../shared/forms';
import type { ReportFilters } from './report-data.service';

/**
 * The report page's query string → what the teacher asked for (pure; given the activity's
 * time zone and `now`). Two kinds of bad input, treated differently on purpose:
 * - dates are typed by people: a bad date or "from" after "to" is a form error (the page answers
 *   400 with the form, the values kept and a message per field, and no report);
 * - view, sort, direction and "below" come from our own links and selects: an unknown value can
 *   only be a stale or edited address, so it falls back to the default and the page says which
 *   setting was reset.
 */

export const REPORT_VIEWS = ['all', 'past', 'week', 'month'] as const;
export type ReportView = (typeof REPORT_VIEWS)[number];
export const REPORT_SORTS = ['name', 'percentage'] as const;
export type ReportSort = (typeof REPORT_SORTS)[number];
export type SortDir = 'asc' | 'desc';

/** What the form shows and the links keep: the teacher's own values, as typed. */
export interface ReportQuery {
  /** '' = all students; else a group id (checked against the course by loadReport: 404). */
  group: string;
  from: string;
  to: string;
  below: boolean;
  view: ReportView;
  sort: ReportSort;
  dir: SortDir;
}

export interface ParsedReportQuery {
  query: ReportQuery;
  /** What loadReport gets: instants in the activity's zone, `to` inclusive of its whole day. */
  filters: ReportFilters;
  /** Field → i18n key. Non-empty = answer 400 with the form. */
  errors: FieldErrors;
  /** Names of settings that were not understood and fell back to the default. */
  ignored: Array<'view' | 'sort' | 'dir' | 'below'>;
}

export const DEFAULT_QUERY: ReportQuery = Object.freeze({ group: '', from: '', to: '', below: false, view: 'all', sort: 'name', dir: 'asc' });

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const MAX_ID = 100;

const one = (value: unknown): string => {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'string' ? v.trim() : '';
};

/** The local midnight that starts this calendar day in the zone, or undefined when it is no date. */
export function startOfLocalDay(date: string, zone: string): DateTime | undefined {
  if (!DATE_RE.test(date)) return undefined;
  const day = DateTime.fromISO(date, { zone });
  return day.isValid ? day.startOf('day') : undefined;
}

function choice<T extends string>(raw: string, allowed: readonly T[], fallback: T): { value: T; ok: boolean } {
  if (raw === '') return { value: fallback, ok: true };
  return (allowed as readonly string[]).includes(raw) ? { value: raw as T, ok: true } : { value: fallback, ok: false };
}

interface DateRange { from?: Date; to?: Date; errors: FieldErrors }

function parseDates(from: string, to: string, zone: string): DateRange {
  const errors: FieldErrors = {};
  const start = from === '' ? undefined : startOfLocalDay(from, zone);
  const end = to === '' ? undefined : startOfLocalDay(to, zone);
  if (from !== '' && !start) errors.from = 'reports.errors.bad_date';
  if (to !== '' && !end) errors.to = 'reports.errors.bad_date';
  if (start && end && start > end) errors.to = 'reports.errors.to_before_from';
  // "to" names a whole day: the range ends at the next local midnight (23 or 25 hours on DST days).
  return { from: start?.toJSDate(), to: end?.plus({ days: 1 }).startOf('day').toJSDate(), errors };
}

export function parseReportQuery(raw: Record<string, unknown>, zone: string, now: Date): ParsedReportQuery {
  const ignored: ParsedReportQuery['ignored'] = [];
  const pick = <T extends string>(name: 'view' | 'sort' | 'dir', allowed: readonly T[], fallback: T): T => {
    const r = choice(one(raw[name]), allowed, fallback);
    if (!r.ok) ignored.push(name);
    return r.value;
  };
  const view = pick('view', REPORT_VIEWS, 'all');
  const sort = pick('sort', REPORT_SORTS, 'name');
  const dir = pick('dir', ['asc', 'desc'] as const, 'asc');
  const belowRaw = one(raw.below);
  if (belowRaw !== '' && belowRaw !== '1') ignored.push('below');
  const groupRaw = one(raw.group);
  // An over-long id cannot be a group of ours: treat it as one (loadReport answers 404).
  const group = groupRaw === 'all' ? '' : groupRaw.slice(0, MAX_ID + 1);
  const from = one(raw.from);
  const to = one(raw.to);
  const dates = parseDates(from, to, zone);
  // "Past" = sessions that have started: one in progress is being taken, so it belongs here.
  const until = view === 'past' && (!dates.to || dates.to.getTime() > now.getTime()) ? now : dates.to;
  const filters: ReportFilters = {
    ...(dates.from ? { from: dates.from } : {}),
    ...(until ? { to: until } : {}),
    ...(group ? { groupId: group } : {}),
  };
  return { query: { group, from, to, below: belowRaw === '1', view, sort, dir }, filters, errors: dates.errors, ignored };
}

/** The query string of a report link: only non-default values, so addresses stay short. */
export function reportQueryString(q: ReportQuery, change: Partial<ReportQuery> = {}): string {
  const merged = { ...q, ...change };
  const params = new URLSearchParams();
  if (merged.group) params.set('group', merged.group);
  if (merged.from) params.set('from', merged.from);
  if (merged.to) params.set('to', merged.to);
  if (merged.below) params.set('below', '1');
  if (merged.view !== 'all') params.set('view', merged.view);
  if (merged.sort !== 'name') params.set('sort', merged.sort);
  if (merged.dir !== 'asc') params.set('dir', merged.dir);
  return params.toString();
}
