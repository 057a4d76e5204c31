import { inPeriod, ListPeriod, parsePeriodKind, periodLabel, resolvePeriod, switchAnchor } from '../../../src/sessions/list-period';

const RIGA = 'Europe/Riga';
const now = new Date('2026-12-03T10:00:00Z'); // Thursday 3 December 2026, 12:00 in Riga
const HOUR = 3_600_000;

function bounded(p: ListPeriod) {
  if (p.kind === 'all') throw new Error('expected a week or a month');
  return p;
}

describe('which week or month the sessions list shows', () => {
  it('when no from is given, then the week is the one around today, Monday to Sunday in the activity\'s zone', () => {
    const week = bounded(resolvePeriod('week', undefined, now, RIGA));
    expect(week).toMatchObject({ from: '2026-11-30', previous: '2026-11-23', next: '2026-12-07', isCurrent: true });
    expect(week.start.toISOString()).toBe('2026-11-29T22:00:00.000Z'); // Monday 00:00 EET
    expect(week.end.toISOString()).toBe('2026-12-06T22:00:00.000Z');
  });

  it('when from is a Wednesday, then the week starts on its Monday and is not the current one', () => {
    expect(bounded(resolvePeriod('week', '2027-01-13', now, RIGA))).toMatchObject({ from: '2027-01-11', previous: '2027-01-04', next: '2027-01-18', isCurrent: false });
  });

  it('when Sunday 23:30 UTC is already Monday in Riga, then today\'s week is the Riga one', () => {
    const sundayNightUtc = new Date('2026-12-06T23:30:00Z'); // Monday 7 Dec 01:30 in Riga
    expect(bounded(resolvePeriod('week', undefined, sundayNightUtc, RIGA)).from).toBe('2026-12-07');
    expect(bounded(resolvePeriod('week', undefined, sundayNightUtc, 'UTC')).from).toBe('2026-11-30');
  });

  it('when the week holds the last Sunday of October (clocks go back), then it runs 169 hours from Monday midnight EEST to Monday midnight EET', () => {
    const week = bounded(resolvePeriod('week', '2026-10-25', now, RIGA));
    expect(week.from).toBe('2026-10-19');
    expect(week.start.toISOString()).toBe('2026-10-18T21:00:00.000Z');
    expect(week.end.toISOString()).toBe('2026-10-25T22:00:00.000Z');
    expect((week.end.getTime() - week.start.getTime()) / HOUR).toBe(169);
    expect(week.next).toBe('2026-10-26');
    expect(inPeriod(new Date('2026-10-25T21:30:00Z'), week)).toBe(true); // Sunday 23:30 EET
    expect(inPeriod(new Date('2026-10-25T22:30:00Z'), week)).toBe(false); // Monday 00:30 EET
    expect(inPeriod(new Date('2026-10-18T21:30:00Z'), week)).toBe(true); // Monday 00:30 EEST
  });

  it('when stepping back from the week after the change, then the previous week is that DST week, not a day off', () => {
    const after = bounded(resolvePeriod('week', '2026-10-26', now, RIGA));
    expect(after.previous).toBe('2026-10-19');
    expect(after.start.toISOString()).toBe('2026-10-25T22:00:00.000Z');
  });

  it('when the week holds the last Sunday of March (clocks go forward), then it runs 167 hours', () => {
    const week = bounded(resolvePeriod('week', '2027-03-28', now, RIGA));
    expect(week.from).toBe('2027-03-22');
    expect((week.end.getTime() - week.start.getTime()) / HOUR).toBe(167);
  });

  it('when the period is a month, then it runs from the 1st to the 1st of the next, with the year changing in December', () => {
    const month = bounded(resolvePeriod('month', '2026-12-17', now, RIGA));
    expect(month).toMatchObject({ from: '2026-12-01', previous: '2026-11-01', next: '2027-01-01', isCurrent: true });
    expect(month.start.toISOString()).toBe('2026-11-30T22:00:00.000Z');
    expect(month.end.toISOString()).toBe('2026-12-31T22:00:00.000Z');
    expect(bounded(resolvePeriod('month', '2027-01-01', now, RIGA))).toMatchObject({ previous: '2026-12-01', isCurrent: false });
  });

  it.each([['not a date', 'next week'], ['an impossible day', '2026-02-30'], ['an array', ['2026-12-01']], ['a number', 20261201], ['empty', '']])(
    'when from is %s, then the period around today is shown',
    (_what, from) => {
      expect(bounded(resolvePeriod('week', from, now, RIGA)).from).toBe('2026-11-30');
    },
  );

  it('when the period name is unknown or missing, then the list falls back to all sessions', () => {
    expect(parsePeriodKind('year')).toBe('all');
    expect(parsePeriodKind(undefined)).toBe('all');
    expect(parsePeriodKind(['week'])).toBe('all');
    expect(parsePeriodKind('month')).toBe('month');
    expect(resolvePeriod('all', '2026-12-01', now, RIGA)).toEqual({ kind: 'all' });
    expect(inPeriod(new Date(0), { kind: 'all' })).toBe(true);
  });

  it('when switching from another month to weeks, then the first week shown is that month\'s; from the current one, today\'s', () => {
    expect(switchAnchor(resolvePeriod('month', '2027-03-10', now, RIGA))).toBe('2027-03-01');
    expect(switchAnchor(resolvePeriod('month', undefined, now, RIGA))).toBeUndefined();
    expect(switchAnchor({ kind: 'all' })).toBeUndefined();
  });
});

describe('the period\'s label', () => {
  const compact = (s: string) => s.replace(/\s+/g, ' ');
  it('when a week lies in one month, then the label is "1 – 7 Dec"-like with the year once', () => {
    expect(compact(periodLabel(resolvePeriod('week', '2027-12-06', now, RIGA), RIGA, 'en-GB'))).toBe('6 – 12 Dec 2027');
  });

  it('when a week spans two months or two years, then both ends are named', () => {
    expect(compact(periodLabel(resolvePeriod('week', '2026-12-01', now, RIGA), RIGA, 'en-GB'))).toBe('30 Nov – 6 Dec 2026');
    expect(compact(periodLabel(resolvePeriod('week', '2026-12-30', now, RIGA), RIGA, 'en-GB'))).toBe('28 Dec 2026 – 3 Jan 2027');
  });

  it('when the period is a month, then the label is the month and the year, in English or Latvian', () => {
    expect(periodLabel(resolvePeriod('month', '2026-12-09', now, RIGA), RIGA, 'en-GB')).toBe('December 2026');
    expect(periodLabel(resolvePeriod('month', '2026-12-09', now, RIGA), RIGA, 'lv-LV')).toMatch(/^decembris 2026$/i);
  });

  it('when the week is the DST week in Riga, then the label still ends on the Sunday', () => {
    expect(compact(periodLabel(resolvePeriod('week', '2026-10-21', now, RIGA), RIGA, 'en-GB'))).toBe('19 – 25 Oct 2026');
  });
});
