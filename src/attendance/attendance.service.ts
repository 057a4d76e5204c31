import { AttendanceRecordModel } from './attendance-record.model';

/** Read-only lookups other features (the sessions list) use; scoped by (courseId, activityId). */

/**
 * How many students have a record (are marked) per session: 0 means attendance was not taken.
 * One aggregation for the whole list; every asked-for id is in the map.
 */
export async function markedCounts(courseId: string, activityId: string, sessionIds: string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>(sessionIds.map((id) => [id, 0]));
  if (sessionIds.length === 0) return counts;
  const rows = await AttendanceRecordModel.aggregate<{ _id: string; n: number }>([
    { $match: { courseId, activityId, sessionId: { $in: [...new Set(sessionIds)] } } },
    { $group: { _id: '$sessionId', n: { $sum: 1 } } },
  ]);
  for (const row of rows) counts.set(row._id, row.n);
  return counts;
}
