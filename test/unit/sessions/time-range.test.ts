/**
 * Issue #14 item 4d: in Europe/Riga 03:00–04:00 on the last Sunday of October happens twice, and
 * the series preview showed a one-hour session from the first 03:30 as "03:30–03:30".
 */
import { translator } from '../../../src/i18n/i18n';
import type { LaunchContext } from '../../../src/lti/launch-context';
import { expandWeekly } from '../../../src/sessions/recurrence';
import { toSeriesFormPage } from '../../../src/sessions/session-pages.presenter';
import { formatTimeRange } from '../../../src/sessions/sessions.presenter';

const RIGA = 'Europe/Riga';
const range = (iso: string, durationMinutes: number, zone = RIGA) => formatTimeRange({ startsAt: new Date(iso), durationMinutes }, zone);

describe('the time range of a session', () => {
  it('when a one-hour session starts at the first 03:30 of the autumn night, then both ends show their UTC offset', () => {
    expect(range('2026-10-25T00:30:00Z', 60)).toBe('03:30 UTC+3–03:30 UTC+2');
  });

  it('when a session starts or ends in the hour that happens twice, then the range says which one', () => {
    expect(range('2026-10-25T01:30:00Z', 30)).toBe('03:30 UTC+2–04:00 UTC+2'); // the second 03:30
    expect(range('2026-10-24T23:30:00Z', 90)).toBe('02:30 UTC+3–03:00 UTC+2'); // ends in the repeated hour
  });

  it('when a session spans the spring change of the clocks, then both ends show their UTC offset', () => {
    expect(range('2026-03-29T00:30:00Z', 60)).toBe('02:30 UTC+2–04:30 UTC+3');
  });

  it('when nothing about the clocks is unusual, then the range is the plain wall-clock times', () => {
    expect(range('2026-10-26T07:00:00Z', 90)).toBe('09:00–10:30');
    expect(range('2026-10-25T08:00:00Z', 90)).toBe('10:00–11:30'); // the change day itself, later on
    expect(range('2026-10-25T00:30:00Z', 60, 'UTC')).toBe('00:30–01:30');
  });
});

describe('the series preview', () => {
  it('when a weekly series at 03:30 reaches the autumn change, then that date\'s range is unambiguous and the others stay plain', () => {
    const plan = expandWeekly({ startDate: '2026-10-18', endDate: '2026-11-01', weekdays: [7], everyWeeks: 1, startTime: '03:30', durationMinutes: 60 }, RIGA);
    if (!plan.ok) throw new Error('the series should expand');
    const launch = { ltik: 'LT', activityId: 'act', courseId: 'c', locale: 'en', role: 'teacher', userId: 'tch', userName: 'T', issuer: '', clientId: '', deploymentId: '', messageType: '' } as LaunchContext;
    const page = toSeriesFormPage({
      launch, options: { timezone: RIGA, statusSets: [], groups: [] }, values: {}, errors: {}, t: translator('en'), weekdays: ['7'],
      preview: { occurrences: plan.occurrences, durationMinutes: 60, requestedTime: '03:30', changed: false },
    });
    expect(page.preview?.rows.map((r) => r.timeRange)).toEqual(['03:30–04:30', '03:30 UTC+3–03:30 UTC+2', '03:30–04:30']);
  });
});
