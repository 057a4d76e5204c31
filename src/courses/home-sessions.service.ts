import { GroupModel } from '../groups/group.model';
import { AttendanceSessionModel } from '../sessions/attendance-session.model';
import { earliestStartNotEnded, isUpcoming, timingOf } from '../sessions/session-timing';

export interface HomeSession {
  id: string;
  startsAt: Date;
  durationMinutes: number;
  description: string;
}

export interface TeacherSessionSummary {
  total: number;
  /** Not ended yet (session-timing.ts), running ones included: the Sessions list's "Upcoming". */
  upcoming: number;
  /** Started and not ended, soonest start first: the home's "Now" card. */
  running: HomeSession[];
  /** The next session that has not started yet. */
  next?: HomeSession;
}

type SessionLean = { _id: string; startsAt: Date; durationMinutes: number; description?: string | null };

/**
 * Sessions that may not have ended yet: a bounded query (no meeting is longer than the model
 * allows), then the shared pure rule decides, so the database and the Sessions list never differ.
 */
async function notEnded(filter: Record<string, unknown>, now: Date): Promise<HomeSession[]> {
  const docs = await AttendanceSessionModel.find({ ...filter, startsAt: { $gt: earliestStartNotEnded(now) } }, { startsAt: 1, durationMinutes: 1, description: 1 })
    .sort({ startsAt: 1 })
    .lean<SessionLean[]>();
  return docs.map(pick).filter((s) => isUpcoming(s, now));
}

/** The teacher home's summary: how many sessions exist, which are running and which one comes next. */
export async function teacherSessionSummary(courseId: string, activityId: string, now: Date): Promise<TeacherSessionSummary> {
  const [total, upcoming] = await Promise.all([
    AttendanceSessionModel.countDocuments({ courseId, activityId }),
    notEnded({ courseId, activityId }, now),
  ]);
  return {
    total,
    upcoming: upcoming.length,
    running: upcoming.filter((s) => timingOf(s, now) === 'now'),
    next: upcoming.find((s) => timingOf(s, now) === 'later'),
  };
}

/** A student's sessions not ended yet: those for everyone and those of the groups they belong to. */
export async function studentUpcomingSessions(courseId: string, activityId: string, userId: string, now: Date, limit = 5): Promise<HomeSession[]> {
  const groups = await GroupModel.find({ courseId, memberIds: userId }, { _id: 1 }).lean();
  const sessions = await notEnded({
    courseId,
    activityId,
    $or: [{ 'audience.kind': 'all' }, { 'audience.groupId': { $in: groups.map((g) => g._id) } }],
  }, now);
  return sessions.slice(0, limit);
}

function pick(s: SessionLean): HomeSession {
  return { id: String(s._id), startsAt: s.startsAt, durationMinutes: s.durationMinutes, description: s.description ?? '' };
}
