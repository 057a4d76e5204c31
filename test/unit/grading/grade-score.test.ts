import { decideScore, ScoreInput } from '../../../src/grading/grade-score';

const now = new Date('2030-05-06T07:08:09.010Z');
const base: ScoreInput = { userId: 'u1', gradeType: 'points', maxGrade: 100, grade: 50, previous: undefined, now };

describe('decideScore: what one student gets in the LMS gradebook', () => {
  it('when there is a grade, then the score carries it with the maximum, Completed / FullyGraded and the time', () => {
    expect(decideScore(base)).toEqual({
      kind: 'send', given: 50,
      score: { userId: 'u1', scoreGiven: 50, scoreMaximum: 100, activityProgress: 'Completed', gradingProgress: 'FullyGraded', timestamp: '2030-05-06T07:08:09.010Z' },
    });
  });

  it('when the maximum is not 100, then scoreMaximum is the max grade', () => {
    expect(decideScore({ ...base, grade: 5.63, maxGrade: 7.5 })).toMatchObject({ score: { scoreGiven: 5.63, scoreMaximum: 7.5 } });
  });

  it('when the grade is 0, then 0 is sent (a zero is a grade)', () => {
    expect(decideScore({ ...base, grade: 0 })).toMatchObject({ kind: 'send', given: 0, score: { scoreGiven: 0 } });
  });

  it.each<[string, Partial<ScoreInput>]>([
    ['a grade', {}],
    ['no grade but an earlier score', { grade: undefined, previous: 40 }],
  ])('when the grade type is none and there is %s, then nothing is sent', (_name, over) => {
    expect(decideScore({ ...base, ...over, gradeType: 'none' })).toEqual({ kind: 'skip', reason: 'grade_type_none' });
  });

  it.each<[string, number | null | undefined]>([
    ['nothing was ever sent', undefined],
    ['the last thing sent was already a clearing score', null],
  ])('when there is no grade and %s, then nothing is sent', (_name, previous) => {
    expect(decideScore({ ...base, grade: undefined, previous })).toEqual({ kind: 'skip', reason: 'no_grade' });
  });

  it.each([40, 0])('when there is no grade but %p was sent before, then a clearing score (no scoreGiven) is sent', (previous) => {
    expect(decideScore({ ...base, grade: undefined, previous })).toEqual({
      kind: 'send', given: null,
      score: { userId: 'u1', activityProgress: 'Initialized', gradingProgress: 'NotReady', timestamp: '2030-05-06T07:08:09.010Z' },
    });
  });
});
