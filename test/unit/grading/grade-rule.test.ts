import {
  countedStatus, DEFAULT_GRADE_OPTIONS, GradeOptions, gradeFor, maxPointsOf, RuleSet, RuleStatus, StudentSession, summarize,
} from '../../../src/grading/grade-rule';

/**
 * The one grade rule, with every expected number computed by hand (the comment beside each
 * shows the arithmetic). mod_attendance's default set: P 2, L 1, E 1 (excused), A 0 → a session
 * is worth 2 points.
 */

const P: RuleStatus = { id: 'P', points: 2, excused: false };
const L: RuleStatus = { id: 'L', points: 1, excused: false };
const E: RuleStatus = { id: 'E', points: 1, excused: true };
const A: RuleStatus = { id: 'A', points: 0, excused: false };

function ruleSet(statuses: RuleStatus[], autoStatusId: string | null = null): RuleSet {
  return { statuses, maxPoints: maxPointsOf(statuses), autoStatusId };
}

const DEFAULT = ruleSet([P, L, E, A], 'A');
const SETS = new Map([['default', DEFAULT]]);

/** Ended sessions of the default set, one per status id (undefined = unmarked). */
const marked = (...ids: Array<string | undefined>): StudentSession[] => ids.map((statusId) => ({ statusSetId: 'default', ended: true, statusId }));

const off = DEFAULT_GRADE_OPTIONS;
const withOptions = (over: Partial<GradeOptions>): GradeOptions => ({ ...DEFAULT_GRADE_OPTIONS, ...over });

describe('the maximum points of a set', () => {
  it.each<[string, Array<{ points: number }>, number]>([
    ['the default set', [P, L, E, A], 2],
    ['a set whose best status is not first', [{ points: 0 }, { points: 1.5 }, { points: 0.25 }], 1.5],
    ['a set of zero-point statuses', [{ points: 0 }], 0],
    ['an empty set', [], 0],
  ])('when it is %s, then it is %p', (_name, statuses, expected) => {
    expect(maxPointsOf(statuses)).toBe(expected);
  });
});

describe('summarize: the default rule (only marked sessions count)', () => {
  it('when a student has P, P, L, A, then 5 of 8 points, 62.5 %', () => {
    const s = summarize(marked('P', 'P', 'L', 'A'), SETS, off);
    // earned 2 + 2 + 1 + 0 = 5; possible 4 sessions × 2 = 8; 5 / 8 = 62.5 %
    expect(s).toEqual({ counts: { P: 2, L: 1, A: 1 }, taken: 4, earned: 5, possible: 8, percentage: 62.5 });
  });

  it('when some sessions are unmarked, then they count in neither sum', () => {
    const s = summarize(marked('P', undefined, 'L', undefined), SETS, off);
    // earned 2 + 1 = 3; possible 2 taken × 2 = 4; 3 / 4 = 75 %
    expect(s).toEqual({ counts: { P: 1, L: 1 }, taken: 2, earned: 3, possible: 4, percentage: 75 });
  });

  it('when a student has no records at all, then there is no percentage and no grade', () => {
    const s = summarize(marked(undefined, undefined), SETS, off);
    expect(s).toEqual({ counts: {}, taken: 0, earned: 0, possible: 0, percentage: null });
    expect(gradeFor(s, 100)).toBeUndefined();
  });

  it('when a student has no sessions at all, then there is no percentage', () => {
    expect(summarize([], SETS, off).percentage).toBeNull();
  });

  it('when E is recorded and the option is off, then it counts like any status', () => {
    const s = summarize(marked('P', 'E', 'L'), SETS, off);
    // earned 2 + 1 + 1 = 4; possible 3 × 2 = 6; 4 / 6 = 66.666… %
    expect(s.earned).toBe(4);
    expect(s.possible).toBe(6);
    expect(s.percentage).toBeCloseTo(66.6667, 4);
  });
});

