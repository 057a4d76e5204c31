import { buildReport, Report } from '../../../src/reports/report';
import { buildExportTable, dateRange, ExportOptions, exportedSessionIndexes, localDateTime } from '../../../src/reports/export-table';

const ZONE = 'Europe/Riga';
const set = {
  id: 'set', maxPoints: 2, autoStatusId: 'A',
  statuses: [
    { id: 'P', acronym: 'P', description: 'Present', points: 2, order: 1, excused: false },
    { id: 'L', acronym: 'L', description: 'Late', points: 1, order: 2, excused: false },
    { id: 'E', acronym: 'E', description: 'Excused', points: 1, order: 3, excused: true },
    { id: 'A', acronym: 'A', description: 'Absent', points: 0, order: 4, excused: false },
  ],
};
const session = (id: string, iso: string, description = '', groupId?: string) => ({
  id, startsAt: new Date(iso), durationMinutes: 90, description, statusSetId: 'set',
  audience: groupId ? { kind: 'group' as const, groupId } : { kind: 'all' as const },
});
const student = (userId: string, givenName: string, familyName: string, extra: { email?: string; username?: string } = {}) => ({
  userId, givenName, familyName, name: `${givenName} ${familyName}`, active: true, ...extra,
});

function report(): Report {
  return buildReport({
    students: [
      student('u2', 'Zane', 'Čakste', { email: 'zane@example.com' }),
      student('u1', 'Anna', 'Bērziņa', { email: 'anna@example.com', username: 'anna' }),
      student('u4', 'Ivo', 'Cīrulis', { email: 'ivo@example.com' }),
      student('u3', '=Evil', '+Plus', { email: '@plus@example.com' }),
    ],
    sessions: [
      session('s5', '2099-01-02T00:00:00Z'), // not ended, one record: kept
      session('s1', '2025-03-03T08:00:00Z', 'Intro'),
      session('s3', '2025-06-02T07:00:00Z', 'Lab, "A"', 'g1'),
      session('s2', '2025-03-03T08:00:00Z'), // same time and audience as s1
      session('s4', '2099-01-01T00:00:00Z'), // not ended, nobody marked: "not yet taken"
    ],
    records: [
      { sessionId: 's1', userId: 'u1', statusId: 'P', remark: 'on time, "early"' },
      { sessionId: 's2', userId: 'u1', statusId: 'L', remark: '' },
      { sessionId: 's5', userId: 'u1', statusId: 'P', remark: '' },
      { sessionId: 's1', userId: 'u2', statusId: 'A', remark: '' },
      { sessionId: 's3', userId: 'u2', statusId: 'E', remark: 'ill' },
    ],
    sets: [set],
    groups: new Map([['g1', new Set(['u2'])]]),
    options: { countUnmarkedAsAuto: false, excludeExcused: false },
    now: new Date('2025-09-01T00:00:00Z'),
  });
}

const options = (over: Partial<ExportOptions> = {}): ExportOptions => ({
  identifier: 'email', remarks: false, descriptions: false, untaken: false, timeZone: ZONE, collation: 'lv-LV',
  groupNames: new Map([['g1', 'Lab group']]),
  labels: {
    lastName: 'Last name', firstName: 'First name', fullName: 'Name', identifier: 'Email', allStudents: 'All students', remark: 'remark',
    countOf: (a) => `${a} count`, taken: 'Sessions taken', earned: 'Points earned', possible: 'Points possible', percentage: 'Percentage',
  },
  ...over,
});

const TOTALS = ['P count', 'L count', 'E count', 'A count', 'Sessions taken', 'Points earned', 'Points possible', 'Percentage'];

