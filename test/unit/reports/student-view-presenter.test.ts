import { translator } from '../../../src/i18n/i18n';
import { maxPointsOf } from '../../../src/grading/grade-rule';
import { buildReport, ReportRecord, ReportSession, ReportStatusSet } from '../../../src/reports/report';
import type { ActivityReportSettings } from '../../../src/reports/report-data.service';
import { chartOf, toCalendarCard, toStudentAttendanceView } from '../../../src/reports/student-view.presenter';
import type { RecordHint } from '../../../src/reports/student-view.service';

const statuses = [
  { id: 'P', acronym: 'P', description: 'Present', points: 2, order: 1, excused: false },
  { id: 'L', acronym: 'L', description: 'Late', points: 1, order: 2, excused: false },
  { id: 'E', acronym: 'E', description: 'Excused', points: 1, order: 3, excused: true },
  { id: 'A', acronym: 'A', description: 'Absent', points: 0, order: 4, excused: false },
];
const set: ReportStatusSet = { id: 'set', statuses, maxPoints: maxPointsOf(statuses), autoStatusId: 'A' };
const NOW = new Date('2027-02-15T12:00:00Z');

const session = (id: string, startsAt: string, description: string, audience: ReportSession['audience'] = { kind: 'all' }): ReportSession => ({
  id, startsAt: new Date(startsAt), durationMinutes: 90, description, audience, statusSetId: 'set',
});

const SESSIONS = [
  session('s1', '2027-02-01T08:00:00Z', 'Week 1'),
  session('s2', '2027-02-08T08:00:00Z', 'Week 2'),
  session('s3', '2027-02-09T08:00:00Z', 'Lab A', { kind: 'group', groupId: 'gA' }),
  session('s4', '2027-02-10T08:00:00Z', 'Lab B', { kind: 'group', groupId: 'gB' }),
  session('s5', '2027-02-12T08:00:00Z', 'Week 3, no mark'),
  session('s6', '2027-03-01T08:00:00Z', 'Week 5'),
  session('s7', '2027-02-22T08:00:00Z', 'Week 4'),
];

function data(opts: { records?: ReportRecord[]; countUnmarkedAsAuto?: boolean; hints?: Array<[string, RecordHint]>; students?: string[] } = {}) {
  const activity: ActivityReportSettings = {
    title: 'Lectures', timezone: 'Europe/Riga', threshold: 70, gradeType: 'points', maxGrade: 100,
    options: { countUnmarkedAsAuto: opts.countUnmarkedAsAuto ?? false, excludeExcused: false },
  };
  const students = (opts.students ?? ['anna']).map((userId) => ({ userId, givenName: userId, familyName: 'X', name: userId, active: true }));
  const report = buildReport({
    students, sessions: SESSIONS, sets: [set], options: activity.options, now: NOW,
    records: opts.records ?? [], groups: new Map([['gA', new Set(['anna'])], ['gB', new Set(['boris'])]]),
  });
  return { loaded: { report, activity, groups: [{ id: 'gA', name: 'Lab group A' }, { id: 'gB', name: 'Lab group B' }] }, hints: new Map(opts.hints ?? []) };
}

const rec = (sessionId: string, userId: string, statusId: string, remark = ''): ReportRecord => ({ sessionId, userId, statusId, remark });
const en = { userId: 'anna', now: NOW, locale: 'en' as const, t: translator('en') };

describe('the student summary', () => {
  const records = [rec('s1', 'anna', 'P'), rec('s2', 'anna', 'L', 'Bus was late'), rec('s3', 'anna', 'E'), rec('s1', 'boris', 'A'), rec('s4', 'boris', 'P')];

  it('when sessions are marked, then points and percentage are the report rule numbers, with counts per status', () => {
    const view = toStudentAttendanceView(data({ records, hints: [['s1', 'self']] }), en);
    // P 2 + L 1 + E 1 = 4 of 3 × 2 = 6
    expect(view.summary).toEqual({
      hasGrade: true, earned: '4', possible: '6', percentage: '66.7%', taken: 3,
      counts: [
        { acronym: 'P', description: 'Present', count: 1 }, { acronym: 'L', description: 'Late', count: 1 },
        { acronym: 'E', description: 'Excused', count: 1 }, { acronym: 'A', description: 'Absent', count: 0 },
      ],
    });
  });

  it('when the report holds another student too, then only the own row is shown', () => {
    const view = toStudentAttendanceView(data({ records, students: ['boris', 'anna'] }), en);
    expect(view.summary.taken).toBe(3);
    expect(view.past.map((s) => s.description)).not.toContain('Lab B');
  });

  it('when nothing counts yet, then the numbers are dashes and there is no chart', () => {
    const view = toStudentAttendanceView(data(), en);
    expect(view.summary).toMatchObject({ hasGrade: false, earned: '–', possible: '–', percentage: '–', taken: 0 });
    expect(view.chart).toBeUndefined();
  });

  it('when the student has no row at all, then the view is empty, not an error', () => {
    const view = toStudentAttendanceView(data({ students: [] }), en);
    expect(view).toMatchObject({ past: [], upcoming: [], summary: { hasGrade: false, taken: 0 } });
  });

  it('when shown in Latvian, then numbers use Latvian formatting', () => {
    const view = toStudentAttendanceView(data({ records }), { ...en, locale: 'lv', t: translator('lv') });
    expect(view.summary.percentage).toMatch(/^66,7\s?%$/);
    expect(view.past[0]?.note).toBe('Nav atzīmēts');
  });
});

