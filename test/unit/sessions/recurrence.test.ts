import { DateTime } from 'luxon';
import { expandWeekly, Occurrence, WeeklyRule } from '../../../src/sessions/recurrence';

const RIGA = 'Europe/Riga';
const rule = (over: Partial<WeeklyRule>): WeeklyRule => ({
  startDate: '2026-09-07', endDate: '2026-09-28', weekdays: [1], everyWeeks: 1, startTime: '10:00', durationMinutes: 90, ...over,
});
const expand = (over: Partial<WeeklyRule>, zone = RIGA): Occurrence[] => {
  const r = expandWeekly(rule(over), zone);
  if (!r.ok) throw new Error(`unexpected ${r.error.key}`);
  return r.occurrences;
};
const dates = (occ: Occurrence[]) => occ.map((o) => o.localDate);
const utcHours = (occ: Occurrence[]) => occ.map((o) => o.startsAt.getUTCHours());

describe('expandWeekly across daylight-saving changes in Europe/Riga', () => {
  it('when a Monday 10:00 series spans the spring change (last Sunday of March), then it stays 10:00 local while UTC moves from 08:00 to 07:00', () => {
    const occ = expand({ startDate: '2026-03-16', endDate: '2026-04-06' });
    expect(dates(occ)).toEqual(['2026-03-16', '2026-03-23', '2026-03-30', '2026-04-06']);
    expect(occ.map((o) => o.localTime)).toEqual(['10:00', '10:00', '10:00', '10:00']);
    expect(utcHours(occ)).toEqual([8, 8, 7, 7]);
    expect(occ.every((o) => o.dst === undefined)).toBe(true);
  });

  it('when it spans the autumn change (last Sunday of October), then UTC moves from 07:00 to 08:00 and local stays 10:00', () => {
    const occ = expand({ startDate: '2026-10-19', endDate: '2026-11-02' });
    expect(dates(occ)).toEqual(['2026-10-19', '2026-10-26', '2026-11-02']);
    expect(utcHours(occ)).toEqual([7, 8, 8]);
    for (const o of occ) expect(DateTime.fromJSDate(o.startsAt, { zone: RIGA }).toFormat('HH:mm')).toBe('10:00');
  });

  it('when one series spans both changes, then every session is at 10:00 local and the end is start + duration', () => {
    const occ = expand({ startDate: '2026-03-02', endDate: '2026-11-30' });
    expect(occ).toHaveLength(40);
    expect(new Set(occ.map((o) => DateTime.fromJSDate(o.startsAt, { zone: RIGA }).toFormat('ccc HH:mm')))).toEqual(new Set(['Mon 10:00']));
    expect(new Set(utcHours(occ))).toEqual(new Set([7, 8]));
    expect(occ.every((o) => o.endsAt.getTime() - o.startsAt.getTime() === 90 * 60_000)).toBe(true);
  });

  it('when a Sunday 03:30 series hits the change nights, then the gap night moves to 04:30 and the overlap night takes the first 03:30, both noted', () => {
    const spring = expand({ startDate: '2026-03-22', endDate: '2026-04-05', weekdays: [7], startTime: '03:30' });
    expect(spring.map((o) => [o.localDate, o.localTime, o.dst])).toEqual([
      ['2026-03-22', '03:30', undefined], ['2026-03-29', '04:30', 'gap'], ['2026-04-05', '03:30', undefined],
    ]);
    const autumn = expand({ startDate: '2026-10-25', endDate: '2026-10-25', weekdays: [7], startTime: '03:30' });
    expect(autumn.map((o) => [o.startsAt.toISOString(), o.dst])).toEqual([['2026-10-25T00:30:00.000Z', 'overlap']]);
  });
});

