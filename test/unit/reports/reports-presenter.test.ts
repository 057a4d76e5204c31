import { DEFAULT_GRADE_OPTIONS, maxPointsOf, RuleSet } from '../../../src/grading/grade-rule';
import { translator } from '../../../src/i18n/i18n';
import type { LaunchContext } from '../../../src/lti/launch-context';
import { buildReport, ReportSession, ReportStatus, ReportStudent } from '../../../src/reports/report';
import type { LoadedReport } from '../../../src/reports/report-data.service';
import { parseReportQuery } from '../../../src/reports/report-filters';
import { periodHeads, sortRows, toReportPage } from '../../../src/reports/reports.presenter';

const RIGA = 'Europe/Riga';
const NOW = new Date('2026-03-20T12:00:00Z');
const t = translator('en');
const st = (id: string, acronym: string, description: string, points: number, order: number, excused = false): ReportStatus => ({ id, acronym, description, points, order, excused });
const STATUSES = [st('P', 'P', 'Present', 2, 1), st('L', 'L', 'Late', 1, 2), st('E', 'E', 'Excused', 1, 3, true), st('A', 'A', 'Absent', 0, 4)];
const SET = { id: 'd', statuses: STATUSES, maxPoints: maxPointsOf(STATUSES), autoStatusId: 'A' };
const SETS = new Map<string, RuleSet>([['d', SET]]);

const student = (userId: string, givenName: string, familyName: string): ReportStudent => ({ userId, givenName, familyName, name: `${givenName} ${familyName}`, active: true, joinedAt: new Date('2026-01-01') });
const session = (id: string, iso: string, description = id): ReportSession => ({ id, startsAt: new Date(iso), durationMinutes: 90, description, audience: { kind: 'all' }, statusSetId: 'd' });
const rec = (sessionId: string, userId: string, statusId: string, remark = '') => ({ sessionId, userId, statusId, remark });

const STUDENTS = [student('z', 'Pēteris', 'Zariņš'), student('c', 'Zane', 'Čakste'), student('ci', 'Ilze', 'Cīrulis'), student('b', 'Anna', 'Bērziņa'), student('d', 'Dace', 'Dārziņa')];

function report(sessions: ReportSession[], records: ReturnType<typeof rec>[]) {
  return buildReport({ students: STUDENTS, sessions, records, sets: [SET], groups: new Map(), options: DEFAULT_GRADE_OPTIONS, now: NOW });
}

describe('sortRows', () => {
  // Bērziņa 100 %, Zariņš 50 %, Čakste 50 %, Cīrulis – , Dārziņa –
  const r = report([session('s1', '2026-03-02T08:00:00Z')], [rec('s1', 'b', 'P'), rec('s1', 'z', 'L'), rec('s1', 'c', 'L')]);
  const names = (rows: ReturnType<typeof sortRows>) => rows.map((x) => x.student.familyName);

  it('when sorted by name in Latvian, then Č comes after C as its own letter; in English it sorts with c', () => {
    expect(names(sortRows(r.rows, 'name', 'asc', 'lv'))).toEqual(['Bērziņa', 'Cīrulis', 'Čakste', 'Dārziņa', 'Zariņš']);
    expect(names(sortRows(r.rows, 'name', 'asc', 'en'))).toEqual(['Bērziņa', 'Čakste', 'Cīrulis', 'Dārziņa', 'Zariņš']);
    expect(names(sortRows(r.rows, 'name', 'desc', 'lv'))).toEqual(['Zariņš', 'Dārziņa', 'Čakste', 'Cīrulis', 'Bērziņa']);
  });

  it('when sorted by percentage, then ties go by name and students without a grade are last in both directions', () => {
    expect(names(sortRows(r.rows, 'percentage', 'asc', 'lv'))).toEqual(['Čakste', 'Zariņš', 'Bērziņa', 'Cīrulis', 'Dārziņa']);
    expect(names(sortRows(r.rows, 'percentage', 'desc', 'lv'))).toEqual(['Bērziņa', 'Čakste', 'Zariņš', 'Cīrulis', 'Dārziņa']);
  });

  it('when the same family name appears twice, then the given name decides', () => {
    const two = buildReport({ students: [student('x', 'Zane', 'Ozola'), student('y', 'Anna', 'Ozola')], sessions: [], records: [], sets: [SET], groups: new Map(), options: DEFAULT_GRADE_OPTIONS, now: NOW });
    expect(sortRows(two.rows, 'name', 'asc', 'en').map((x) => x.student.givenName)).toEqual(['Anna', 'Zane']);
  });
});