describe('the student sessions', () => {
  const records = [rec('s1', 'anna', 'P'), rec('s2', 'anna', 'L', 'Bus was late'), rec('s1', 'boris', 'A')];

  it('when listed, then past sessions come most recent first, upcoming ones soonest first, and other groups are left out', () => {
    const view = toStudentAttendanceView(data({ records, hints: [['s1', 'self'], ['s2', 'auto']] }), en);
    expect(view.past.map((s) => s.description)).toEqual(['Week 3, no mark', 'Lab A', 'Week 2', 'Week 1']);
    expect(view.upcoming.map((s) => s.description)).toEqual(['Week 4', 'Week 5']);
    expect(view.past[3]).toMatchObject({ when: 'Mon, 1 Feb 2027, 10:00–11:30', acronym: 'P', statusDescription: 'Present', hint: 'Self-recorded', note: '' });
    expect(view.past[2]).toMatchObject({ acronym: 'L', remark: 'Bus was late', hint: 'Auto-marked' });
    expect(view.past[1]).toMatchObject({ group: 'Group: Lab group A', acronym: '', note: 'Not marked' });
    expect(view.upcoming[0]).toMatchObject({ acronym: '', note: '', hint: '' });
  });

  it('when unmarked past sessions count as the automatic status, then the row says so', () => {
    const view = toStudentAttendanceView(data({ records, countUnmarkedAsAuto: true }), en);
    expect(view.past[0]).toMatchObject({ acronym: 'A', statusDescription: 'Absent', note: 'Not marked; counts with the automatic status' });
    expect(view.summary.taken).toBe(4);
  });

  it('when a session is under way and unmarked, then it is "now", not past, and says "Not marked yet"', () => {
    const view = toStudentAttendanceView(data(), { ...en, now: new Date('2027-02-12T08:30:00Z') });
    expect(view.now).toEqual([expect.objectContaining({ id: 's5', description: 'Week 3, no mark', note: 'Not marked yet', recorded: false })]);
    expect(view.past.map((s) => s.description)).not.toContain('Week 3, no mark');
  });

  it('when more than 5 sessions are to come, then the first 5 are shown and the rest kept for "Show all"', () => {
    const view = toStudentAttendanceView(data(), { ...en, now: new Date('2027-01-01T00:00:00Z') });
    expect(view.upcoming).toHaveLength(6); // s1–s7 less Lab B (another group's)
    expect(view.upcomingFirst.map((s) => s.id)).toEqual(['s1', 's2', 's3', 's5', 's7']);
    expect(view.upcomingRest.map((s) => s.id)).toEqual(['s6']);
  });
});

describe('the status chart', () => {
  it('when counts differ, then the longest bar is the largest count and the label lists every status', () => {
    const chart = chartOf([{ acronym: 'P', description: 'Present', count: 4 }, { acronym: 'L', description: 'Late', count: 1 }, { acronym: 'A', description: 'Absent', count: 0 }], translator('en'));
    expect(chart?.bars.map((b) => b.width)).toEqual([260, 65, 0]);
    expect(chart?.height).toBe(100);
    expect(chart?.ariaLabel).toBe('Bar chart of your sessions by status: P Present: 4, L Late: 1, A Absent: 0');
  });
});

describe('the calendar card', () => {
  const base = { activityId: 'act', timezone: 'Europe/Riga', locale: 'en' as const, t: translator('en'), flash: undefined };

  it('when no link exists, then the card offers to create one', () => {
    expect(toCalendarCard({ active: false }, base)).toEqual({ action: '/activity/act/student/calendar', active: false, url: undefined, createdOn: '', lastUsed: 'not fetched by a calendar app yet', flash: '' });
  });

  it('when a link exists, then its URL and dates are shown in the activity zone, with the flash', () => {
    const card = toCalendarCard(
      { active: true, url: 'https://tool/calendar/x.ics', createdAt: new Date('2027-02-01T08:00:00Z'), lastUsedAt: new Date('2027-02-02T08:00:00Z') },
      { ...base, flash: 'renewed' },
    );
    expect(card).toMatchObject({ url: 'https://tool/calendar/x.ics', createdOn: '1 Feb 2027, 10:00', lastUsed: 'last fetched by a calendar app 2 Feb 2027, 10:00' });
    expect(card.flash).toContain('renewed');
    expect(toCalendarCard({ active: false }, { ...base, flash: '<script>' }).flash).toBe('');
  });
});
