import { randomUUID } from 'node:crypto';
import { AttendanceRecordModel } from '../attendance/attendance-record.model';
import { newSessionSelfMarking } from '../check-in/activity-defaults.service';
import { onAttendanceChanged } from '../grading/grade-hooks';
import { ActivityModel } from '../courses/activity.model';
import { findGroup, listGroups } from '../groups/group-lookup.service';
import { EditConflict } from '../shared/edit-conflict';
import type { FieldErrors } from '../shared/forms';
import { Refusal } from '../shared/errors';
import { bumpVersion, EditStamp, Editor, stampOf, versionOf } from '../shared/versioned';
import { saveVersioned } from '../shared/versioned-update.service';
import { findStatusSet, listStatusSets } from '../status-sets/status-set-lookup.service';
import { AttendanceSessionModel } from './attendance-session.model';
import { DstNote, isValidTimeZone, localToUtc } from './local-time';
import { ExpandResult, expandWeekly } from './recurrence';
import type { Audience, SeriesInput, SessionInput } from './sessions.schema';

/** Use cases of class meetings. Every query is scoped by (courseId, activityId). */

export interface StoredSession {
  id: string;
  startsAt: Date;
  durationMinutes: number;
  timezone: string;
  description: string;
  audience: { kind: 'all' | 'group'; groupId?: string };
  statusSetId: string;
  seriesId?: string;
  /** The edit form's version (0 for sessions saved before versions existed) and who saved it last. */
  version?: number;
  lastEdit?: EditStamp;
}

/** A session edit from a stale form: the session as stored now, and the input that was refused. */
export type SessionConflict = EditConflict<StoredSession, SessionInput>;

export interface FormOptions {
  timezone: string;
  statusSets: Array<{ id: string; name: string; isDefault: boolean }>;
  groups: Array<{ id: string; name: string }>;
}

export type SaveResult = { ok: true; id: string; endsAt: Date; dst?: DstNote } | { ok: false; errors: FieldErrors; status: number };

export type SessionLean = {
  _id: string; startsAt: Date; durationMinutes: number; timezone: string; description?: string | null; audience: { kind: string; groupId?: string | null };
  statusSetId: string; seriesId?: string | null; version?: number | null; lastEdit?: { by?: string | null; name?: string | null; at?: Date | null } | null;
};

export function toStored(doc: SessionLean): StoredSession {
  return {
    id: doc._id,
    startsAt: doc.startsAt,
    durationMinutes: doc.durationMinutes,
    timezone: doc.timezone,
    description: doc.description ?? '',
    audience: doc.audience.kind === 'group' ? { kind: 'group', groupId: doc.audience.groupId ?? '' } : { kind: 'all' },
    statusSetId: doc.statusSetId,
    seriesId: doc.seriesId ?? undefined,
    version: versionOf(doc),
    lastEdit: stampOf(doc),
  };
}

/** The activity's zone; the configured default if the stored one is somehow unusable. */
export async function activityTimezone(courseId: string, activityId: string, fallback: string): Promise<string> {
  const activity = await ActivityModel.findOne({ _id: activityId, courseId }, { timezone: 1 }).lean();
  if (!activity) throw new Refusal('not_found', 'ACTIVITY_NOT_FOUND');
  return isValidTimeZone(activity.timezone) ? activity.timezone : fallback;
}

export async function loadFormOptions(courseId: string, activityId: string, fallbackZone: string): Promise<FormOptions> {
  const [timezone, statusSets, groups] = await Promise.all([
    activityTimezone(courseId, activityId, fallbackZone),
    listStatusSets(courseId, activityId),
    listGroups(courseId),
  ]);
  return { timezone, statusSets, groups: groups.map((g) => ({ id: g.id, name: g.name })) };
}

/** Ids posted in a form must be this course's / activity's: anything else is "not found". */
async function assertChoices(courseId: string, activityId: string, audience: Audience, statusSetId: string): Promise<void> {
  const [set, group] = await Promise.all([
    findStatusSet(courseId, activityId, statusSetId),
    audience.kind === 'group' ? findGroup(courseId, audience.groupId) : Promise.resolve(true),
  ]);
  if (!set) throw new Refusal('not_found', 'STATUS_SET_NOT_IN_ACTIVITY');
  if (!group) throw new Refusal('not_found', 'GROUP_NOT_IN_COURSE');
}

