import { AttendanceRecordModel } from '../attendance/attendance-record.model';
import { ActivityModel } from '../courses/activity.model';
import { DEFAULT_GRADE_OPTIONS, GradeOptions, maxPointsOf } from '../grading/grade-rule';
import { GroupModel } from '../groups/group.model';
import { MemberModel } from '../roster/member.model';
import { AttendanceSessionModel } from '../sessions/attendance-session.model';
import { Refusal } from '../shared/errors';
import { StatusSetModel } from '../status-sets/status-set.model';
import { buildReport, MarkOrigin, Report, ReportSession, ReportStatusSet, ReportStudent } from './report';

/**
 * Everything a report needs, in one query per collection whatever the class size (no
 * per-student queries), scoped by (courseId, activityId).
 */

export interface ReportFilters {
  /** Sessions starting at or after / before these instants. */
  from?: Date;
  to?: Date;
  /** Only this group's members, and the sessions for all students or for this group. */
  groupId?: string;
  /** Only these students (export of chosen students). */
  userIds?: string[];
  /** Also students the LMS no longer lists (they keep their records). */
  includeInactive?: boolean;
}

export interface ActivityReportSettings {
  title: string;
  timezone: string;
  threshold: number;
  options: GradeOptions;
  gradeType: 'points' | 'none';
  maxGrade: number;
}

export interface LoadedReport {
  report: Report;
  activity: ActivityReportSettings;
  groups: Array<{ id: string; name: string }>;
}

type ActivityLean = { title?: string; timezone: string; reportThreshold?: number; grading?: { type?: 'points' | 'none'; maxGrade?: number; countUnmarkedAsAuto?: boolean; excludeExcused?: boolean } };

export async function loadActivityReportSettings(courseId: string, activityId: string): Promise<ActivityReportSettings> {
  const a = await ActivityModel.findOne({ _id: activityId, courseId }, { title: 1, timezone: 1, reportThreshold: 1, grading: 1 }).lean<ActivityLean>();
  if (!a) throw new Refusal('not_found', 'ACTIVITY_NOT_FOUND');
  return {
    title: a.title ?? '', timezone: a.timezone, threshold: a.reportThreshold ?? 70,
    options: { countUnmarkedAsAuto: a.grading?.countUnmarkedAsAuto ?? DEFAULT_GRADE_OPTIONS.countUnmarkedAsAuto, excludeExcused: a.grading?.excludeExcused ?? DEFAULT_GRADE_OPTIONS.excludeExcused },
    gradeType: a.grading?.type ?? 'points', maxGrade: a.grading?.maxGrade ?? 100,
  };
}

function sessionFilter(courseId: string, activityId: string, f: ReportFilters): Record<string, unknown> {
  const startsAt = { ...(f.from ? { $gte: f.from } : {}), ...(f.to ? { $lt: f.to } : {}) };
  return {
    courseId, activityId,
    ...(Object.keys(startsAt).length > 0 ? { startsAt } : {}),
    ...(f.groupId ? { $or: [{ 'audience.kind': 'all' }, { 'audience.groupId': f.groupId }] } : {}),
  };
}

type MemberLean = { userId: string; givenName?: string; familyName?: string; name?: string; email?: string; username?: string; active?: boolean; createdAt?: Date };
type SessionLean = { _id: string; startsAt: Date; durationMinutes: number; description?: string; audience: { kind: 'all' | 'group'; groupId?: string }; statusSetId: string };
type SetLean = { _id: string; autoStatusId?: string | null; statuses: Array<{ _id: string; acronym: string; description: string; points: number; order: number; excused?: boolean }> };

type RecordLean = { sessionId: string; userId: string; statusId: string; remark?: string; source?: string; selfRecordedAt?: Date | null };

/** Same rule as the take page and the student's page: a check-in stays "self-recorded" after a teacher's override. */
function originOf(r: RecordLean): { origin?: MarkOrigin } {
  if (r.source === 'auto') return { origin: 'auto' };
  if (r.source === 'self' || r.selfRecordedAt) return { origin: 'self' };
  return {};
}

