import { DateTime } from 'luxon';

/**
 * The period the sessions list shows: one week (Monday to Sunday), one calendar month, or all.
 * Pure date arithmetic in the activity's time zone; `now` is given. Periods run from local
 * midnight to local midnight, so a week with a change of the clocks is 167 or 169 hours long.
 */

export type PeriodKind = 'week' | 'month' | 'all';

export type ListPeriod =
  | { kind: 'all' }
  | {
      kind: 'week' | 'month';
      /** First day of the period, local 'YYYY-MM-DD'. */
      from: string;
      /** Local midnight starting the period, and the one starting the next (exclusive end). */
      start: Date;
      end: Date;
      previous: string;
      next: string;
      /** Whether `now` falls in this period. */
      isCurrent: boolean;
    };

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** The default when the query names no period or a bad one: the whole list, as before navigation existed. */
export const DEFAULT_PERIOD: PeriodKind = 'all';

export function parsePeriodKind(value: unknown): PeriodKind {
  return value === 'week' || value === 'month' || value === 'all' ? value : DEFAULT_PERIOD;
}

/** A real calendar day as local midnight in `zone`, or undefined. */
function localDay(value: unknown, zone: string): DateTime | undefined {
  if (typeof value !== 'string' || !DATE_RE.test(value)) return undefined;
  const day = DateTime.fromISO(value, { zone });
  return day.isValid ? day.startOf('day') : undefined;
}

const dayText = (d: DateTime): string => d.toFormat('yyyy-MM-dd');

/**
 * The period of `kind` that contains `from` (any day of it; it is moved back to the Monday or
 * the 1st). A missing or invalid `from` means the period containing `now`.
 */
export function resolvePeriod(kind: PeriodKind, from: unknown, now: Date, zone: string): ListPeriod {
  if (kind === 'all') return { kind };
  const today = DateTime.fromJSDate(now, { zone });
  const anchor = localDay(from, zone) ?? today;
  const start = anchor.startOf(kind);
  const end = start.plus(kind === 'week' ? { weeks: 1 } : { months: 1 });
  const previous = start.minus(kind === 'week' ? { weeks: 1 } : { months: 1 });
  return {
    kind,
    from: dayText(start),
    start: start.toJSDate(),
    end: end.toJSDate(),
    previous: dayText(previous),
    next: dayText(end),
    isCurrent: today >= start && today < end,
  };
}

export function inPeriod(instant: Date, period: ListPeriod): boolean {
  if (period.kind === 'all') return true;
  const ms = instant.getTime();
  return ms >= period.start.getTime() && ms < period.end.getTime();
}

/**
 * Where a switch to another kind of period lands: the day today when it is inside the period
 * shown, else the first day shown (month of March → first week of March).
 */
export function switchAnchor(period: ListPeriod): string | undefined {
  if (period.kind === 'all' || period.isCurrent) return undefined;
  return period.from;
}

/** "1 – 7 Dec 2026", "30 Nov – 6 Dec 2026", "December 2026" (Intl, in the given BCP 47 locale). */
export function periodLabel(period: ListPeriod, zone: string, locale: string): string {
  if (period.kind === 'all') return '';
  if (period.kind === 'month') return DateTime.fromJSDate(period.start, { zone }).setLocale(locale).toFormat('LLLL yyyy');
  const lastDay = DateTime.fromJSDate(period.end, { zone }).minus({ days: 1 });
  // formatRange with the zone's own dates: noon avoids any midnight the zone might skip.
  const format = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric', timeZone: zone });
  const noon = (d: DateTime) => d.set({ hour: 12 }).toJSDate();
  return format.formatRange(noon(DateTime.fromJSDate(period.start, { zone })), noon(lastDay));
}
