import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { MemberModel } from '../roster/member.model';
import { EditConflict } from '../shared/edit-conflict';
import { DomainError, Refusal } from '../shared/errors';
import { EditStamp, Editor, stampOf, versionOf } from '../shared/versioned';
import { saveVersioned } from '../shared/versioned-update.service';
import { CsvUnmatchedRow, matchMembershipCsv } from './csv-import';
import { groupNameKey, normalizeGroupName } from './group-name';
import { GroupModel } from './group.model';
import { isDuplicateKey } from '../shared/database-errors';

/**
 * Use cases of tool-side groups. Every function takes the course id first and every query is
 * filtered by it, so an id from another course behaves exactly like an unknown id (404).
 * Each change is a single-document write, so nothing is ever half-saved.
 */

export interface GroupMemberRow {
  userId: string;
  givenName: string;
  familyName: string;
  name: string;
  email: string;
  username: string;
  active: boolean;
}

export interface GroupDetail {
  id: string;
  name: string;
  members: GroupMemberRow[];
  /** Active students of the course who are not in the group. */
  candidates: GroupMemberRow[];
  /** The rename form's version and last editor; the membership forms' version. */
  version: number;
  lastEdit?: EditStamp;
  membersVersion: number;
}

/** A rename from a stale page: the name as stored now, and the one that was refused. */
export type GroupConflict = EditConflict<{ name: string }, { name: string }>;

export interface MembershipChange {
  added: number;
  already: number;
  /** Someone else changed the members after the page was rendered; this change was applied on top. */
  merged: boolean;
}

export interface CsvImportOutcome extends MembershipChange {
  unmatched: CsvUnmatchedRow[];
}

const duplicateName = (name: string) => new DomainError('groups.errors.duplicate_name', 409, { name });

async function requireGroup(courseId: string, groupId: string) {
  const group = await GroupModel.findOne({ _id: groupId, courseId }).lean();
  if (!group) throw new Refusal('not_found', 'GROUP_NOT_IN_COURSE');
  return group;
}

async function assertNameFree(courseId: string, nameKey: string, name: string, exceptId?: string): Promise<void> {
  const clash = await GroupModel.findOne({ courseId, nameKey }, { _id: 1 }).lean();
  if (clash && clash._id !== exceptId) throw duplicateName(name);
}

export async function createGroup(courseId: string, rawName: string): Promise<string> {
  const name = normalizeGroupName(rawName);
  const nameKey = groupNameKey(name);
  await assertNameFree(courseId, nameKey, name);
  const _id = randomUUID();
  try {
    await GroupModel.create({ _id, courseId, name, nameKey, memberIds: [] });
  } catch (err) {
    // Two teachers creating the same name at once: the unique index decides, same message.
    if (isDuplicateKey(err)) throw duplicateName(name);
    throw err;
  }
  return _id;
}

/** Renames only if the name is still the version the page showed (one conditional update); else a GroupConflict. */
export async function renameGroup(courseId: string, groupId: string, rawName: string, guard: { expected: number; editor: Editor }): Promise<void> {
  const name = normalizeGroupName(rawName);
  const nameKey = groupNameKey(name);
  await requireGroup(courseId, groupId);
  await assertNameFree(courseId, nameKey, name, groupId);
  try {
    await saveVersioned(
      { model: GroupModel, scope: { _id: groupId, courseId }, expected: guard.expected, editor: guard.editor, set: { name, nameKey } },
      () => new Refusal('not_found', 'GROUP_NOT_IN_COURSE'),
      async () => {
        const now = await requireGroup(courseId, groupId);
        return new EditConflict({ name: now.name }, { name }, versionOf(now), stampOf(now));
      },
    );
  } catch (err) {
    if (isDuplicateKey(err)) throw duplicateName(name);
    throw err;
  }
}

/** How many sessions of the course have this group as their audience. */
export async function countSessionsUsingGroup(courseId: string, groupId: string): Promise<number> {
  return mongoose.connection.collection('attendance_sessions').countDocuments({ courseId, 'audience.groupId': groupId });
}

export async function loadDeleteConfirmation(courseId: string, groupId: string) {
  const group = await requireGroup(courseId, groupId);
  const sessionCount = await countSessionsUsingGroup(courseId, groupId);
  return { id: group._id, name: group.name, memberCount: group.memberIds.length, sessionCount };
}

/** Members' own records are untouched: a group only lists user ids. */
export async function deleteGroup(courseId: string, groupId: string): Promise<void> {
  await requireGroup(courseId, groupId);
  const count = await countSessionsUsingGroup(courseId, groupId);
  if (count > 0) throw new DomainError('groups.delete.in_use', 409, { count });
  await GroupModel.deleteOne({ _id: groupId, courseId });
}

