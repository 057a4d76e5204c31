import { randomUUID } from 'node:crypto';
import { DeviceConflictModel } from '../check-in/device-conflict.model';
import { findGroup } from '../groups/group-lookup.service';
import { onAttendanceChanged } from '../grading/grade-hooks';
import { MemberModel } from '../roster/member.model';
import { AttendanceSessionModel } from '../sessions/attendance-session.model';
import { activityTimezone, getSession, StoredSession } from '../sessions/sessions.service';
import { Refusal } from '../shared/errors';
import type { Logger } from '../shared/logger';
import { findStatusSet } from '../status-sets/status-set-lookup.service';
import { AttendanceRecordModel } from './attendance-record.model';
import { AuditEntryModel } from './audit-entry.model';
import { automaticStatus } from './auto-mark';
import type { RecordSource } from './record-source';
import {
  CurrentRecord, diffRows, FormerReason, PostedRow, RecordChange, RowProblem, splitAudience, StatusChoice, validateRows,
} from './take-rules';
import { isDuplicateKey } from '../shared/database-errors';

/**
 * Taking attendance for one session. Every request does a fixed number of queries whatever the
 * class size (session, status set, audience, records — one each), one bulkWrite and one
 * insertMany; the per-student work happens in memory.
 *
 * There are no transactions: a save reads the current records once, diffs, then writes. Two
 * teachers saving the same rows at the same moment each write their own values (the later write
 * wins, the unique (sessionId, userId) index keeps one record per student), and both changes are
 * in the audit trail — but both entries name the same "from", the value both of them read.
 */

export interface TakeStudent {
  userId: string;
  givenName: string;
  familyName: string;
  name: string;
  email: string;
  role: string;
  active: boolean;
}

export interface StatusSetView {
  id: string;
  name: string;
  /** In the set's order, hidden ones included. */
  statuses: StatusChoice[];
  /** Given to the unmarked when the session ends; null/absent = none. */
  autoStatusId?: string | null;
}

/** A stored record as the take page reads it; `deviceId` is set by QR check-ins on phones. */
export type TakeRecord = CurrentRecord & { deviceId?: string };

/** A check-in refused because the phone had already checked in `otherUserId` (one device per student). */
export interface DeviceConflict {
  userId: string;
  otherUserId: string;
  at: Date;
}

/** The session's automatic-marking bookkeeping (auto-mark.service.ts). */
export interface AutoMarkInfo {
  createdAt?: Date;
  doneAt?: Date;
  outcome?: string;
  inserted?: number;
}

/** Who the session is for, and what is recorded: shared by the take page and automatic marking. */
export interface AudienceData {
  groupName?: string;
  /** Active students of the audience (unsorted; the presenter sorts). */
  students: TakeStudent[];
  former: Array<{ userId: string; student?: TakeStudent; reason: FormerReason }>;
  records: Map<string, TakeRecord>;
}

export interface TakePageData extends AudienceData {
  session: StoredSession;
  timezone: string;
  statusSet: StatusSetView;
  /** Refused check-ins on a phone already used by another student, oldest first. */
  deviceConflicts?: DeviceConflict[];
  autoMark?: AutoMarkInfo;
}

const MEMBER_FIELDS = { userId: 1, givenName: 1, familyName: 1, name: 1, email: 1, role: 1, active: 1 } as const;

type MemberLean = { userId: string; givenName?: string | null; familyName?: string | null; name?: string | null; email?: string | null; role: string; active?: boolean | null };

const toStudent = (m: MemberLean): TakeStudent => ({
  userId: m.userId, givenName: m.givenName ?? '', familyName: m.familyName ?? '', name: m.name ?? '', email: m.email ?? '', role: m.role, active: m.active ?? true,
});

async function readStatusSet(courseId: string, activityId: string, setId: string): Promise<StatusSetView> {
  const set = await findStatusSet(courseId, activityId, setId);
  if (!set) throw new Refusal('not_found', 'STATUS_SET_NOT_IN_ACTIVITY');
  const statuses = [...set.statuses]
    .sort((a, b) => a.order - b.order)
    .map((s) => ({ id: s._id, acronym: s.acronym, description: s.description, visible: s.visible ?? true }));
  return { id: set._id, name: set.name, statuses, autoStatusId: automaticStatus(set) };
}

