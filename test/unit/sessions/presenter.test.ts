import { translator } from '../../../src/i18n/i18n';
import { filterSessions, groupByPeriod, isUpcoming, periodHeading, periodOf } from '../../../src/sessions/sessions.presenter';

const RIGA = 'Europe/Riga';
type S = { id: string; startsAt: Date; durationMinutes: number; audience: { kind: 'all' | 'group'; groupId?: string } };
const s = (id: string, iso: string, durationMinutes = 90, audience: S['audience'] = { kind: 'all' }): S => ({ id, startsAt: new Date(iso), durationMinutes, audience });
const ids = (list: S[]) => list.map((x) => x.id);

describe('grouping by week and month happens in the activity\'s time zone', () => {
  it('when a session is Sunday 21:30 UTC but Monday 00:30 in Riga, then it belongs to the Riga week that starts that Monday', () => {
    expect(periodOf(new Date('2026-03-29T21:30:00Z'), 'week', RIGA).key).toBe('2026-W14');
    expect(periodOf(new Date('2026-03-29T21:30:00Z'), 'week', 'UTC').key).toBe('2026-W13');
  });

  it('when a session is 31 March 22:30 UTC (1 April in Riga), then it belongs to April', () => {
    expect(periodOf(new Date('2026-03-31T22:30:00Z'), 'month', RIGA).key).toBe('2026-04');
    expect(periodOf(new Date('2026-03-31T22:30:00Z'), 'month', 'UTC').key).toBe('2026-03');
  });

  it('when New Year falls mid-week, then 1 January 2027 is in ISO week 53 of 2026', () => {
    expect(periodOf(new Date('2027-01-01T08:00:00Z'), 'week', RIGA).key).toBe('2026-W53');
    expect(periodOf(new Date('2027-01-01T08:00:00Z'), 'month', RIGA).key).toBe('2027-01');
  });

  it('when sessions are grouped, then periods keep the given order and collect their sessions', () => {
    const list = [
      s('sun', '2026-03-29T08:00:00Z'), // Sunday, week 13
      s('mon-early', '2026-03-29T21:30:00Z'), // Monday 00:30 Riga, week 14
      s('wed', '2026-04-01T07:00:00Z'), // week 14, April
    ];
    expect(groupByPeriod(list, 'week', RIGA).map((p) => [p.key, ids(p.items)])).toEqual([
      ['2026-W13', ['sun']],
      ['2026-W14', ['mon-early', 'wed']],
    ]);
    expect(groupByPeriod(list, 'month', RIGA).map((p) => [p.key, ids(p.items)])).toEqual([
      ['2026-03', ['sun', 'mon-early']],
      ['2026-04', ['wed']],
    ]);
  });

  it('when a heading is shown, then it names the ISO week with its local Monday–Sunday, or the month, in the UI language', () => {
    const week = groupByPeriod([s('a', '2026-03-31T07:00:00Z')], 'week', RIGA)[0]!;
    expect(periodHeading(week, 'week', { zone: RIGA, locale: 'en', t: translator('en') })).toBe('Week 14, 2026 · 30 Mar – 5 Apr');
    const month = groupByPeriod([s('a', '2026-03-31T07:00:00Z')], 'month', RIGA)[0]!;
    expect(periodHeading(month, 'month', { zone: RIGA, locale: 'en', t: translator('en') })).toBe('March 2026');
    expect(periodHeading(month, 'month', { zone: RIGA, locale: 'lv', t: translator('lv') })).toBe('marts 2026');
  });
});

describe('upcoming and past are split by the given now', () => {
  const now = new Date('2026-04-01T10:00:00Z');
  const list = [
    s('long-ago', '2026-03-01T08:00:00Z'),
    s('ended', '2026-04-01T08:00:00Z', 60), // 08:00–09:00 UTC: over
    s('running', '2026-04-01T09:30:00Z', 90), // until 11:00 UTC: still on
    s('later', '2026-04-02T08:00:00Z'),
    s('group-a', '2026-04-03T08:00:00Z', 90, { kind: 'group', groupId: 'A' }),
    s('group-b', '2026-04-04T08:00:00Z', 90, { kind: 'group', groupId: 'B' }),
  ];

  it('when a session has not ended yet, then it is upcoming (attendance is still being taken)', () => {
    expect(isUpcoming(list[2]!, now)).toBe(true);
    expect(isUpcoming(list[1]!, now)).toBe(false);
    expect(isUpcoming(s('ends-now', '2026-04-01T09:00:00Z', 60), now)).toBe(false);
  });

  it.each<[string, 'all' | 'upcoming' | 'past', string, string[]]>([
    ['upcoming, soonest first', 'upcoming', 'all', ['running', 'later', 'group-a', 'group-b']],
    ['past, most recent first', 'past', 'all', ['ended', 'long-ago']],
    ['all, in time order', 'all', 'all', ['long-ago', 'ended', 'running', 'later', 'group-a', 'group-b']],
    ['sessions for all students only', 'all', 'everyone', ['long-ago', 'ended', 'running', 'later']],
    ['group A (with the sessions for everyone)', 'upcoming', 'A', ['running', 'later', 'group-a']],
  ])('when the filter is %s, then those sessions are shown', (_name, view, group, expected) => {
    expect(ids(filterSessions([...list].reverse(), { view, group }, now))).toEqual(expected);
  });
});