describe('sortRows with names the LMS sent as one string (Open edX)', () => {
  const fullOnly = (userId: string, name: string): ReportStudent => ({ userId, givenName: '', familyName: '', name, active: true });
  const build = (students: ReportStudent[]) => buildReport({ students, sessions: [], records: [], sets: [SET], groups: new Map(), options: DEFAULT_GRADE_OPTIONS, now: NOW });

  it('when nobody has a family name, then rows are sorted by the full name as given', () => {
    const r = build([fullOnly('z', 'Zane Ābele'), fullOnly('a', 'Anna Zariņa'), fullOnly('j', 'Juris Bērziņš')]);
    expect(sortRows(r.rows, 'name', 'asc', 'lv').map((x) => x.student.name)).toEqual(['Anna Zariņa', 'Juris Bērziņš', 'Zane Ābele']);
  });

  it('when some have a family name, then the others are placed by their full name among the family names', () => {
    const r = build([student('z', 'Zane', 'Ābele'), fullOnly('c', 'Cēzars'), student('j', 'Juris', 'Bērziņš')]);
    expect(sortRows(r.rows, 'name', 'asc', 'lv').map((x) => x.student.userId)).toEqual(['z', 'j', 'c']);
  });
});

describe('periodHeads: weeks and months of the activity zone, around DST changes', () => {
  const f = { locale: 'en' as const, zone: RIGA, t };

  it('when sessions fall on both sides of local midnight on the spring-forward Sunday, then they are in different ISO weeks (not UTC ones)', () => {
    const sessions = [
      session('sat', '2026-03-28T08:00:00Z'), // Sat 28 Mar 10:00 (UTC+2)
      session('sun-late', '2026-03-29T20:30:00Z'), // Sun 29 Mar 23:30 (UTC+3 since 03:00): still week 13
      session('mon-early', '2026-03-29T21:30:00Z'), // Mon 30 Mar 00:30: week 14, though still the 29th in UTC
    ];
    expect(periodHeads(sessions, 'week', f)).toEqual([{ label: 'Week 13', detail: '23.03.–29.03.', span: 2 }, { label: 'Week 14', detail: '30.03.–5.04.', span: 1 }]);
  });

  it('when sessions straddle local midnight at a month end, then the month is the local one', () => {
    const sessions = [session('mar', '2026-03-31T20:30:00Z'), session('apr', '2026-03-31T21:30:00Z')];
    expect(periodHeads(sessions, 'month', f)).toEqual([{ label: 'March 2026', detail: '', span: 1 }, { label: 'April 2026', detail: '', span: 1 }]);
    expect(periodHeads(sessions, 'month', { ...f, locale: 'lv' }).map((p) => p.label)).toEqual(['marts 2026', 'aprīlis 2026']);
  });

  it('when the autumn change gives a 25-hour Sunday, then its late session is still in that week', () => {
    const sessions = [session('sun', '2026-10-25T21:30:00Z'), session('mon', '2026-10-25T22:30:00Z')]; // Sun 23:30 (UTC+2), Mon 00:30
    expect(periodHeads(sessions, 'week', f).map((p) => p.span)).toEqual([1, 1]);
  });
});

const LAUNCH = { ltik: 'LT', activityId: 'act', courseId: 'c', locale: 'en', role: 'teacher', userId: 'tch', userName: 'T', issuer: '', clientId: '', deploymentId: '', messageType: '' } as LaunchContext;

function page(query: Record<string, unknown>, r = report(
  [session('s1', '2026-03-02T08:00:00Z', 'Intro'), session('s2', '2026-03-04T08:00:00Z', 'Lab'), session('s3', '2026-03-25T08:00:00Z', 'Future')],
  [rec('s1', 'b', 'P'), rec('s1', 'z', 'A', 'Overslept'), rec('s2', 'b', 'L'), rec('s2', 'z', 'A')],
)) {
  const loaded: LoadedReport = { report: r, groups: [{ id: 'g1', name: 'Group 1' }], activity: { title: 'Lectures', timezone: RIGA, threshold: 70, options: DEFAULT_GRADE_OPTIONS, gradeType: 'points', maxGrade: 100 } };
  return toReportPage({ launch: LAUNCH, loaded, parsed: parseReportQuery(query, RIGA, NOW), sets: SETS, now: NOW, t });
}

