import { ActivityModel } from '../courses/activity.model';
import { AttendanceSessionModel } from '../sessions/attendance-session.model';
import { isValidTimeZone } from '../sessions/local-time';
import { Refusal } from '../shared/errors';
import type { SessionLean } from '../sessions/sessions.service';
import { NaturalBatcher } from '../shared/natural-batcher';
import { StatusSetModel } from '../status-sets/status-set.model';
import type { settingsFrom } from './self-marking.service';

/**
 * The documents every check-in reads, the session (with its self-marking settings and secret),
 * its status set and (for the form) the activity's time zone, read for concurrent check-ins in
 * one command each
 * (natural-batcher.ts: a read starts after every request it answers arrived, so nobody gets
 * data older than their request). Each request still gets only a document of its own course
 * and activity.
 */

export type CheckInSessionDoc = SessionLean & { selfMarking?: Parameters<typeof settingsFrom>[0]; checkInSecret?: string | null };

type Scoped = { courseId: string; activityId: string; id: string };

function byIdReader<D extends { _id: string; courseId?: unknown; activityId?: unknown }>(find: (ids: string[]) => Promise<D[]>) {
  return new NaturalBatcher<Scoped, D | null>(async (items) => {
    const docs = await find([...new Set(items.map((i) => i.id))]);
    const byId = new Map(docs.map((d) => [d._id, d]));
    return items.map((i) => {
      const doc = byId.get(i.id);
      return { ok: true as const, value: doc && doc.courseId === i.courseId && doc.activityId === i.activityId ? doc : null };
    });
  });
}

type SessionDocScoped = CheckInSessionDoc & { courseId: string; activityId: string };
const sessions = byIdReader<SessionDocScoped>((ids) =>
  AttendanceSessionModel.collection.find<SessionDocScoped>({ _id: { $in: ids as never[] } }, { projection: { createdBy: 0 } }).toArray(),
);

type StatusSetDoc = {
  _id: string; courseId: string; activityId: string;
  statuses: Array<{ _id: string; acronym: string; description: string; order: number; visible?: boolean | null; studentPick?: { mode?: 'never' | 'always' | 'within' | null; minutes?: number | null } | null }>;
};
const statusSets = byIdReader<StatusSetDoc>((ids) => StatusSetModel.collection.find<StatusSetDoc>({ _id: { $in: ids as never[] } }).toArray());

type ActivityZoneDoc = { _id: string; courseId: string; activityId: string; timezone: string };
// An activity's own id is its activityId: the scoped check compares it with itself.
const activities = byIdReader<ActivityZoneDoc>(async (ids) =>
  (await ActivityModel.collection.find<Omit<ActivityZoneDoc, 'activityId'>>({ _id: { $in: ids as never[] } }, { projection: { courseId: 1, timezone: 1 } }).toArray()).map((a) => ({ ...a, activityId: a._id })),
);

/** The activity's time zone (a valid one, else `fallback`); a refusal when it is not in the course. */
export async function readCheckInActivityZone(courseId: string, activityId: string, fallback: string): Promise<string> {
  const activity = await activities.submit({ courseId, activityId, id: activityId });
  if (!activity) throw new Refusal('not_found', 'ACTIVITY_NOT_FOUND');
  return isValidTimeZone(activity.timezone) ? activity.timezone : fallback;
}

/** The session if it belongs to the activity, else null. */
export function readCheckInSession(courseId: string, activityId: string, sessionId: string): Promise<CheckInSessionDoc | null> {
  return sessions.submit({ courseId, activityId, id: sessionId });
}

/** The status set if it belongs to the activity, else null. */
export function readCheckInStatusSet(courseId: string, activityId: string, setId: string): Promise<StatusSetDoc | null> {
  return statusSets.submit({ courseId, activityId, id: setId });
}
