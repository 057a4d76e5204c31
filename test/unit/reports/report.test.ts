import { DEFAULT_GRADE_OPTIONS, GradeOptions, maxPointsOf } from '../../../src/grading/grade-rule';
import { buildReport, ReportInput, ReportSession, ReportStatus, ReportStatusSet, ReportStudent } from '../../../src/reports/report';

/**
 * buildReport on a small hand-made class; every expected number is computed by hand beside it.
 *
 * Default set: P 2, L 1, E 1 (excused), A 0 (automatic) → a session is worth 2 points.
 * Group G1 = { anna }: cara was in G1 when s2 was taken but has left it since.
 * "now" = 2024-03-20 12:00 UTC.
 *
 *            s1 03-01 all   s2 03-08 G1   s3 03-15 all   s4 03-27 all (future)
 *   anna     P              E             A              –
 *   ben      L              (not G1)      P              –
 *   cara     A              P (left G1)   –              –
 *   dan*     (before join)  (not G1)      L              –
 *   * dan joined on 03-10.
 */

const status = (id: string, acronym: string, points: number, order: number, excused = false): ReportStatus =>
  ({ id, acronym, description: acronym, points, order, excused });

function statusSet(id: string, statuses: ReportStatus[], autoStatusId: string | null): ReportStatusSet {
  return { id, statuses, maxPoints: maxPointsOf(statuses), autoStatusId };
}

const DEFAULT = statusSet('d', [status('d-P', 'P', 2, 1), status('d-L', 'L', 1, 2), status('d-E', 'E', 1, 3, true), status('d-A', 'A', 0, 4)], 'd-A');

const at = (iso: string) => new Date(iso);
const session = (id: string, day: string, audience: ReportSession['audience'] = { kind: 'all' }, statusSetId = 'd'): ReportSession =>
  ({ id, startsAt: at(`2024-03-${day}T08:00:00Z`), durationMinutes: 90, description: id, audience, statusSetId });

const student = (userId: string, joinedAt = '2024-01-01T00:00:00Z'): ReportStudent =>
  ({ userId, givenName: userId, familyName: 'X', name: `${userId} X`, active: true, joinedAt: at(joinedAt) });

const SESSIONS = [session('s3', '15'), session('s1', '01'), session('s4', '27'), session('s2', '08', { kind: 'group', groupId: 'G1' })];
const STUDENTS = [student('anna'), student('ben'), student('cara'), student('dan', '2024-03-10T00:00:00Z')];
const rec = (sessionId: string, userId: string, statusId: string, remark = '') => ({ sessionId, userId, statusId, remark });
const RECORDS = [
  rec('s1', 'anna', 'd-P'), rec('s1', 'ben', 'd-L'), rec('s1', 'cara', 'd-A', 'overslept'),
  rec('s2', 'anna', 'd-E'), rec('s2', 'cara', 'd-P'),
  rec('s3', 'anna', 'd-A'), rec('s3', 'ben', 'd-P'), rec('s3', 'dan', 'd-L'),
];

function input(options: Partial<GradeOptions> = {}, over: Partial<ReportInput> = {}): ReportInput {
  return {
    students: STUDENTS, sessions: SESSIONS, records: RECORDS, sets: [DEFAULT],
    groups: new Map([['G1', new Set(['anna'])]]),
    options: { ...DEFAULT_GRADE_OPTIONS, ...options }, now: at('2024-03-20T12:00:00Z'), ...over,
  };
}

const rowOf = (report: ReturnType<typeof buildReport>, userId: string) => {
  const row = report.rows.find((r) => r.student.userId === userId);
  if (!row) throw new Error(`no row for ${userId}`);
  return row;
};
const numbers = (row: ReturnType<typeof rowOf>) => [row.summary.taken, row.summary.earned, row.summary.possible, row.summary.percentage];