const storedAudience = (a: Audience) => (a.kind === 'group' ? { kind: 'group', groupId: a.groupId } : { kind: 'all' });

export async function createSession(courseId: string, activityId: string, createdBy: string, input: SessionInput, fallbackZone: string): Promise<SaveResult> {
  const timezone = await activityTimezone(courseId, activityId, fallbackZone);
  const local = localToUtc(input.date, input.startTime, timezone);
  if (!local.ok) return { ok: false, status: 400, errors: { date: `sessions.errors.${local.error}` } };
  await assertChoices(courseId, activityId, input.audience, input.statusSetId);
  const selfMarking = await newSessionSelfMarking(courseId, activityId);
  const id = randomUUID();
  await AttendanceSessionModel.create({
    _id: id, courseId, activityId, startsAt: local.instant, durationMinutes: input.durationMinutes, timezone,
    description: input.description, audience: storedAudience(input.audience), statusSetId: input.statusSetId, createdBy,
    ...selfMarking(),
  });
  return { ok: true, id, endsAt: new Date(local.instant.getTime() + input.durationMinutes * 60_000), dst: local.dst };
}

export const ruleOf = (input: SeriesInput) => ({
  startDate: input.startDate, endDate: input.endDate, weekdays: input.weekdays, everyWeeks: input.everyWeeks,
  startTime: input.startTime, durationMinutes: input.durationMinutes,
});

/** The dates a series form would create, in the activity's zone (the preview). */
export async function planSeries(courseId: string, activityId: string, input: SeriesInput, fallbackZone: string): Promise<{ timezone: string; plan: ExpandResult }> {
  const timezone = await activityTimezone(courseId, activityId, fallbackZone);
  return { timezone, plan: expandWeekly(ruleOf(input), timezone) };
}

/** All or nothing: the whole rule is checked first, then every session goes in one insertMany. */
export async function createSeries(
  courseId: string, activityId: string, createdBy: string, input: SeriesInput, fallbackZone: string,
): Promise<{ ok: true; seriesId: string; count: number } | { ok: false; plan: ExpandResult; timezone: string }> {
  const { timezone, plan } = await planSeries(courseId, activityId, input, fallbackZone);
  if (!plan.ok) return { ok: false, plan, timezone };
  await assertChoices(courseId, activityId, input.audience, input.statusSetId);
  // The activity's self check-in defaults, with a password, secret and public id per session.
  const selfMarking = await newSessionSelfMarking(courseId, activityId);
  const seriesId = randomUUID();
  const docs = plan.occurrences.map((o) => ({
    _id: randomUUID(), courseId, activityId, startsAt: o.startsAt, durationMinutes: input.durationMinutes, timezone,
    description: input.description, audience: storedAudience(input.audience), statusSetId: input.statusSetId, seriesId, createdBy,
    ...selfMarking(),
  }));
  try {
    await AttendanceSessionModel.insertMany(docs, { ordered: true });
  } catch (err) {
    // Without transactions, undo whatever part of the batch reached the server.
    await AttendanceSessionModel.deleteMany({ courseId, activityId, seriesId });
    throw err;
  }
  return { ok: true, seriesId, count: docs.length };
}

export async function listSessions(courseId: string, activityId: string): Promise<StoredSession[]> {
  const docs = await AttendanceSessionModel.find({ courseId, activityId }).sort({ startsAt: 1 }).lean<SessionLean[]>();
  return docs.map(toStored);
}

/** Everything the list page needs. */
export async function loadSessionsPage(courseId: string, activityId: string, fallbackZone: string): Promise<{ options: FormOptions; sessions: StoredSession[] }> {
  const [options, sessions] = await Promise.all([loadFormOptions(courseId, activityId, fallbackZone), listSessions(courseId, activityId)]);
  return { options, sessions };
}

export async function getSession(courseId: string, activityId: string, sessionId: string): Promise<StoredSession> {
  const doc = await AttendanceSessionModel.findOne({ _id: sessionId, courseId, activityId }).lean<SessionLean>();
  if (!doc) throw new Refusal('not_found', 'SESSION_NOT_IN_ACTIVITY');
  return toStored(doc);
}

