import { DateTime } from 'luxon';
import { DstNote, isValidTimeZone, localToUtc, parseDate, parseTime } from './local-time';

/**
 * Weekly recurrence, pure: the rule and the time zone in, the sessions' instants out.
 * Calendar arithmetic is done on plain dates (no zone, so no DST), and each date is turned
 * into an instant only at the end, which keeps a 10:00 class at 10:00 local time on both
 * sides of a daylight-saving change.
 */

export interface WeeklyRule {
  startDate: string; // 'YYYY-MM-DD', first possible day (inclusive)
  endDate: string; // 'YYYY-MM-DD', last possible day (inclusive)
  /** ISO weekdays: 1 = Monday … 7 = Sunday. */
  weekdays: number[];
  /** 1 = every week, 2 = every other week … counted from the week of startDate. */
  everyWeeks: number;
  startTime: string; // 'HH:mm' local
  durationMinutes: number;
}

export interface Occurrence {
  startsAt: Date;
  endsAt: Date;
  /** Local date and time the session really starts at (differs from the rule only in a DST gap). */
  localDate: string;
  localTime: string;
  weekday: number;
  dst?: DstNote;
}

export type RecurrenceField = 'startDate' | 'endDate' | 'weekdays' | 'everyWeeks' | 'startTime' | 'durationMinutes' | 'timezone';

export interface RecurrenceError {
  field: RecurrenceField;
  /** i18n key */
  key: string;
}

export type ExpandResult = { ok: true; occurrences: Occurrence[] } | { ok: false; error: RecurrenceError };

export const MAX_OCCURRENCES = 500;
export const MAX_SPAN_DAYS = 366;
export const MAX_EVERY_WEEKS = 52;
export const MAX_DURATION_MINUTES = 1440;

const fail = (field: RecurrenceField, name: string): ExpandResult => ({ ok: false, error: { field, key: `sessions.errors.${name}` } });

/** Everything about the rule that can be judged without walking the calendar. */
function checkRule(rule: WeeklyRule, timeZone: string): ExpandResult | undefined {
  const start = parseDate(rule.startDate);
  if (!start) return fail('startDate', 'bad_date');
  const end = parseDate(rule.endDate);
  if (!end) return fail('endDate', 'bad_date');
  if (rule.endDate < rule.startDate) return fail('endDate', 'end_before_start');
  if (rule.weekdays.length === 0) return fail('weekdays', 'no_weekday');
  if (rule.weekdays.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) return fail('weekdays', 'bad_weekday');
  if (!Number.isInteger(rule.everyWeeks) || rule.everyWeeks < 1 || rule.everyWeeks > MAX_EVERY_WEEKS) return fail('everyWeeks', 'bad_every_weeks');
  if (!parseTime(rule.startTime)) return fail('startTime', 'bad_time');
  const d = rule.durationMinutes;
  if (!Number.isInteger(d) || d < 1 || d > MAX_DURATION_MINUTES) return fail('durationMinutes', 'bad_duration');
  if (!isValidTimeZone(timeZone)) return fail('timezone', 'bad_zone');
  return undefined;
}

/** The local dates the rule hits, at most MAX_OCCURRENCES + 1 (enough to know it is too many). */
function ruleDates(rule: WeeklyRule): DateTime[] {
  const start = DateTime.fromISO(rule.startDate, { zone: 'utc' });
  const end = DateTime.fromISO(rule.endDate, { zone: 'utc' });
  const days = [...new Set(rule.weekdays)].sort((a, b) => a - b);
  const out: DateTime[] = [];
  // ISO weeks start on Monday; "every N weeks" counts whole weeks from the first one.
  for (let monday = start.startOf('week'); monday <= end; monday = monday.plus({ weeks: rule.everyWeeks })) {
    for (const weekday of days) {
      const day = monday.plus({ days: weekday - 1 });
      if (day < start || day > end) continue;
      out.push(day);
      if (out.length > MAX_OCCURRENCES) return out;
    }
  }
  return out;
}

export function expandWeekly(rule: WeeklyRule, timeZone: string): ExpandResult {
  const invalid = checkRule(rule, timeZone);
  if (invalid) return invalid;
  const dates = ruleDates(rule);
  if (dates.length > MAX_OCCURRENCES) return fail('endDate', 'too_many');
  const span = DateTime.fromISO(rule.endDate, { zone: 'utc' }).diff(DateTime.fromISO(rule.startDate, { zone: 'utc' }), 'days').days;
  if (span > MAX_SPAN_DAYS) return fail('endDate', 'span_too_long');
  if (dates.length === 0) return fail('weekdays', 'no_dates');
  const occurrences: Occurrence[] = [];
  for (const day of dates) {
    const local = localToUtc(day.toISODate() ?? '', rule.startTime, timeZone);
    if (!local.ok) return fail('timezone', 'bad_zone'); // unreachable: everything was checked above
    occurrences.push({
      startsAt: local.instant,
      endsAt: new Date(local.instant.getTime() + rule.durationMinutes * 60_000),
      localDate: local.localDate,
      localTime: local.localTime,
      weekday: day.weekday,
      dst: local.dst,
    });
  }
  return { ok: true, occurrences };
}
