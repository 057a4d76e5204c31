import type { AgsScore } from '../lti/lti-services';

/**
 * What to send to the LMS gradebook for one student. Pure.
 *
 * - Grade type `none`: nothing, ever (not even a clearing score).
 * - A grade (the shared rule, 2 decimals): scoreGiven = grade, scoreMaximum = the activity's
 *   max grade, activityProgress `Completed`, gradingProgress `FullyGraded`. Attendance is a
 *   running total (`InProgress` would describe the term better), but `Completed` +
 *   `FullyGraded` is the conventional "this is the grade to show now" pair (Moodle keeps
 *   scoreGiven only with `FullyGraded`), and the next change simply replaces it: the last
 *   score wins.
 * - No grade (no session counts for the student): nothing, unless we sent a score before; then
 *   a clearing score (no scoreGiven, `Initialized` / `NotReady`), which AGS defines as
 *   "remove the grade", so a deleted session or a changed rule cannot leave a stale grade.
 */

export type ScoreDecision =
  | { kind: 'skip'; reason: 'grade_type_none' | 'no_grade' }
  | { kind: 'send'; score: AgsScore; given: number | null };

export interface ScoreInput {
  userId: string;
  gradeType: 'points' | 'none';
  maxGrade: number;
  /** gradeFor(summary, maxGrade): undefined when nothing counts. */
  grade: number | undefined;
  /** The last score this tool sent for the pair: a number, null (a clearing score) or undefined (never sent). */
  previous: number | null | undefined;
  now: Date;
}

export function decideScore(input: ScoreInput): ScoreDecision {
  if (input.gradeType === 'none') return { kind: 'skip', reason: 'grade_type_none' };
  const timestamp = input.now.toISOString();
  if (input.grade === undefined) {
    if (typeof input.previous !== 'number') return { kind: 'skip', reason: 'no_grade' };
    return { kind: 'send', given: null, score: { userId: input.userId, activityProgress: 'Initialized', gradingProgress: 'NotReady', timestamp } };
  }
  return {
    kind: 'send',
    given: input.grade,
    score: {
      userId: input.userId, scoreGiven: input.grade, scoreMaximum: input.maxGrade,
      activityProgress: 'Completed', gradingProgress: 'FullyGraded', timestamp,
    },
  };
}