function toStudent(m: MemberLean): ReportStudent {
  return {
    userId: m.userId, givenName: m.givenName ?? '', familyName: m.familyName ?? '', name: m.name || [m.givenName, m.familyName].filter(Boolean).join(' ') || m.userId,
    email: m.email ?? undefined, username: m.username ?? undefined, active: m.active !== false, joinedAt: m.createdAt,
  };
}

function toSet(s: SetLean): ReportStatusSet {
  const statuses = s.statuses.map((x) => ({ id: x._id, acronym: x.acronym, description: x.description, points: x.points, order: x.order, excused: x.excused === true }));
  return { id: s._id, statuses, maxPoints: maxPointsOf(statuses), autoStatusId: s.autoStatusId ?? null };
}

/** One id as a plain value, so the unique (course, student) index answers it on every server. */
const oneOrIn = (ids: readonly string[]): string | { $in: string[] } => (ids.length === 1 && ids[0] !== undefined ? ids[0] : { $in: [...ids] });

export async function loadReport(courseId: string, activityId: string, filters: ReportFilters, now: Date): Promise<LoadedReport> {
  const [activity, sessionDocs, memberDocs, groupDocs, setDocs] = await Promise.all([
    loadActivityReportSettings(courseId, activityId),
    AttendanceSessionModel.find(sessionFilter(courseId, activityId, filters), { startsAt: 1, durationMinutes: 1, description: 1, audience: 1, statusSetId: 1 }).lean<SessionLean[]>(),
    // One student's page (and one grade's delivery) reads that student, not the whole class.
    MemberModel.find(
      { courseId, ...(filters.userIds ? { userId: oneOrIn(filters.userIds) } : {}), role: 'student', ...(filters.includeInactive ? {} : { active: true }) },
      { userId: 1, givenName: 1, familyName: 1, name: 1, email: 1, username: 1, active: 1, createdAt: 1 },
    ).lean<MemberLean[]>(),
    GroupModel.find({ courseId }, { name: 1, memberIds: 1 }).lean<Array<{ _id: string; name: string; memberIds: string[] }>>(),
    StatusSetModel.find({ courseId, activityId }, { autoStatusId: 1, statuses: 1 }).lean<SetLean[]>(),
  ]);
  const sessions: ReportSession[] = sessionDocs.map((d) => ({ id: d._id, startsAt: d.startsAt, durationMinutes: d.durationMinutes, description: d.description ?? '', audience: d.audience, statusSetId: d.statusSetId }));
  const group = filters.groupId ? groupDocs.find((g) => g._id === filters.groupId) : undefined;
  if (filters.groupId && !group) throw new Refusal('not_found', 'GROUP_NOT_IN_COURSE');
  const wanted = filters.userIds ? new Set(filters.userIds) : undefined;
  const members = memberDocs.filter((m) => (!group || group.memberIds.includes(m.userId)) && (!wanted || wanted.has(m.userId)));
  const records = sessions.length === 0 || members.length === 0 ? [] : await AttendanceRecordModel.find(
    {
      courseId, activityId,
      // Every session of the activity is shown: no list of ids to match (much faster on large classes).
      ...(filters.from || filters.to || filters.groupId ? { sessionId: { $in: sessions.map((s) => s.id) } } : {}),
      // One student's page reads one student's records, not the class's.
      ...(wanted ? { userId: oneOrIn([...wanted]) } : {}),
    },
    { _id: 0, sessionId: 1, userId: 1, statusId: 1, remark: 1, source: 1, selfRecordedAt: 1 },
  ).lean<RecordLean[]>();
  const report = buildReport({
    students: members.map(toStudent), sessions,
    records: records.map((r) => ({ sessionId: r.sessionId, userId: r.userId, statusId: r.statusId, remark: r.remark ?? '', ...originOf(r) })),
    sets: setDocs.map(toSet), groups: new Map(groupDocs.map((g) => [g._id, new Set(g.memberIds)])), options: activity.options, now,
  });
  return { report, activity, groups: groupDocs.map((g) => ({ id: g._id, name: g.name })).sort((a, b) => a.name.localeCompare(b.name)) };
}