/** The sessions with these ids, all of which must belong to the activity. */
export async function getSessions(courseId: string, activityId: string, ids: string[]): Promise<StoredSession[]> {
  const unique = [...new Set(ids)];
  const docs = await AttendanceSessionModel.find({ _id: { $in: unique }, courseId, activityId }).sort({ startsAt: 1 }).lean<SessionLean[]>();
  if (docs.length !== unique.length) throw new Refusal('not_found', 'SESSION_NOT_IN_ACTIVITY');
  return docs.map(toStored);
}

export async function countRecords(courseId: string, activityId: string, sessionIds: string[]): Promise<number> {
  return AttendanceRecordModel.countDocuments({ courseId, activityId, sessionId: { $in: sessionIds } });
}

/**
 * Saves the edit form if the session is still at the version the form was rendered from (one
 * conditional update); otherwise throws a SessionConflict with the stored session and the input.
 */
export async function updateSession(
  courseId: string, activityId: string, sessionId: string, input: SessionInput, fallbackZone: string,
  guard: { expected: number; editor: Editor },
): Promise<SaveResult> {
  const existing = await getSession(courseId, activityId, sessionId);
  const timezone = await activityTimezone(courseId, activityId, fallbackZone);
  const local = localToUtc(input.date, input.startTime, timezone);
  if (!local.ok) return { ok: false, status: 400, errors: { date: `sessions.errors.${local.error}` } };
  await assertChoices(courseId, activityId, input.audience, input.statusSetId);
  // Records point at statuses of the session's set; switching sets would orphan them.
  if (input.statusSetId !== existing.statusSetId && (await countRecords(courseId, activityId, [sessionId])) > 0) {
    return { ok: false, status: 409, errors: { statusSetId: 'sessions.errors.status_set_locked' } };
  }
  await saveVersioned(
    {
      model: AttendanceSessionModel,
      scope: { _id: sessionId, courseId, activityId },
      expected: guard.expected,
      editor: guard.editor,
      set: { startsAt: local.instant, durationMinutes: input.durationMinutes, timezone, description: input.description, audience: storedAudience(input.audience), statusSetId: input.statusSetId },
      // A moved or lengthened session is marked automatically at its new end (again, for the still unmarked).
      also: { $unset: { autoMark: 1 } },
    },
    () => new Refusal('not_found', 'SESSION_NOT_IN_ACTIVITY'),
    async () => {
      const current = await getSession(courseId, activityId, sessionId);
      return new EditConflict(current, input, current.version ?? 0, current.lastEdit);
    },
  );
  return { ok: true, id: sessionId, endsAt: new Date(local.instant.getTime() + input.durationMinutes * 60_000), dst: local.dst };
}

/** Deletes the sessions and their attendance records. Records go first: a session left without
 * records is a valid state, records left without a session are not. */
export async function deleteSessions(courseId: string, activityId: string, ids: string[]): Promise<{ sessions: number; records: number }> {
  const sessions = await getSessions(courseId, activityId, ids);
  const sessionIds = sessions.map((s) => s.id);
  // Whose grade changes: read before the records go.
  const affected = (await AttendanceRecordModel.distinct('userId', { courseId, activityId, sessionId: { $in: sessionIds } })) as string[];
  const records = await AttendanceRecordModel.deleteMany({ courseId, activityId, sessionId: { $in: sessionIds } });
  const deleted = await AttendanceSessionModel.deleteMany({ courseId, activityId, _id: { $in: sessionIds } });
  await onAttendanceChanged(courseId, activityId, affected).catch(() => undefined); // the grade-sync listener logs its own failures
  return { sessions: deleted.deletedCount, records: records.deletedCount };
}

/** A bulk change of the edit form's field: moves each session's version on, so open edit forms become stale. */
export async function setDuration(courseId: string, activityId: string, ids: string[], minutes: number, editor?: Editor): Promise<number> {
  const sessions = await getSessions(courseId, activityId, ids);
  const bump = bumpVersion(editor);
  await AttendanceSessionModel.updateMany(
    { courseId, activityId, _id: { $in: sessions.map((s) => s.id) } },
    { $set: { durationMinutes: minutes, ...bump.$set }, $inc: bump.$inc, $unset: { autoMark: 1 } },
    { runValidators: true },
  );
  return sessions.length;
}
