import { MemberModel } from '../roster/member.model';
import { activityTimezone, getSession, StoredSession } from '../sessions/sessions.service';
import { Refusal } from '../shared/errors';
import { findStatusSet } from '../status-sets/status-set-lookup.service';
import { AuditEntryModel } from './audit-entry.model';
import type { RecordSource } from './record-source';

/** The audit trail of one session (or of one student in it), newest first. */

/** A page of history stays readable and fast; older entries are summarised as "more". */
export const HISTORY_LIMIT = 1000;

export interface HistoryEntry {
  userId: string;
  actorId: string;
  at: Date;
  from: { statusId: string | null; remark: string };
  to: { statusId: string; remark: string };
  source: RecordSource;
}

export interface PersonName {
  givenName: string;
  familyName: string;
  name: string;
}

export interface HistoryData {
  session: StoredSession;
  timezone: string;
  /** Status id → acronym and description, hidden statuses included. */
  statuses: Map<string, { acronym: string; description: string }>;
  entries: HistoryEntry[];
  /** More entries exist than HISTORY_LIMIT. */
  truncated: boolean;
  /** Names of the students and actors in the entries (and of the asked-for student). */
  people: Map<string, PersonName>;
  /** Set when the history of one student was asked for. */
  userId?: string;
}

type EntryLean = HistoryEntry & { from?: { statusId?: string | null; remark?: string | null }; to?: { statusId?: string; remark?: string | null } };

const toEntry = (e: EntryLean): HistoryEntry => ({
  userId: e.userId, actorId: e.actorId, at: e.at, source: e.source,
  from: { statusId: e.from?.statusId ?? null, remark: e.from?.remark ?? '' },
  to: { statusId: e.to?.statusId ?? '', remark: e.to?.remark ?? '' },
});

export async function loadHistory(courseId: string, activityId: string, sessionId: string, userId: string | undefined, fallbackZone: string): Promise<HistoryData> {
  const [session, timezone] = await Promise.all([getSession(courseId, activityId, sessionId), activityTimezone(courseId, activityId, fallbackZone)]);
  const [set, docs] = await Promise.all([
    findStatusSet(courseId, activityId, session.statusSetId),
    AuditEntryModel.find({ courseId, activityId, sessionId, ...(userId === undefined ? {} : { userId }) })
      .sort({ at: -1, _id: 1 })
      .limit(HISTORY_LIMIT + 1)
      .lean<EntryLean[]>(),
  ]);
  const entries = docs.slice(0, HISTORY_LIMIT).map(toEntry);
  const ids = new Set(entries.flatMap((e) => [e.userId, e.actorId]));
  if (userId !== undefined) ids.add(userId);
  const members = await MemberModel.find({ courseId, userId: { $in: [...ids] } }, { userId: 1, givenName: 1, familyName: 1, name: 1 }).lean();
  if (userId !== undefined && entries.length === 0 && !members.some((m) => m.userId === userId)) {
    throw new Refusal('not_found', 'STUDENT_NOT_IN_COURSE');
  }
  return {
    session,
    timezone,
    statuses: new Map((set?.statuses ?? []).map((s) => [s._id, { acronym: s.acronym, description: s.description }])),
    entries,
    truncated: docs.length > HISTORY_LIMIT,
    people: new Map(members.map((m) => [m.userId, { givenName: m.givenName ?? '', familyName: m.familyName ?? '', name: m.name ?? '' }])),
    userId,
  };
}