describe('buildExportTable(): one header row, then a row per student', () => {
  it('when exported with the defaults, then the header is names, identifier, one column per taken session, the counts and totals', () => {
    const table = buildExportTable(report(), options());
    expect(table.columns.map((c) => c.header)).toEqual([
      'Last name', 'First name', 'Email',
      '2025-03-03 10:00 · All students', '2025-03-03 10:00 · All students (2)', '2025-06-02 10:00 · Lab group', '2099-01-02 02:00 · All students',
      ...TOTALS,
    ]);
    expect(table.rowCount).toBe(4);
  });

  it('when rows are produced, then they are in Latvian name order and carry the report\'s own numbers', () => {
    const rows = [...buildExportTable(report(), options()).rows()];
    // '+' sorts first; Latvian puts Č after C.
    expect(rows.map((r) => r[0])).toEqual(['+Plus', 'Bērziņa', 'Cīrulis', 'Čakste']);
    expect(rows[1]).toEqual(['Bērziņa', 'Anna', 'anna@example.com', 'P', 'L', null, 'P', 2, 1, 0, 0, 3, 5, 6, 83.33]);
    expect(rows[3]).toEqual(['Čakste', 'Zane', 'zane@example.com', 'A', null, 'E', null, 0, 0, 1, 1, 2, 1, 4, 25]);
  });

  it('when a student has no taken session, then the counts are 0 and the percentage is empty (no grade)', () => {
    const rows = [...buildExportTable(report(), options()).rows()];
    expect(rows[0]).toEqual(['+Plus', '=Evil', '@plus@example.com', null, null, null, null, 0, 0, 0, 0, 0, 0, 0, null]);
  });

  it('when remarks are asked for, then each session column is followed by its remark column', () => {
    const table = buildExportTable(report(), options({ remarks: true }));
    expect(table.columns.slice(3, 6).map((c) => [c.header, c.kind])).toEqual([
      ['2025-03-03 10:00 · All students', 'status'],
      ['2025-03-03 10:00 · All students · remark', 'remark'],
      ['2025-03-03 10:00 · All students (2)', 'status'],
    ]);
    const anna = [...table.rows()][1];
    expect(anna?.slice(3, 7)).toEqual(['P', 'on time, "early"', 'L', null]);
  });

  it('when descriptions are asked for, then they follow the date and audience in the header', () => {
    const headers = buildExportTable(report(), options({ descriptions: true })).columns.map((c) => c.header);
    expect(headers.slice(3, 6)).toEqual(['2025-03-03 10:00 · All students · Intro', '2025-03-03 10:00 · All students', '2025-06-02 10:00 · Lab group · Lab, "A"']);
  });

  it('when sessions not yet taken are asked for, then the session nobody is marked in appears too', () => {
    const r = report();
    expect(exportedSessionIndexes(r, false)).toEqual([0, 1, 2, 4]);
    expect(exportedSessionIndexes(r, true)).toEqual([0, 1, 2, 3, 4]);
    expect(buildExportTable(r, options({ untaken: true })).columns.map((c) => c.header)).toContain('2099-01-01 02:00 · All students');
  });

  it.each([
    ['username', ['', 'anna', '', '']],
    ['lmsid', ['u3', 'u1', 'u4', 'u2']],
  ] as const)('when the identifier is %s, then the third column holds it', (identifier, expected) => {
    expect([...buildExportTable(report(), options({ identifier })).rows()].map((r) => r[2])).toEqual(expected);
  });

  it('when the sessions sheet is built, then starts and ends are the activity zone\'s wall-clock times (summer time included)', () => {
    const lab = buildExportTable(report(), options()).sessions[2];
    expect(lab?.header).toBe('2025-06-02 10:00 · Lab group');
    expect(lab?.startsAtLocal.toISOString()).toBe('2025-06-02T10:00:00.000Z');
    expect(lab?.endsAtLocal.toISOString()).toBe('2025-06-02T11:30:00.000Z');
    expect(lab?.audience).toBe('Lab group');
    expect(lab?.description).toBe('Lab, "A"');
  });
});

describe('name columns when the LMS sends the name as one string (Open edX)', () => {
  const table = (students: Array<{ userId: string; givenName: string; familyName: string; name: string; active: boolean }>) => buildExportTable(
    buildReport({ students, sessions: [], records: [], sets: [set], groups: new Map(), options: { countUnmarkedAsAuto: false, excludeExcused: false }, now: new Date('2025-09-01T00:00:00Z') }),
    options({ identifier: 'lmsid' }),
  );
  const fullOnly = (userId: string, name: string) => ({ userId, givenName: '', familyName: '', name, active: true });

  it('when nobody has name parts, then there is one Name column, sorted by the full name as given', () => {
    const t = table([fullOnly('u1', 'Zane Ābele'), fullOnly('u2', 'Anna Zariņa')]);
    expect(t.columns.slice(0, 2).map((c) => c.header)).toEqual(['Name', 'Email']);
    expect(t.nameColumnCount).toBe(1);
    expect([...t.rows()].map((r) => r.slice(0, 2))).toEqual([['Anna Zariņa', 'u2'], ['Zane Ābele', 'u1']]);
  });

  it('when only some have name parts, then last name, first name and Name columns are all there, and nothing is guessed', () => {
    const t = table([student('u1', 'Zane', 'Ābele'), fullOnly('u2', 'Cēzars')]);
    expect(t.columns.slice(0, 4).map((c) => c.header)).toEqual(['Last name', 'First name', 'Name', 'Email']);
    expect([...t.rows()].map((r) => r.slice(0, 4))).toEqual([['Ābele', 'Zane', 'Zane Ābele', 'u1'], ['', '', 'Cēzars', 'u2']]);
  });

  it('when everybody has name parts, then the columns are last name and first name only', () => {
    const t = table([student('u1', 'Zane', 'Ābele')]);
    expect(t.columns.slice(0, 3).map((c) => c.header)).toEqual(['Last name', 'First name', 'Email']);
    expect(t.nameColumnCount).toBe(2);
  });
});

describe('dateRange(): dates in the activity zone, `to` included', () => {
  it('when a range spans the spring-forward night, then from is local midnight and to is the next local midnight', () => {
    expect(dateRange('2025-03-30', '2025-03-30', ZONE)).toEqual({ from: new Date('2025-03-29T22:00:00Z'), to: new Date('2025-03-30T21:00:00Z') });
  });

  it('when no dates are given, then there is no limit', () => {
    expect(dateRange(undefined, undefined, ZONE)).toEqual({});
  });

  it('when only an end date is given, then only `to` is set', () => {
    expect(dateRange(undefined, '2025-07-01', ZONE)).toEqual({ to: new Date('2025-07-01T21:00:00Z') });
  });
});

describe('localDateTime()', () => {
  it('when an instant is shown, then it is the zone\'s local time, not UTC', () => {
    expect(localDateTime(new Date('2025-03-10T22:30:00Z'), ZONE)).toBe('2025-03-11 00:30');
  });
});
