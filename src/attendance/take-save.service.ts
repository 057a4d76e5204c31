import { randomUUID } from 'node:crypto';
import type { mongo } from 'mongoose';
import { onAttendanceChanged } from '../grading/grade-hooks';
import { MemberModel } from '../roster/member.model';
import { getSession, StoredSession } from '../sessions/sessions.service';
import { isDuplicateKey } from '../shared/database-errors';
import type { Logger } from '../shared/logger';
import { AttendanceRecordModel } from './attendance-record.model';
import { AuditEntryModel } from './audit-entry.model';
import { PlannedConflict, PlannedWrite, planSave } from './take-plan';
import { PostedRow, RowProblem, validateRows } from './take-rules';
import { readRecords, readStatusSet, TakeRecord } from './take.service';

/**
 * Saving the take page (issue #13, "no silent overwrite"). A fixed number of queries whatever the
 * class size: session, records and members (at once), the status set, one bulkWrite, one
 * insertMany of audit entries.
 *
 * No transactions: each row is its own compare-and-set. take-plan decides which rows the
 * teacher changed and checks them against the records read here; the write then repeats the
 * check atomically per row, so a change landing between the read and the write is caught too:
 * - a record the page showed is updated only if it still holds the status and remark the page
 *   showed (the filter names them; without a match the upsert collides with the unique
 *   (sessionId, userId) index, and that E11000 names the row);
 * - a first mark (no record when the page showed the row) is an insert-only upsert; if someone
 *   else inserted first, the database reports no insert for that row.
 * Rows that lose either way are conflicts: not written, no audit entry, no grade change.
 */

export type SaveConflict = PlannedConflict;

export type SaveOutcome =
  | { ok: true; changed: number; changedUserIds: string[]; conflicts: SaveConflict[] }
  | { ok: false; problems: RowProblem[] };

export interface SaveDeps {
  now: () => Date;
  log?: Logger;
}

type RecordOp = mongo.AnyBulkWriteOperation;

/**
 * The filters name exactly the fields of a unique index — (sessionId, userId) for first marks,
 * (sessionId, userId, statusId, remark) for changes — because the offline stand-in uses an
 * index only then (otherwise every row scans the collection). The session was already checked
 * to be this course's and activity's. The ops go to the driver directly, with the timestamps
 * mongoose would add: mongoose's per-op casting cost more than the write itself for a
 * 500-student class, and every value here is already a plain string or date.
 */
function recordOp(courseId: string, activityId: string, session: StoredSession, actorId: string, w: PlannedWrite, stored: TakeRecord | undefined, now: Date): RecordOp {
  const onInsert = { _id: randomUUID(), courseId, activityId, createdAt: now, __v: 0 };
  const fields = { statusSetId: session.statusSetId, statusId: w.to.statusId, remark: w.to.remark, updatedBy: actorId, updatedAt: now };
  if (w.expected === null) {
    return { updateOne: { filter: { sessionId: session.id, userId: w.userId }, update: { $setOnInsert: { ...onInsert, ...fields, source: 'teacher' } }, upsert: true } };
  }
  // A document without a remark field shows as '' and is matched by null.
  const remark = w.expected.remark === '' && stored?.remarkMissing ? null : w.expected.remark;
  return {
    updateOne: {
      filter: { sessionId: session.id, userId: w.userId, statusId: w.expected.statusId, remark },
      // A teacher's remark on a check-in leaves it a check-in; a new status makes it the teacher's.
      update: { $set: { ...fields, ...(w.statusChanged ? { source: 'teacher' } : {}) }, $setOnInsert: onInsert },
      upsert: true,
    },
  };
}

type BulkResultLike = { upsertedIds?: Record<number, unknown> };

/** Runs the ops; returns the indexes (into `ops`) of the rows that lost their compare-and-set. */
async function writeRecords(ops: RecordOp[], insertOnly: boolean[]): Promise<Set<number>> {
  let refused: number[] = [];
  let result: BulkResultLike | undefined;
  try {
    result = await AttendanceRecordModel.collection.bulkWrite(ops, { ordered: false });
  } catch (err) {
    // The driver gives one write error or an array of them; anything but E11000 is a real failure.
    const writeErrors = ([] as unknown[]).concat((err as { writeErrors?: unknown }).writeErrors ?? err);
    if (!writeErrors.every(isDuplicateKey)) throw err;
    refused = writeErrors.map((e) => (e as { index?: number }).index ?? -1);
    if (refused.includes(-1)) throw err;
    result = (err as { result?: BulkResultLike }).result;
  }
  const inserted = new Set(Object.keys(result?.upsertedIds ?? {}).map(Number));
  const lost = new Set(refused);
  insertOnly.forEach((only, i) => {
    if (only && !inserted.has(i)) lost.add(i);
  });
  return lost;
}

function auditEntries(courseId: string, activityId: string, sessionId: string, actorId: string, at: Date, writes: PlannedWrite[]) {
  return writes.map((w) => ({
    _id: randomUUID(), courseId, activityId, sessionId, userId: w.userId, actorId, at,
    from: w.expected ?? { statusId: null, remark: '' }, to: w.to, source: 'teacher' as const,
  }));
}

/**
 * Validates the whole form, then writes only the rows the teacher changed, each against what the
 * page showed, with their audit entries, and tells grading which students' status changed.
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
  const plan = planSave(rows, current);
  if (plan.writes.length === 0) return { ok: true, changed: 0, changedUserIds: [], conflicts: plan.conflicts };

  const now = deps.now();
  const ops = plan.writes.map((w) => recordOp(courseId, activityId, session, actorId, w, current.get(w.userId), now));
  const lost = await writeRecords(ops, plan.writes.map((w) => w.expected === null));
  const written = plan.writes.filter((_, i) => !lost.has(i));
  const conflicts = [...plan.conflicts, ...plan.writes.filter((_, i) => lost.has(i)).map((w) => ({ userId: w.userId, mine: w.to, edited: true }))];
  if (written.length === 0) return { ok: true, changed: 0, changedUserIds: [], conflicts };
  // lean: the entries are complete plain objects; hydrating 500 documents would double the save time.
  await AuditEntryModel.insertMany(auditEntries(courseId, activityId, session.id, actorId, now, written), { ordered: true, lean: true });
  // Grades depend on statuses only; a remark-only change recomputes nothing.
  const changedUserIds = written.filter((w) => w.statusChanged).map((w) => w.userId);
  try {
    await onAttendanceChanged(courseId, activityId, changedUserIds);
  } catch (err) {
    // The marks are saved; a failing grade listener must not turn the save into an error page.
    deps.log?.error({ err, courseId, activityId, sessionId }, 'grade hook failed after saving attendance');
  }
  return { ok: true, changed: written.length, changedUserIds, conflicts };
}
