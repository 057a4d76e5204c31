import { randomUUID } from 'node:crypto';
import { onAttendanceChanged } from '../grading/grade-hooks';
import { AttendanceSessionModel } from '../sessions/attendance-session.model';
import { getSession } from '../sessions/sessions.service';
import { DomainError, Refusal } from '../shared/errors';
import { isDuplicateKey } from '../shared/database-errors';
import { acquireLease, pruneLeases, releaseLease } from '../shared/job-lease.service';
import type { Logger } from '../shared/logger';
import { findStatusSet } from '../status-sets/status-set-lookup.service';
import { AttendanceRecordModel } from './attendance-record.model';
import { AuditEntryModel } from './audit-entry.model';
import { AUTO_MARK_ACTOR, automaticStatus, insertedUserIds, selectDue, studentsToMark } from './auto-mark';
import { loadAudience } from './take.service';

/**
 * Automatic marking: students of a session's audience still without a record get the status
 * set's automatic status (source 'auto'). Run by the background job when sessions end
 * (auto-mark.worker.ts) and by the teacher's "mark the unmarked now" on the take page.
 *
 * Safe without transactions and with several instances: the write is one bulk upsert keyed by
 * the unique (sessionId, userId) with `$setOnInsert` only, so an existing mark (a teacher's, a
 * check-in arriving at the same moment, another run's) is never touched, and the database
 * reports which upserts inserted. Only those get an audit entry and reach grading, so two runs
 * on the same session at once still write each student's record, audit entry and grade
 * notification exactly once. The lease per session only keeps instances from doing the same
 * work twice.
 */

export interface AutoMarkDeps {
  now: () => Date;
  log?: Logger;
}

export interface MarkResult {
  /** The automatic status used; null = the set has none and nothing was written. */
  statusId: string | null;
  insertedUserIds: string[];
}

type BulkResultLike = { upsertedIds?: Record<number, unknown> };

/** Inserts where no record exists; returns the user ids whose record this call created. */
async function insertMissing(ops: Array<{ userId: string; doc: Record<string, unknown> }>, sessionId: string): Promise<string[]> {
  const userIds = ops.map((o) => o.userId);
  const writes = ops.map((o) => ({ updateOne: { filter: { sessionId, userId: o.userId }, update: { $setOnInsert: o.doc }, upsert: true } }));
  try {
    const res = await AttendanceRecordModel.collection.bulkWrite(writes, { ordered: false });
    return insertedUserIds(userIds, res.upsertedIds);
  } catch (err) {
    // A concurrent insert of the same (session, student) can lose with E11000: that student is
    // marked by someone else, which is all we wanted. Any other failure is a real error.
    // (The driver gives one write error or an array of them.)
    const writeErrors = ([] as unknown[]).concat((err as { writeErrors?: unknown }).writeErrors ?? err);
    if (!writeErrors.every(isDuplicateKey)) throw err;
    return insertedUserIds(userIds, (err as { result?: BulkResultLike }).result?.upsertedIds);
  }
}

/**
 * Gives every unmarked student of the session's audience the set's automatic status. `actorId`
 * is the teacher who asked, or AUTO_MARK_ACTOR for the job. Does not touch the session's
 * "done" state (the job does that).
 */
export async function markUnmarked(courseId: string, activityId: string, sessionId: string, actorId: string, deps: AutoMarkDeps): Promise<MarkResult> {
  const session = await getSession(courseId, activityId, sessionId);
  const set = await findStatusSet(courseId, activityId, session.statusSetId);
  if (!set) throw new Refusal('not_found', 'STATUS_SET_NOT_IN_ACTIVITY');
  const statusId = automaticStatus(set);
  if (statusId === null) return { statusId, insertedUserIds: [] };
  const audience = await loadAudience(courseId, activityId, session);
  const toMark = studentsToMark(audience.students.map((s) => s.userId), audience.records);
  if (toMark.length === 0) return { statusId, insertedUserIds: [] };

  const now = deps.now();
  // No remark text: the take page shows a translated "Auto-marked" label for source 'auto'.
  const base = { courseId, activityId, statusSetId: session.statusSetId, statusId, remark: '', source: 'auto', updatedBy: actorId, createdAt: now, updatedAt: now, __v: 0 };
  const inserted = await insertMissing(toMark.map((userId) => ({ userId, doc: { _id: randomUUID(), ...base } })), session.id);
  if (inserted.length === 0) return { statusId, insertedUserIds: [] };
  await AuditEntryModel.insertMany(
    inserted.map((userId) => ({
      _id: randomUUID(), courseId, activityId, sessionId: session.id, userId, actorId, at: now,
      from: { statusId: null, remark: '' }, to: { statusId, remark: '' }, source: 'auto' as const,
    })),
    { ordered: true, lean: true },
  );
  try {
    await onAttendanceChanged(courseId, activityId, inserted);
  } catch (err) {
    // The marks are saved; a failing grade listener must not undo or repeat them.
    deps.log?.error({ err, courseId, activityId, sessionId }, 'grade hook failed after automatic marking');
  }
  return { statusId, insertedUserIds: inserted };
}

/**
 * The teacher's "mark the unmarked as <status> now", also before the session ends. It leaves
 * the session to the job: at the end, whoever is still unmarked then (a student added to the
 * group meanwhile, say) is marked too.
 */