export async function readRecords(courseId: string, activityId: string, sessionId: string): Promise<Map<string, TakeRecord>> {
  const docs = await AttendanceRecordModel.find(
    { courseId, activityId, sessionId },
    { userId: 1, statusId: 1, remark: 1, source: 1, selfRecordedAt: 1, deviceId: 1 },
  ).lean();
  return new Map(
    docs.map((d) => [
      d.userId,
      {
        userId: d.userId, statusId: d.statusId, remark: d.remark ?? '', source: (d.source ?? 'teacher') as RecordSource,
        selfRecordedAt: d.selfRecordedAt ?? undefined, ...(d.deviceId ? { deviceId: d.deviceId } : {}),
      },
    ]),
  );
}

/** One query: the audience's candidates plus everyone who already has a record. */
async function readMembers(courseId: string, groupMemberIds: string[] | undefined, recordUserIds: string[]): Promise<TakeStudent[]> {
  const filter = groupMemberIds
    ? { courseId, userId: { $in: [...groupMemberIds, ...recordUserIds] } }
    : { courseId, $or: [{ role: 'student', active: true }, { userId: { $in: recordUserIds } }] };
  const docs = await MemberModel.find(filter, MEMBER_FIELDS).lean<MemberLean[]>();
  return docs.map(toStudent);
}

/**
 * The session's audience exactly as the take page lists it: active students of the course, or
 * the active members of its group, plus (as `former`) whoever has a record but left.
 */
export async function loadAudience(courseId: string, activityId: string, session: StoredSession): Promise<AudienceData> {
  const groupId = session.audience.kind === 'group' ? session.audience.groupId ?? '' : undefined;
  const [group, records] = await Promise.all([
    groupId === undefined ? Promise.resolve(undefined) : findGroup(courseId, groupId),
    readRecords(courseId, activityId, session.id),
  ]);
  // A group session whose group is gone has nobody left in its audience.
  const groupMembers = groupId === undefined ? undefined : group?.memberIds ?? [];
  const members = await readMembers(courseId, groupMembers, [...records.keys()]);
  const split = splitAudience(members, records.keys(), groupMembers ? new Set(groupMembers) : undefined);
  return {
    groupName: group?.name,
    students: split.students,
    former: split.former.map((f) => ({ userId: f.userId, student: f.member, reason: f.reason })),
    records,
  };
}

/** The page's side facts: device conflicts (one query) and the automatic-marking state (one query). */
async function readTakeExtras(courseId: string, activityId: string, sessionId: string): Promise<Pick<TakePageData, 'deviceConflicts' | 'autoMark'>> {
  const [conflicts, doc] = await Promise.all([
    DeviceConflictModel.find({ courseId, activityId, sessionId }, { userId: 1, otherUserId: 1, at: 1 }).sort({ at: 1 }).lean(),
    AttendanceSessionModel.findOne({ _id: sessionId, courseId, activityId }, { createdAt: 1, autoMark: 1 }).lean(),
  ]);
  const done = doc?.autoMark;
  return {
    deviceConflicts: conflicts.map((c) => ({ userId: c.userId, otherUserId: c.otherUserId, at: c.at })),
    autoMark: { createdAt: doc?.createdAt ?? undefined, doneAt: done?.doneAt ?? undefined, outcome: done?.outcome ?? undefined, inserted: done?.inserted ?? undefined },
  };
}

export async function loadTakePage(courseId: string, activityId: string, sessionId: string, fallbackZone: string): Promise<TakePageData> {
  const [session, timezone] = await Promise.all([getSession(courseId, activityId, sessionId), activityTimezone(courseId, activityId, fallbackZone)]);
  const [statusSet, audience, extras] = await Promise.all([
    readStatusSet(courseId, activityId, session.statusSetId),
    loadAudience(courseId, activityId, session),
    readTakeExtras(courseId, activityId, sessionId),
  ]);
  return { session, timezone, statusSet, ...audience, ...extras };
}