describe('expandWeekly: which dates a rule makes', () => {
  it('when the series crosses New Year, then it continues into January (ISO week 53 of 2026 included)', () => {
    const occ = expand({ startDate: '2026-12-21', endDate: '2027-01-14', weekdays: [1, 4] });
    expect(dates(occ)).toEqual(['2026-12-21', '2026-12-24', '2026-12-28', '2026-12-31', '2027-01-04', '2027-01-07', '2027-01-11', '2027-01-14']);
    expect(utcHours(occ).every((h) => h === 8)).toBe(true);
  });

  it('when it repeats every 2 weeks, then weeks are counted from the week of the first date, even across New Year', () => {
    expect(dates(expand({ startDate: '2026-09-02', endDate: '2026-09-30', weekdays: [1, 3], everyWeeks: 2 }))).toEqual([
      '2026-09-02', '2026-09-14', '2026-09-16', '2026-09-28', '2026-09-30',
    ]);
    expect(dates(expand({ startDate: '2026-12-21', endDate: '2027-01-31', everyWeeks: 2 }))).toEqual(['2026-12-21', '2027-01-04', '2027-01-18']);
  });

  it('when several weekdays are chosen (in any order, repeated), then each week gives them in calendar order', () => {
    expect(dates(expand({ startDate: '2026-09-07', endDate: '2026-09-13', weekdays: [5, 1, 3, 3] }))).toEqual(['2026-09-07', '2026-09-09', '2026-09-11']);
  });

  it('when the end date is one of the weekdays, then it is included', () => {
    expect(dates(expand({ startDate: '2026-09-07', endDate: '2026-09-14' }))).toEqual(['2026-09-07', '2026-09-14']);
  });

  it('when the first date is not one of the weekdays, then the series starts at the next one', () => {
    expect(dates(expand({ startDate: '2026-09-08', endDate: '2026-09-21' }))).toEqual(['2026-09-14', '2026-09-21']);
  });

  it('when the span is exactly 366 days with every weekday, then all 367 days are made (within the limits)', () => {
    expect(expand({ startDate: '2027-01-01', endDate: '2028-01-02', weekdays: [1, 2, 3, 4, 5, 6, 7] })).toHaveLength(367);
  });
});

describe('expandWeekly refuses invalid rules with the field and message to show', () => {
  it.each<[string, Partial<WeeklyRule>, string, string]>([
    ['the end is before the start', { startDate: '2026-09-07', endDate: '2026-09-06' }, 'endDate', 'end_before_start'],
    ['no weekday is chosen', { weekdays: [] }, 'weekdays', 'no_weekday'],
    ['a weekday is out of range', { weekdays: [0] }, 'weekdays', 'bad_weekday'],
    ['the span is longer than 366 days', { startDate: '2026-01-01', endDate: '2027-01-03' }, 'endDate', 'span_too_long'],
    ['it would make more than 500 sessions', { startDate: '2026-01-01', endDate: '2027-12-31', weekdays: [1, 2, 3, 4, 5, 6, 7] }, 'endDate', 'too_many'],
    ['the time is not a time', { startTime: '25:00' }, 'startTime', 'bad_time'],
    ['the first date does not exist', { startDate: '2026-02-30' }, 'startDate', 'bad_date'],
    ['the end date is empty', { endDate: '' }, 'endDate', 'bad_date'],
    ['every 0 weeks', { everyWeeks: 0 }, 'everyWeeks', 'bad_every_weeks'],
    ['every 53 weeks', { everyWeeks: 53 }, 'everyWeeks', 'bad_every_weeks'],
    ['a duration of 0', { durationMinutes: 0 }, 'durationMinutes', 'bad_duration'],
    ['a duration over a day', { durationMinutes: 1441 }, 'durationMinutes', 'bad_duration'],
    ['no chosen weekday falls in the range', { startDate: '2026-09-08', endDate: '2026-09-09' }, 'weekdays', 'no_dates'],
  ])('when %s, then it is refused', (_name, over, field, key) => {
    expect(expandWeekly(rule(over), RIGA)).toEqual({ ok: false, error: { field, key: `sessions.errors.${key}` } });
  });

  it('when the time zone is unknown, then it is refused', () => {
    expect(expandWeekly(rule({}), 'Mars/Olympus_Mons')).toEqual({ ok: false, error: { field: 'timezone', key: 'sessions.errors.bad_zone' } });
  });

  it('when the end date is absurdly far away, then it is refused quickly without walking the whole calendar', () => {
    const started = Date.now();
    const r = expandWeekly(rule({ startDate: '2026-01-01', endDate: '9999-12-31', everyWeeks: 52 }), RIGA);
    expect(r.ok).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