export async function markUnmarkedNow(courseId: string, activityId: string, sessionId: string, teacherId: string, deps: AutoMarkDeps): Promise<{ marked: number; statusId: string }> {
  const result = await markUnmarked(courseId, activityId, sessionId, teacherId, deps);
  if (result.statusId === null) throw new DomainError('auto_mark.errors.no_status', 409);
  return { marked: result.insertedUserIds.length, statusId: result.statusId };
}

// ---------------------------------------------------------------------------------------------
// The job's run

export interface RunOptions {
  /** This instance's lease holder id (newHolderId). */
  holder: string;
  /** Sessions handled per run at most. */
  batchSize?: number;
  /** How long a claim on one session lasts; far longer than marking one session takes. */
  leaseMs?: number;
}

export interface RunSummary {
  /** Sessions this run finished (marked, or closed because the set has no automatic status). */
  sessions: number;
  inserted: number;
  /** Closed without marking: created after their end, or their set/activity is gone. */
  closed: number;
  /** Claimed by another instance, or finished by it meanwhile. */
  busy: number;
  failed: number;
  /** The batch was full: more may be waiting. */
  more: boolean;
}

const LEASE_PREFIX = 'auto-mark:';
const leaseKey = (sessionId: string) => `${LEASE_PREFIX}${sessionId}`;

type Candidate = { _id: string; courseId: string; activityId: string; startsAt: Date; durationMinutes: number; createdAt?: Date | null };

/**
 * Ended sessions not handled yet, oldest first, across every course: the job serves the whole
 * installation, so this one query is not course-scoped (everything it then does is). The end
 * is computed by the database ($expr), so running 24-hour sessions never fill the batch.
 */
async function endedSessions(now: Date, limit: number): Promise<Candidate[]> {
  const endsAt = { $add: ['$startsAt', { $multiply: ['$durationMinutes', 60_000] }] };
  return AttendanceSessionModel.find(
    { startsAt: { $lte: now }, 'autoMark.doneAt': null, $expr: { $lte: [endsAt, now] } },
    { courseId: 1, activityId: 1, startsAt: 1, durationMinutes: 1, createdAt: 1 },
  )
    .sort({ startsAt: 1, _id: 1 })
    .limit(limit)
    .lean<Candidate[]>();
}

async function closeSessions(ids: string[], outcome: string, inserted: number, now: Date): Promise<void> {
  if (ids.length === 0) return;
  // Conditional: the first finisher's outcome stays.
  await AttendanceSessionModel.updateMany({ _id: { $in: ids }, 'autoMark.doneAt': null }, { $set: { autoMark: { doneAt: now, outcome, inserted } } });
}

type OneOutcome = { kind: 'done'; inserted: number } | { kind: 'closed' } | { kind: 'busy' } | { kind: 'failed' };

async function handleSession(s: Candidate, opts: Required<RunOptions>, deps: AutoMarkDeps, now: Date): Promise<OneOutcome> {
  const key = leaseKey(s._id);
  if (!(await acquireLease(key, opts.holder, opts.leaseMs, now))) return { kind: 'busy' };
  try {
    // Another instance may have finished it between our query and our claim.
    const open = await AttendanceSessionModel.exists({ _id: s._id, 'autoMark.doneAt': null });
    if (!open) return { kind: 'busy' };
    const result = await markUnmarked(s.courseId, s.activityId, s._id, AUTO_MARK_ACTOR, deps);
    const inserted = result.insertedUserIds.length;
    await closeSessions([s._id], result.statusId === null ? 'no_auto_status' : 'marked', inserted, now);
    return { kind: 'done', inserted };
  } catch (err) {
    if (err instanceof Refusal) {
      // Its status set or activity is gone: retrying cannot help, and it must not clog the queue.
      deps.log?.warn({ err, sessionId: s._id, courseId: s.courseId }, 'automatic marking skipped a session it cannot mark');
      await closeSessions([s._id], 'gone', 0, now);
      return { kind: 'closed' };
    }
    deps.log?.error({ err, sessionId: s._id, courseId: s.courseId }, 'automatic marking failed for a session; will retry');
    return { kind: 'failed' };
  } finally {
    await releaseLease(key, opts.holder).catch(() => undefined);
  }
}

/** One run of the job: claims and handles up to `batchSize` ended sessions, one after another. */
export async function runAutoMark(deps: AutoMarkDeps, options: RunOptions): Promise<RunSummary> {
  const opts: Required<RunOptions> = { holder: options.holder, batchSize: options.batchSize ?? 20, leaseMs: options.leaseMs ?? 120_000 };
  const now = deps.now();
  const candidates = await endedSessions(now, opts.batchSize);
  const { due, createdAfterEnd } = selectDue(candidates, now, opts.batchSize);
  await closeSessions(createdAfterEnd.map((s) => s._id), 'created_after_end', 0, now);
  const summary: RunSummary = { sessions: 0, inserted: 0, closed: createdAfterEnd.length, busy: 0, failed: 0, more: candidates.length >= opts.batchSize };
  for (const s of due) {
    const outcome = await handleSession(s, opts, deps, now);
    if (outcome.kind === 'done') {
      summary.sessions += 1;
      summary.inserted += outcome.inserted;
    } else summary[outcome.kind] += 1;
  }
  // Claims left by a crashed instance on sessions finished since: nobody would take them over.
  await pruneLeases(LEASE_PREFIX, new Date(now.getTime() - 3_600_000));
  return summary;
}