export type SaveOutcome = { ok: true; changed: number; changedUserIds: string[] } | { ok: false; problems: RowProblem[] };

export interface SaveDeps {
  now: () => Date;
  log?: Logger;
}

/**
 * Upserts keyed by (sessionId, userId) only: that is the unique index, so the database finds
 * the record through it (the stand-in uses an index only when a filter names exactly its
 * fields). The session was already checked to be this course's and activity's.
 * The ops go to the driver directly, with the timestamps mongoose would add: mongoose's
 * per-op casting cost more than the write itself for a 500-student class, and every value here
 * is already a plain string or date.
 */
function recordOps(courseId: string, activityId: string, session: StoredSession, actorId: string, changes: RecordChange[], now: Date) {
  return changes.map((c) => ({
    updateOne: {
      filter: { sessionId: session.id, userId: c.userId },
      update: {
        $set: {
          statusSetId: session.statusSetId, statusId: c.to.statusId, remark: c.to.remark, updatedBy: actorId, updatedAt: now,
          // A teacher's remark on a check-in leaves it a check-in; a new status makes it the teacher's.
          ...(c.statusChanged ? { source: 'teacher' as const } : {}),
        },
        $setOnInsert: { _id: randomUUID(), courseId, activityId, createdAt: now, __v: 0 },
      },
      upsert: true,
    },
  }));
}

/**
 * Two saves inserting the same student's first record at once: one upsert loses with E11000.
 * Running the same batch again is harmless (same values) and now updates the winner's record.
 */
async function writeRecords(ops: ReturnType<typeof recordOps>): Promise<void> {
  const collection = AttendanceRecordModel.collection;
  try {
    await collection.bulkWrite(ops, { ordered: false });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    await collection.bulkWrite(ops, { ordered: false });
  }
}

function auditEntries(courseId: string, activityId: string, sessionId: string, actorId: string, at: Date, changes: RecordChange[]) {
  return changes.map((c) => ({ _id: randomUUID(), courseId, activityId, sessionId, userId: c.userId, actorId, at, from: c.from, to: c.to, source: 'teacher' as const }));
}

/**
 * Validates the whole form, then writes only the rows that changed (one bulkWrite of upserts)
 * and their audit entries (one insertMany), then tells grading which students' status changed.
 * Submitting the same form twice writes nothing the second time.
 */
export async function saveAttendance(
  courseId: string, activityId: string, sessionId: string, actorId: string, rows: PostedRow[], deps: SaveDeps,
): Promise<SaveOutcome> {
  const userIds = [...new Set(rows.map((r) => r.userId))];
  const [session, current, members] = await Promise.all([
    getSession(courseId, activityId, sessionId),
    readRecords(courseId, activityId, sessionId),
    MemberModel.find({ courseId, userId: { $in: userIds } }, { userId: 1 }).lean(),
  ]);
  const statusSet = await readStatusSet(courseId, activityId, session.statusSetId);
  const problems = validateRows(rows, {
    statuses: new Map(statusSet.statuses.map((s) => [s.id, s])),
    courseUserIds: new Set(members.map((m) => m.userId)),
    current,
  });
  if (problems.length > 0) return { ok: false, problems };
  const changes = diffRows(rows, current);
  if (changes.length === 0) return { ok: true, changed: 0, changedUserIds: [] };
  const now = deps.now();
  await writeRecords(recordOps(courseId, activityId, session, actorId, changes, now));
  // lean: the entries are complete plain objects; hydrating 500 documents would double the save time.
  await AuditEntryModel.insertMany(auditEntries(courseId, activityId, session.id, actorId, now, changes), { ordered: true, lean: true });
  // Grades depend on statuses only; a remark-only change recomputes nothing.
  const changedUserIds = changes.filter((c) => c.statusChanged).map((c) => c.userId);
  try {
    await onAttendanceChanged(courseId, activityId, changedUserIds);
  } catch (err) {
    // The marks are saved; a failing grade listener must not turn the save into an error page.
    deps.log?.error({ err, courseId, activityId, sessionId }, 'grade hook failed after saving attendance');
  }
  return { ok: true, changed: changes.length, changedUserIds };
}
