import { GroupModel } from '../groups/group.model';
import { AttendanceSessionModel } from '../sessions/attendance-session.model';

export interface HomeSession {
  startsAt: Date;
  durationMinutes: number;
  description: string;
}

/** The teacher home's summary: how many sessions exist and which one comes next. */
export async function teacherSessionSummary(courseId: string, activityId: string, now: Date): Promise<{ total: number; upcoming: number; next?: HomeSession }> {
  const [total, upcoming, next] = await Promise.all([
    AttendanceSessionModel.countDocuments({ courseId, activityId }),
    AttendanceSessionModel.countDocuments({ courseId, activityId, startsAt: { $gte: now } }),
    AttendanceSessionModel.findOne({ courseId, activityId, startsAt: { $gte: now } }).sort({ startsAt: 1 }).lean(),
  ]);
  return { total, upcoming, next: next ? pick(next) : undefined };
}

/** A student's next sessions: those for everyone and those of the groups they belong to. */
export async function studentUpcomingSessions(courseId: string, activityId: string, userId: string, now: Date, limit = 5): Promise<HomeSession[]> {
  const groups = await GroupModel.find({ courseId, memberIds: userId }, { _id: 1 }).lean();
  const sessions = await AttendanceSessionModel.find({
    courseId,
    activityId,
    startsAt: { $gte: now },
    $or: [{ 'audience.kind': 'all' }, { 'audience.groupId': { $in: groups.map((g) => g._id) } }],
  })
    .sort({ startsAt: 1 })
    .limit(limit)
    .lean();
  return sessions.map(pick);
}

function pick(s: { startsAt: Date; durationMinutes: number; description?: string | null }): HomeSession {
  return { startsAt: s.startsAt, durationMinutes: s.durationMinutes, description: s.description ?? '' };
}