describe('toReportPage', () => {
  it('when a student is below the threshold, then the row is flagged and the summary counts them', () => {
    const v = page({});
    const rows = v.table?.rows ?? [];
    expect(rows.map((r) => [r.name, r.percentage, r.below])).toEqual([
      ['Bērziņa, Anna', '75.0 %', false], ['Čakste, Zane', '–', false], ['Cīrulis, Ilze', '–', false], ['Dārziņa, Dace', '–', false], ['Zariņš, Pēteris', '0.0 %', true],
    ]);
    expect(v.summary).toBe('1 of 5 students is below 70 %.');
    expect(v.table?.belowLabel).toBe('Below 70 %');
  });

  it('when cells are shaped, then marks carry their description and remark, unmarked ended sessions "?" and future ones nothing', () => {
    const z = page({}).table?.rows.find((r) => r.name.startsWith('Zariņš'));
    expect(z?.cells).toEqual([{ t: 'A', title: 'Absent — Overslept', c: 'r' }, { t: 'A', title: 'Absent', c: '' }, { t: '', title: 'Not taken yet', c: '' }]);
    const c = page({}).table?.rows.find((r) => r.name.startsWith('Čakste'));
    expect(c?.cells.map((x) => x.t)).toEqual(['?', '?', '']);
  });

  it('when "only below" is asked and nobody is below, then the table is empty and says so', () => {
    const v = page({ below: '1' }, report([session('s1', '2026-03-02T08:00:00Z')], [rec('s1', 'b', 'P')]));
    expect(v.table?.rows).toEqual([]);
    expect(v.table?.noneBelow).toBe('No student is below 70 %.');
  });

  it('when sorting, then the active header says its direction and its link flips it, keeping the filters and the ltik', () => {
    const v = page({ sort: 'percentage', dir: 'asc', group: 'g1', from: '2026-03-01' });
    expect(v.table?.sortPercentage).toEqual({ ariaSort: 'ascending', hint: 'sort descending', href: '/activity/act/teacher/report?group=g1&from=2026-03-01&sort=percentage&dir=desc&ltik=LT' });
    expect(v.table?.sortName).toEqual({ ariaSort: 'none', hint: 'sort ascending', href: '/activity/act/teacher/report?group=g1&from=2026-03-01&ltik=LT' });
  });

  it('when the view is by week, then session columns get week headers; when "all", none', () => {
    expect(page({ view: 'week' }).table?.periods).toEqual([{ label: 'Week 10', detail: '2.03.–8.03.', span: 2 }, { label: 'Week 13', detail: '23.03.–29.03.', span: 1 }]);
    expect(page({}).table?.periods).toEqual([]);
  });

  it('when the per-session summary is shaped, then an upcoming session says so instead of an unmarked count', () => {
    const rows = page({}).sessionSummary?.rows ?? [];
    expect(rows.map((r) => [r.description, r.marked, r.unmarked, r.rate])).toEqual([['Intro', 2, '3', '50.0 %'], ['Lab', 2, '3', '25.0 %'], ['Future', 0, 'upcoming', '–']]);
    expect(rows[0]?.when).toBe('Mon, 2 Mar 2026, 10:00–11:30');
  });

  it('when there are no sessions, then the empty state offers to add one; when filters narrow it, it says no session matches', () => {
    expect(page({}, report([], [])).empty?.title).toBe('No sessions yet');
    expect(page({ from: '2030-01-01' }, report([], [])).empty?.title).toBe('No sessions match');
    expect(page({}, report([], [])).table).toBeUndefined();
  });

  it('when the locale is Latvian, then percentages use a decimal comma', () => {
    const loaded: LoadedReport = { report: report([session('s1', '2026-03-02T08:00:00Z')], [rec('s1', 'b', 'L'), rec('s1', 'z', 'P')]), groups: [], activity: { title: '', timezone: RIGA, threshold: 70, options: DEFAULT_GRADE_OPTIONS, gradeType: 'points', maxGrade: 100 } };
    const v = toReportPage({ launch: { ...LAUNCH, locale: 'lv' }, loaded, parsed: parseReportQuery({}, RIGA, NOW), sets: SETS, now: NOW, t: translator('lv') });
    expect(v.table?.rows[0]).toMatchObject({ name: 'Bērziņa, Anna', percentage: '50,0 %', below: true });
    expect(v.summary).toBe('1 students no 5 ir zem 70 %.');
  });
});
