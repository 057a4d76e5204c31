import { ActivityModel } from '../courses/activity.model';
import { MemberModel } from '../roster/member.model';
import { Refusal } from '../shared/errors';
import type { Logger } from '../shared/logger';
import { StatusSetModel } from '../status-sets/status-set.model';
import { onAttendanceChanged } from './grade-hooks';
import type { GradeType } from './grading-settings.schema';

/**
 * An activity's grade and report settings (Activity.grading and Activity.reportThreshold), read by
 * the report, the student's summary and grade sync. Scoped by (courseId, activityId).
 */

export interface GradingSettings {
  type: GradeType;
  maxGrade: number;
  /** Reports highlight students below this percentage. */
  reportThreshold: number;
  countUnmarkedAsAuto: boolean;
  excludeExcused: boolean;
}

/** The model's defaults, for activities stored before these settings existed. */
export const DEFAULT_GRADING_SETTINGS: Readonly<GradingSettings> = Object.freeze({
  type: 'points', maxGrade: 100, reportThreshold: 70, countUnmarkedAsAuto: false, excludeExcused: false,
});

/** A status named in the form's hints: "A Absent" of set "Default statuses". */
export interface NamedStatus { set: string; status: string }

export interface RuleStatusHints {
  /** The automatic status of each set that has one. */
  automatic: NamedStatus[];
  /** Every status flagged excused, hidden ones included (old records may use them). */
  excused: NamedStatus[];
  /** With several sets the hints name the set of each status. */
  setCount: number;
}

type ActivityLean = {
  reportThreshold?: number | null;
  grading?: { type?: GradeType | null; maxGrade?: number | null; countUnmarkedAsAuto?: boolean | null; excludeExcused?: boolean | null } | null;
};

function toSettings(a: ActivityLean): GradingSettings {
  const d = DEFAULT_GRADING_SETTINGS;
  const g = a.grading ?? {};
  return {
    type: g.type ?? d.type,
    maxGrade: g.maxGrade ?? d.maxGrade,
    reportThreshold: a.reportThreshold ?? d.reportThreshold,
    countUnmarkedAsAuto: g.countUnmarkedAsAuto ?? d.countUnmarkedAsAuto,
    excludeExcused: g.excludeExcused ?? d.excludeExcused,
  };
}

export async function loadGradingSettings(courseId: string, activityId: string): Promise<GradingSettings> {
  const activity = await ActivityModel.findOne({ _id: activityId, courseId }, { grading: 1, reportThreshold: 1 }).lean<ActivityLean>();
  if (!activity) throw new Refusal('not_found', 'ACTIVITY_NOT_FOUND');
  return toSettings(activity);
}

type SetLean = { name: string; isDefault?: boolean; autoStatusId?: string | null; statuses?: Array<{ _id: string; acronym: string; description: string; order: number; excused?: boolean }> };

export async function loadRuleStatusHints(courseId: string, activityId: string): Promise<RuleStatusHints> {
  const sets = await StatusSetModel.find({ courseId, activityId }, { name: 1, isDefault: 1, autoStatusId: 1, statuses: 1 }).lean<SetLean[]>();
  sets.sort((a, b) => Number(b.isDefault ?? false) - Number(a.isDefault ?? false) || a.name.localeCompare(b.name));
  const hints: RuleStatusHints = { automatic: [], excused: [], setCount: sets.length };
  for (const set of sets) {
    const statuses = [...(set.statuses ?? [])].sort((a, b) => a.order - b.order);
    const label = (s: { acronym: string; description: string }) => ({ set: set.name, status: `${s.acronym} ${s.description}` });
    const auto = statuses.find((s) => s._id === set.autoStatusId);
    if (auto) hints.automatic.push(label(auto));
    hints.excused.push(...statuses.filter((s) => s.excused === true).map(label));
  }
  return hints;
}

/**
 * Whether grades in the LMS may differ after the change: the rule options change every
 * student's percentage, and the grade type and maximum change what is sent. The report
 * threshold only changes highlighting.
 */
export function gradesAffected(before: GradingSettings, after: GradingSettings): boolean {
  return before.type !== after.type || before.maxGrade !== after.maxGrade
    || before.countUnmarkedAsAuto !== after.countUnmarkedAsAuto || before.excludeExcused !== after.excludeExcused;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * Saves all settings in one update. When grades may change, every student of the course is
 * announced to the grade hooks (grade sync listens there); a failing listener is logged, not
 * shown: the settings are saved by then.
 */
export async function saveGradingSettings(
  courseId: string,
  activityId: string,
  next: GradingSettings,
  ctx: { log?: Logger } = {},
): Promise<{ gradesAffected: boolean }> {
  const before = await loadGradingSettings(courseId, activityId);
  const after: GradingSettings = { ...next, maxGrade: round2(next.maxGrade), reportThreshold: round2(next.reportThreshold) };
  const result = await ActivityModel.updateOne({ _id: activityId, courseId }, {
    $set: {
      'grading.type': after.type,
      'grading.maxGrade': after.maxGrade,
      'grading.countUnmarkedAsAuto': after.countUnmarkedAsAuto,
      'grading.excludeExcused': after.excludeExcused,
      reportThreshold: after.reportThreshold,
    },
  });
  if (result.matchedCount === 0) throw new Refusal('not_found', 'ACTIVITY_NOT_FOUND');
  const affected = gradesAffected(before, after);
  if (affected) await announceAllStudents(courseId, activityId, ctx.log);
  return { gradesAffected: affected };
}

async function announceAllStudents(courseId: string, activityId: string, log: Logger | undefined): Promise<void> {
  try {
    // Inactive students too: they keep their records, so their grades change as well.
    const students = await MemberModel.find({ courseId, role: 'student' }, { _id: 0, userId: 1 }).lean<Array<{ userId: string }>>();
    await onAttendanceChanged(courseId, activityId, students.map((s) => s.userId));
  } catch (err) {
    log?.error({ err, courseId, activityId }, 'grade hook failed after a grading settings change');
  }
}
