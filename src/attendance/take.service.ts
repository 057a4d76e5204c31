import { DeviceConflictModel } from '../check-in/device-conflict.model';
import { findGroup } from '../groups/group-lookup.service';
import { MemberModel } from '../roster/member.model';
import { AttendanceSessionModel } from '../sessions/attendance-session.model';
import { activityTimezone, getSession, StoredSession } from '../sessions/sessions.service';
import { Refusal } from '../shared/errors';
import { findStatusSet } from '../status-sets/status-set-lookup.service';
import { AttendanceRecordModel } from './attendance-record.model';
import { automaticStatus } from './auto-mark';
import type { RecordSource } from './record-source';
import { CurrentRecord, FormerReason, splitAudience, StatusChoice } from './take-rules';
import { LastChange, readLastChanges } from './take-changes.service';

/**
 * Reading the take page of one session: a fixed number of queries whatever the class size
 * (session, status set, audience, records — one each; the last changes of conflicting rows, two
 * more); the per-student work happens in memory. Saving: take-save.service.ts.
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

/**
 * A stored record as the take page reads it; `deviceId` is set by QR check-ins on phones.
 * `remarkMissing`: the document has no remark field (shown as ''), which a save's filter must match.
 */
export type TakeRecord = CurrentRecord & { deviceId?: string; remarkMissing?: true };

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
  /** The latest audit entry of each student asked for (rows in conflict): who changed it, when, to what. */
  lastChanges?: Map<string, LastChange>;
}

const MEMBER_FIELDS = { userId: 1, givenName: 1, familyName: 1, name: 1, email: 1, role: 1, active: 1 } as const;

type MemberLean = { userId: string; givenName?: string | null; familyName?: string | null; name?: string | null; email?: string | null; role: string; active?: boolean | null };

const toStudent = (m: MemberLean): TakeStudent => ({
  userId: m.userId, givenName: m.givenName ?? '', familyName: m.familyName ?? '', name: m.name ?? '', email: m.email ?? '', role: m.role, active: m.active ?? true,
});

export async function readStatusSet(courseId: string, activityId: string, setId: string): Promise<StatusSetView> {
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
        ...(typeof d.remark === 'string' ? {} : { remarkMissing: true as const }),
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

/** `changesOf`: students whose last change the page explains (conflict rows). */
export async function loadTakePage(
  courseId: string, activityId: string, sessionId: string, fallbackZone: string, opts: { changesOf?: string[] } = {},
): Promise<TakePageData> {
  const [session, timezone] = await Promise.all([getSession(courseId, activityId, sessionId), activityTimezone(courseId, activityId, fallbackZone)]);
  const changesOf = opts.changesOf ?? [];
  const [statusSet, audience, extras, lastChanges] = await Promise.all([
    readStatusSet(courseId, activityId, session.statusSetId),
    loadAudience(courseId, activityId, session),
    readTakeExtras(courseId, activityId, sessionId),
    changesOf.length > 0 ? readLastChanges(courseId, activityId, session.id, changesOf) : undefined,
  ]);
  return { session, timezone, statusSet, ...audience, ...extras, ...(lastChanges ? { lastChanges } : {}) };
}