describe('summarize: count unmarked past sessions as the automatic status', () => {
  const sessions: StudentSession[] = [
    { statusSetId: 'default', ended: true, statusId: 'P' },
    { statusSetId: 'default', ended: true }, // unmarked, ended → A
    { statusSetId: 'default', ended: false }, // unmarked, not ended yet → not counted
  ];

  it('when the option is off, then only the marked session counts', () => {
    // earned 2; possible 1 × 2 = 2; 100 %
    expect(summarize(sessions, SETS, off)).toEqual({ counts: { P: 1 }, taken: 1, earned: 2, possible: 2, percentage: 100 });
  });

  it('when the option is on, then the ended unmarked session counts as A and the running one does not', () => {
    const s = summarize(sessions, SETS, withOptions({ countUnmarkedAsAuto: true }));
    // earned 2 + 0 (A) = 2; possible 2 × 2 = 4; 2 / 4 = 50 %
    expect(s).toEqual({ counts: { P: 1, A: 1 }, taken: 2, earned: 2, possible: 4, percentage: 50 });
  });

  it('when the option is on but the set has no automatic status, then unmarked sessions still do not count', () => {
    const sets = new Map([['default', ruleSet([P, L, E, A], null)]]);
    // earned 2; possible 2; 100 %
    expect(summarize(sessions, sets, withOptions({ countUnmarkedAsAuto: true })).percentage).toBe(100);
  });

  it('when the option is on and the automatic status is P, then an ended unmarked session earns full points', () => {
    const sets = new Map([['default', ruleSet([P, L, E, A], 'P')]]);
    const s = summarize(marked('A', undefined), sets, withOptions({ countUnmarkedAsAuto: true }));
    // earned 0 (A) + 2 (auto P) = 2; possible 2 × 2 = 4; 50 %
    expect([s.earned, s.possible, s.percentage]).toEqual([2, 4, 50]);
  });

  it('when only future sessions are unmarked and the option is on, then there is still no percentage', () => {
    const future: StudentSession[] = [{ statusSetId: 'default', ended: false }];
    expect(summarize(future, SETS, withOptions({ countUnmarkedAsAuto: true })).percentage).toBeNull();
  });
});

describe('summarize: leave excused sessions out of the grade', () => {
  it('when the option is on, then E counts in neither sum but is still counted as taken', () => {
    const s = summarize(marked('P', 'E', 'L'), SETS, withOptions({ excludeExcused: true }));
    // earned 2 + 1 = 3 (E left out); possible 2 × 2 = 4; 3 / 4 = 75 %
    expect(s).toEqual({ counts: { P: 1, E: 1, L: 1 }, taken: 3, earned: 3, possible: 4, percentage: 75 });
  });

  it('when the option is on and a student has only E, then there is no percentage', () => {
    const s = summarize(marked('E', 'E'), SETS, withOptions({ excludeExcused: true }));
    // earned 0, possible 0 → nothing to divide
    expect(s).toEqual({ counts: { E: 2 }, taken: 2, earned: 0, possible: 0, percentage: null });
    expect(gradeFor(s, 100)).toBeUndefined();
  });

  it('when the option is off and a student has only E, then E is 1 of 2 points', () => {
    // earned 1 + 1 = 2; possible 2 × 2 = 4; 50 %
    expect(summarize(marked('E', 'E'), SETS, off).percentage).toBe(50);
  });

  it('when both options are on and the automatic status is excused, then ended unmarked sessions are left out too', () => {
    const sets = new Map([['default', ruleSet([P, L, E, A], 'E')]]);
    const s = summarize(marked('L', undefined), sets, { countUnmarkedAsAuto: true, excludeExcused: true });
    // earned 1 (L); possible 2 (the auto E is left out); 50 %
    expect(s).toEqual({ counts: { L: 1, E: 1 }, taken: 2, earned: 1, possible: 2, percentage: 50 });
  });
});