/**
 * One atomic membership change: $addToSet / $pull of exactly the ids this page named, so changes
 * made meanwhile by another tab stay. It writes (and moves membersVersion on) only when it changes
 * something, and answers with the members as they were just before it.
 */
async function changeMembers(courseId: string, groupId: string, op: 'add' | 'remove', ids: string[]): Promise<{ before: string[]; version: number }> {
  const changes = op === 'add' ? { memberIds: { $not: { $all: ids } } } : { memberIds: { $in: ids } };
  const update = op === 'add' ? { $addToSet: { memberIds: { $each: ids } } } : { $pull: { memberIds: { $in: ids } } };
  const before = ids.length === 0 ? null : await GroupModel.findOneAndUpdate(
    { _id: groupId, courseId, ...changes }, { ...update, $inc: { membersVersion: 1 } }, { returnDocument: 'before' },
  ).lean();
  const group = before ?? (await requireGroup(courseId, groupId)); // nothing to change: as it is
  return { before: group.memberIds, version: group.membersVersion ?? 0 };
}

/** `pageVersion`: the membersVersion the page was rendered from (absent: not known, no merge note). */
const mergedSince = (pageVersion: number | undefined, version: number) => pageVersion !== undefined && pageVersion !== version;

/** Adds students in one write; refuses the whole request if any id is not a student of this course. */
export async function addMembers(courseId: string, groupId: string, userIds: string[], pageVersion?: number): Promise<MembershipChange> {
  const ids = [...new Set(userIds)];
  await requireGroup(courseId, groupId);
  const found = await MemberModel.find({ courseId, role: 'student', userId: { $in: ids } }, { userId: 1 }).lean();
  const known = new Set(found.map((m) => m.userId));
  const strangers = ids.filter((id) => !known.has(id));
  if (strangers.length > 0) throw new DomainError('groups.errors.not_in_course', 400, { count: strangers.length });
  return addToGroup(courseId, groupId, ids, pageVersion);
}

async function addToGroup(courseId: string, groupId: string, ids: string[], pageVersion: number | undefined): Promise<MembershipChange> {
  const { before, version } = await changeMembers(courseId, groupId, 'add', ids);
  const had = new Set(before);
  const added = ids.filter((id) => !had.has(id)).length;
  return { added, already: ids.length - added, merged: mergedSince(pageVersion, version) };
}

/** Ids need not be course members any more: a student who left must still be removable. */
export async function removeMembers(courseId: string, groupId: string, userIds: string[], pageVersion?: number): Promise<{ removed: number; merged: boolean }> {
  const { before, version } = await changeMembers(courseId, groupId, 'remove', [...new Set(userIds)]);
  const had = new Set(before);
  return { removed: [...new Set(userIds)].filter((id) => had.has(id)).length, merged: mergedSince(pageVersion, version) };
}

export async function importCsv(courseId: string, groupId: string, csv: string, pageVersion?: number): Promise<CsvImportOutcome> {
  await requireGroup(courseId, groupId);
  const students = await MemberModel.find({ courseId, role: 'student' }, { userId: 1, email: 1, username: 1 }).lean();
  const match = matchMembershipCsv(csv, students);
  const change = await addToGroup(courseId, groupId, match.userIds, pageVersion);
  return { ...change, unmatched: match.unmatched };
}

function toRow(m: { userId: string; givenName?: string | null; familyName?: string | null; name?: string | null; email?: string | null; username?: string | null; active?: boolean | null }): GroupMemberRow {
  return {
    userId: m.userId,
    givenName: m.givenName ?? '',
    familyName: m.familyName ?? '',
    name: m.name ?? '',
    email: m.email ?? '',
    username: m.username ?? '',
    active: m.active !== false,
  };
}

export async function loadGroupDetail(courseId: string, groupId: string): Promise<GroupDetail> {
  const group = await requireGroup(courseId, groupId);
  // All members, not only students: someone whose role changed is still shown in the group.
  const people = await MemberModel.find({ courseId }).lean();
  const inGroup = new Set(group.memberIds);
  const byId = new Map(people.map((m) => [m.userId, toRow(m)]));
  // A member id without a roster record (should not happen) is still listed, so it can be removed.
  const members = group.memberIds.map((id) => byId.get(id) ?? toRow({ userId: id, active: false }));
  const candidates = people.filter((m) => m.role === 'student' && m.active !== false && !inGroup.has(m.userId)).map(toRow);
  return {
    id: group._id, name: group.name, members, candidates,
    version: versionOf(group), lastEdit: stampOf(group), membersVersion: group.membersVersion ?? 0,
  };
}
