import { MemberModel } from '../roster/member.model';
import { AuditEntryModel } from './audit-entry.model';
import type { RecordSource } from './record-source';
import type { RowValue } from './take-rules';

/**
 * Who last changed a student's record and when, from the audit trail: the take page explains a
 * conflict row with it ("changed by Jānis Ozols at 10:42 to P · Present"). Two queries whatever
 * the number of rows.
 */

export interface LastChange {
  actorId: string;
  /** The actor's name in the course; absent for automatic marking or someone no longer known. */
  actorName?: string;
  source: RecordSource;
  at: Date;
  to: RowValue;
}

type EntryLean = { userId: string; actorId: string; at: Date; source: RecordSource; to?: { statusId?: string | null; remark?: string | null } };
type NameLean = { userId: string; givenName?: string | null; familyName?: string | null; name?: string | null };

const displayName = (m: NameLean): string => m.name || [m.givenName, m.familyName].filter(Boolean).join(' ') || m.userId;

export async function readLastChanges(courseId: string, activityId: string, sessionId: string, userIds: string[]): Promise<Map<string, LastChange>> {
  const entries = await AuditEntryModel.find(
    { courseId, activityId, sessionId, userId: { $in: [...new Set(userIds)] } },
    { _id: 0, userId: 1, actorId: 1, at: 1, source: 1, to: 1 },
  ).sort({ at: -1 }).lean<EntryLean[]>();
  const latest = new Map<string, EntryLean>();
  for (const e of entries) if (!latest.has(e.userId)) latest.set(e.userId, e);
  const actorIds = [...new Set([...latest.values()].map((e) => e.actorId))];
  const members = actorIds.length === 0 ? [] : await MemberModel.find({ courseId, userId: { $in: actorIds } }, { userId: 1, givenName: 1, familyName: 1, name: 1 }).lean<NameLean[]>();
  const names = new Map(members.map((m) => [m.userId, displayName(m)]));
  return new Map([...latest].map(([userId, e]) => {
    const actorName = names.get(e.actorId);
    const change: LastChange = { actorId: e.actorId, source: e.source, at: e.at, to: { statusId: e.to?.statusId ?? '', remark: e.to?.remark ?? '' } };
    return [userId, actorName ? { ...change, actorName } : change];
  }));
}