describe('summarize: several status sets and odd data', () => {
  // A lab set: Done 5, Half 2.5, Missed 0 → a lab session is worth 5 points.
  const LAB = ruleSet([{ id: 'D', points: 5, excused: false }, { id: 'H', points: 2.5, excused: false }, { id: 'M', points: 0, excused: false }], 'M');
  const TWO_SETS = new Map([['default', DEFAULT], ['lab', LAB]]);

  it('when sessions use sets with different maximum points, then each session adds its own set maximum', () => {
    const sessions: StudentSession[] = [
      { statusSetId: 'default', ended: true, statusId: 'P' },
      { statusSetId: 'lab', ended: true, statusId: 'H' },
      { statusSetId: 'lab', ended: true, statusId: 'D' },
    ];
    const s = summarize(sessions, TWO_SETS, off);
    // earned 2 + 2.5 + 5 = 9.5; possible 2 + 5 + 5 = 12; 9.5 / 12 = 79.1666… %
    expect([s.earned, s.possible, s.taken]).toEqual([9.5, 12, 3]);
    expect(s.percentage).toBeCloseTo(79.1667, 4);
    // grade out of 10: 79.1666… % × 10 = 7.91666… → 7.92
    expect(gradeFor(s, 10)).toBe(7.92);
  });

  it('when a status id is not in the session\'s set, then the session is ignored', () => {
    const sessions: StudentSession[] = [
      { statusSetId: 'default', ended: true, statusId: 'P' },
      { statusSetId: 'default', ended: true, statusId: 'ghost' }, // deleted or foreign status
      { statusSetId: 'default', ended: true, statusId: 'D' }, // a lab status on a default-set session
    ];
    // earned 2; possible 2; 100 %
    expect(summarize(sessions, TWO_SETS, off)).toEqual({ counts: { P: 1 }, taken: 1, earned: 2, possible: 2, percentage: 100 });
  });

  it('when the session\'s set is unknown, then the session is ignored', () => {
    const sessions: StudentSession[] = [{ statusSetId: 'gone', ended: true, statusId: 'P' }];
    expect(summarize(sessions, TWO_SETS, off).percentage).toBeNull();
    expect(countedStatus(sessions[0]!, undefined, off)).toBeUndefined();
  });
});

describe('points with decimals', () => {
  // Full 1.5, Quarter 0.25, None 0 → a session is worth 1.5 points.
  const FRACTIONS = new Map([['f', ruleSet([{ id: 'F', points: 1.5, excused: false }, { id: 'Q', points: 0.25, excused: false }, { id: 'N', points: 0, excused: false }])]]);
  const sessions = (...ids: string[]): StudentSession[] => ids.map((statusId) => ({ statusSetId: 'f', ended: true, statusId }));

  it('when a student has F, Q, Q, then 2 of 4.5 points and grades are rounded to 2 decimals', () => {
    const s = summarize(sessions('F', 'Q', 'Q'), FRACTIONS, off);
    // earned 1.5 + 0.25 + 0.25 = 2; possible 3 × 1.5 = 4.5; 2 / 4.5 = 44.444… %
    expect([s.earned, s.possible]).toEqual([2, 4.5]);
    expect(s.percentage).toBeCloseTo(44.4444, 4);
    expect(gradeFor(s, 100)).toBe(44.44); // 44.444… → 44.44
    expect(gradeFor(s, 7.5)).toBe(3.33); // 0.4444… × 7.5 = 3.333… → 3.33
    expect(gradeFor(s, 9)).toBe(4); // 0.4444… × 9 = 4 exactly
  });

  it('when a student has Q, Q, Q, then 0.75 of 4.5 points, one sixth of the grade', () => {
    const s = summarize(sessions('Q', 'Q', 'Q'), FRACTIONS, off);
    // earned 3 × 0.25 = 0.75; possible 4.5; 0.75 / 4.5 = 16.666… %
    expect([s.earned, s.possible]).toEqual([0.75, 4.5]);
    expect(gradeFor(s, 100)).toBe(16.67); // 16.666… → 16.67
    expect(gradeFor(s, 10)).toBe(1.67); // 1.666… → 1.67
  });

  it('when sums of cents meet binary floating point, then earned and possible are still exact to the cent', () => {
    const TENTHS = new Map([['t', ruleSet([{ id: 'T', points: 0.1, excused: false }, { id: 'U', points: 0.2, excused: false }])]]);
    const s = summarize(['T', 'U', 'U'].map((statusId) => ({ statusSetId: 't', ended: true, statusId })), TENTHS, off);
    // earned 0.1 + 0.2 + 0.2 = 0.5 (not 0.5000000000000001); possible 3 × 0.2 = 0.6 (not 0.6000000000000001); 83.333… %
    expect([s.earned, s.possible]).toEqual([0.5, 0.6]);
    expect(gradeFor(s, 100)).toBe(83.33);
  });

  it('when the percentage is 100, then the grade is the maximum grade exactly', () => {
    const s = summarize(sessions('F', 'F'), FRACTIONS, off);
    expect(gradeFor(s, 12.34)).toBe(12.34);
  });
});
