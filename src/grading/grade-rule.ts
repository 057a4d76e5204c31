/**
 * The one grade rule, shared by reports, the student's own summary and grade sync. Pure.
 * mod_attendance's rule: points earned ÷ the maximum points of the sessions *taken* for that
 * student (sessions where they are unmarked do not count); no taken session → no grade.
 * Options: count unmarked past sessions as the set's automatic status; leave statuses flagged
 * excused out of both sums.
 */

export interface RuleStatus { id: string; points: number; excused: boolean }

export interface RuleSet {
  statuses: readonly RuleStatus[];
  /** The highest points of the set's statuses: what a session is worth. */
  maxPoints: number;
  autoStatusId: string | null;
}

export interface GradeOptions {
  countUnmarkedAsAuto: boolean;
  excludeExcused: boolean;
}

export const DEFAULT_GRADE_OPTIONS: GradeOptions = Object.freeze({ countUnmarkedAsAuto: false, excludeExcused: false });

/** One session in this student's audience. */
export interface StudentSession {
  statusSetId: string;
  /** Ended sessions are the only ones "count unmarked as automatic" applies to. */
  ended: boolean;
  /** The student's recorded status, if marked. */
  statusId?: string;
}

export interface GradeSummary {
  /** Marked sessions per status id (excused ones included), after the unmarked-as-auto option. */
  counts: Record<string, number>;
  /** Sessions that count as taken for this student. */
  taken: number;
  earned: number;
  possible: number;
  /** 0–100, or null when nothing counts (shown as "–", no grade sent). */
  percentage: number | null;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

export function maxPointsOf(statuses: readonly { points: number }[]): number {
  return statuses.reduce((max, s) => Math.max(max, s.points), 0);
}

/** The status that counts for one session, or undefined when the session does not count. */
export function countedStatus(session: StudentSession, set: RuleSet | undefined, options: GradeOptions): RuleStatus | undefined {
  if (!set) return undefined;
  const id = session.statusId ?? (options.countUnmarkedAsAuto && session.ended ? set.autoStatusId ?? undefined : undefined);
  return id === undefined ? undefined : set.statuses.find((s) => s.id === id);
}

export function summarize(sessions: readonly StudentSession[], sets: ReadonlyMap<string, RuleSet>, options: GradeOptions): GradeSummary {
  const counts: Record<string, number> = {};
  let taken = 0;
  let earned = 0;
  let possible = 0;
  for (const session of sessions) {
    const set = sets.get(session.statusSetId);
    const status = countedStatus(session, set, options);
    if (!status || !set) continue;
    counts[status.id] = (counts[status.id] ?? 0) + 1;
    taken += 1;
    if (options.excludeExcused && status.excused) continue;
    earned += status.points;
    possible += set.maxPoints;
  }
  earned = round2(earned);
  possible = round2(possible);
  return { counts, taken, earned, possible, percentage: possible > 0 ? (earned / possible) * 100 : null };
}

/** The LMS grade for a summary: percentage × max grade, 2 decimals; undefined = send none. */
export function gradeFor(summary: GradeSummary, maxGrade: number): number | undefined {
  return summary.percentage === null ? undefined : round2((summary.percentage / 100) * maxGrade);
}