describe('the report of a class with a group session and a late joiner', () => {
  const report = buildReport(input());

  it('when sessions come in any order, then columns are in time order', () => {
    expect(report.sessions.map((s) => s.id)).toEqual(['s1', 's2', 's3', 's4']);
  });

  it('when the rule is the default one, then each student\'s numbers are the hand-computed ones', () => {
    // anna: P + E + A = 2 + 1 + 0 = 3 of 3 × 2 = 6 → 50 %
    expect(numbers(rowOf(report, 'anna'))).toEqual([3, 3, 6, 50]);
    // ben: L + P = 1 + 2 = 3 of 2 × 2 = 4 → 75 % (s2 is not his group's)
    expect(numbers(rowOf(report, 'ben'))).toEqual([2, 3, 4, 75]);
    // cara: A + P (s2, kept although she left G1) = 0 + 2 = 2 of 2 × 2 = 4 → 50 %; s3 unmarked: not counted
    expect(numbers(rowOf(report, 'cara'))).toEqual([2, 2, 4, 50]);
    // dan: L = 1 of 2 → 50 % (s1 ended before he joined)
    expect(numbers(rowOf(report, 'dan'))).toEqual([1, 1, 2, 50]);
  });

  it('when a student is outside a group session, then the cell is not in the audience and not counted', () => {
    const ben = rowOf(report, 'ben');
    expect(ben.cells[1]).toEqual({ inAudience: false });
    expect(ben.countsByAcronym).toEqual({ L: 1, P: 1 });
  });

  it('when a student left the group but has a record there, then the cell shows it, outside the audience, and it counts', () => {
    const cara = rowOf(report, 'cara');
    expect(cara.cells[1]).toEqual({ statusId: 'd-P', remark: '', countedStatusId: 'd-P', inAudience: false });
    expect(cara.cells[0]).toEqual({ statusId: 'd-A', remark: 'overslept', countedStatusId: 'd-A', inAudience: true });
    expect(cara.countsByAcronym).toEqual({ A: 1, P: 1 });
  });

  it('when a student joined later, then sessions that ended before are not theirs', () => {
    const dan = rowOf(report, 'dan');
    expect(dan.cells.map((c) => c.inAudience)).toEqual([false, false, true, true]);
  });

  it('when a session is unmarked or in the future, then the cell is in the audience with nothing counted', () => {
    expect(rowOf(report, 'cara').cells[2]).toEqual({ statusId: undefined, remark: undefined, countedStatusId: undefined, inAudience: true });
    expect(rowOf(report, 'anna').cells[3]).toEqual({ statusId: undefined, remark: undefined, countedStatusId: undefined, inAudience: true });
  });

  it('when sessions are summarised, then expected / marked / unmarked and counts per acronym are the hand-counted ones', () => {
    expect(report.sessionSummaries).toEqual([
      // s1: anna, ben, cara (dan had not joined) → 3 expected, all 3 marked: P, L, A
      { sessionId: 's1', ended: true, expected: 3, marked: 3, unmarked: 0, countsByAcronym: { P: 1, L: 1, A: 1 } },
      // s2 (G1 = anna): anna + cara, who left but has her P from before = 2 expected, 2 marked
      { sessionId: 's2', ended: true, expected: 2, marked: 2, unmarked: 0, countsByAcronym: { E: 1, P: 1 } },
      // s3: all 4 expected; anna A, ben P, dan L marked; cara unmarked
      { sessionId: 's3', ended: true, expected: 4, marked: 3, unmarked: 1, countsByAcronym: { A: 1, P: 1, L: 1 } },
      // s4: not ended; 4 expected, none marked
      { sessionId: 's4', ended: false, expected: 4, marked: 0, unmarked: 4, countsByAcronym: {} },
    ]);
  });

  it('when the set has P, L, E, A, then the acronyms come in status order', () => {
    expect(report.acronyms).toEqual(['P', 'L', 'E', 'A']);
    expect(report.statusById.get('d-E')?.acronym).toBe('E');
  });
});

describe('the report with "count unmarked past sessions as the automatic status"', () => {
  const report = buildReport(input({ countUnmarkedAsAuto: true }));

  it('when a past session is unmarked, then it counts as A; future sessions and sessions before joining do not', () => {
    // anna, ben: nothing unmarked in the past → unchanged: 3 of 6 (50 %), 3 of 4 (75 %)
    expect(numbers(rowOf(report, 'anna'))).toEqual([3, 3, 6, 50]);
    expect(numbers(rowOf(report, 'ben'))).toEqual([2, 3, 4, 75]);
    // cara: A + P + A (s3 unmarked → A) = 2 of 3 × 2 = 6 → 33.33… %; s4 has not ended
    const cara = rowOf(report, 'cara');
    expect(numbers(cara).slice(0, 3)).toEqual([3, 2, 6]);
    expect(cara.summary.percentage).toBeCloseTo(33.3333, 4);
    expect(cara.cells[2]).toEqual({ statusId: undefined, remark: undefined, countedStatusId: 'd-A', inAudience: true });
    expect(cara.cells[3]?.countedStatusId).toBeUndefined();
    expect(cara.countsByAcronym).toEqual({ A: 2, P: 1 });
    // dan: s1 ended before he joined → not A for him; L = 1 of 2 → 50 %
    expect(numbers(rowOf(report, 'dan'))).toEqual([1, 1, 2, 50]);
  });

  it('when sessions are summarised, then only real records are counted (the automatic status is not a mark)', () => {
    expect(report.sessionSummaries[2]).toEqual({ sessionId: 's3', ended: true, expected: 4, marked: 3, unmarked: 1, countsByAcronym: { A: 1, P: 1, L: 1 } });
  });
});

describe('the report with "leave excused sessions out of the grade"', () => {
  it('when anna\'s E is left out, then she has 2 of 4 points', () => {
    const anna = rowOf(buildReport(input({ excludeExcused: true })), 'anna');
    // P + A = 2 + 0 = 2 of 2 × 2 = 4 → 50 %; E still listed in the counts, and still "taken"
    expect(numbers(anna)).toEqual([3, 2, 4, 50]);
    expect(anna.countsByAcronym).toEqual({ P: 1, E: 1, A: 1 });
  });
});

describe('two status sets sharing the acronym P', () => {
  // Labs: P 3 (order 1), R Remote 2 (order 2), X 0 (order 5) → a lab is worth 3 points.
  const LABS = statusSet('lab', [status('lab-P', 'P', 3, 1), status('lab-R', 'R', 2, 2), status('lab-X', 'X', 0, 5)], null);
  const report = buildReport(input({}, {
    students: [student('anna'), student('ben')],
    sessions: [session('s1', '01'), session('lab1', '02', { kind: 'all' }, 'lab'), session('lab2', '09', { kind: 'all' }, 'lab')],
    records: [rec('s1', 'anna', 'd-P'), rec('lab1', 'anna', 'lab-P'), rec('lab2', 'anna', 'lab-R'), rec('s1', 'ben', 'd-L'), rec('lab1', 'ben', 'lab-X'), rec('lab2', 'ben', 'ghost')],
    sets: [DEFAULT, LABS],
  }));

  it('when both sets are used, then the acronyms are merged by order, the first set\'s order winning', () => {
    // P 1, L 2, R 2 (L before R by name), E 3, A 4, X 5
    expect(report.acronyms).toEqual(['P', 'L', 'R', 'E', 'A', 'X']);
  });

  it('when a student has P of both sets, then P is one count column with 2, and each session adds its own set\'s maximum', () => {
    const anna = rowOf(report, 'anna');
    expect(anna.countsByAcronym).toEqual({ P: 2, R: 1 });
    expect(anna.summary.counts).toEqual({ 'd-P': 1, 'lab-P': 1, 'lab-R': 1 });
    // earned 2 (P) + 3 (lab P) + 2 (R) = 7; possible 2 + 3 + 3 = 8; 7 / 8 = 87.5 %
    expect(numbers(anna)).toEqual([3, 7, 8, 87.5]);
  });

  it('when a record names a status that is not in the set, then it is shown but not counted', () => {
    const ben = rowOf(report, 'ben');
    expect(ben.cells[2]).toEqual({ statusId: 'ghost', remark: '', countedStatusId: undefined, inAudience: true });
    // earned 1 (L) + 0 (X) = 1; possible 2 + 3 = 5; 20 %
    expect(numbers(ben)).toEqual([2, 1, 5, 20]);
    expect(report.sessionSummaries[2]?.countsByAcronym).toEqual({ R: 1, '?': 1 });
  });
});

describe('a student with no records', () => {
  it('when nothing is marked for them, then the percentage is null (shown as "–")', () => {
    const report = buildReport(input({}, { students: [student('zoe')], records: [] }));
    expect(rowOf(report, 'zoe').summary).toEqual({ counts: {}, taken: 0, earned: 0, possible: 0, percentage: null });
  });
});
