import { loadActivityReportSettings } from '../reports/report-data.service';
import { MemberModel } from '../roster/member.model';
import { Refusal } from '../shared/errors';
import { enqueueGradeSync } from './grade-sync.service';
import { GradeSyncJobModel } from './grade-sync.model';
import { loadLineItemStatus, type LineItemSource } from './line-item.service';

/**
 * The teacher's Grade sync panel: what is waiting, what is failing and why (with the LMS's own
 * message), and the two buttons. Failing jobs (state `failed`) are still queued: the panel says
 * when the next attempt is.
 */

export interface SyncProblem {
  userId: string;
  name: string;
  reason: string;
  status?: number;
  /** The LMS's own words (already made safe by the adapter); shown escaped. */
  lmsMessage?: string;
  at?: Date;
  attempts: number;
  nextAttemptAt?: Date;
}

export interface SyncStatus {
  gradeType: 'points' | 'none';
  timezone: string;
  lineItem: LineItemSource;
  /** The LMS offers grade services but gave this activity no column of its own (columnNotLinked). */
  lineItemNotLinked: boolean;
  counts: { pending: number; dueNow: number; failed: number; done: number };
  /** The newest error among jobs still pending or failed (none once everything got through). */
  lastError?: SyncProblem;
  lastSuccessAt?: Date;
  /** Failing jobs (state `failed`, still retried), newest error first (at most FAILED_LIST_MAX). */
  failed: SyncProblem[];
}

const FAILED_LIST_MAX = 100;

type JobLean = {
  userId: string; state: string; attempts?: number; nextAttemptAt?: Date; lastError?: string; lastErrorStatus?: number; lastErrorMessage?: string; lastErrorAt?: Date;
};

async function namesOf(courseId: string, userIds: string[]): Promise<Map<string, string>> {
  if (userIds.length === 0) return new Map();
  const members = await MemberModel.find({ courseId, userId: { $in: userIds } }, { userId: 1, name: 1, givenName: 1, familyName: 1 })
    .lean<Array<{ userId: string; name?: string; givenName?: string; familyName?: string }>>();
  return new Map(members.map((m) => [m.userId, m.name || [m.givenName, m.familyName].filter(Boolean).join(' ') || m.userId]));
}

const toProblem = (j: JobLean, names: Map<string, string>): SyncProblem => ({
  userId: j.userId, name: names.get(j.userId) ?? j.userId, reason: j.lastError ?? 'unknown', status: j.lastErrorStatus, lmsMessage: j.lastErrorMessage,
  at: j.lastErrorAt, attempts: j.attempts ?? 0, nextAttemptAt: j.state === 'pending' || j.state === 'failed' ? j.nextAttemptAt : undefined,
});

export async function loadSyncStatus(courseId: string, activityId: string, now: Date): Promise<SyncStatus> {
  const scope = { courseId, activityId };
  const [settings, lineItem, pending, dueNow, failedCount, done, failedJobs, lastErrorJob, lastSuccessJob] = await Promise.all([
    loadActivityReportSettings(courseId, activityId),
    loadLineItemStatus(courseId, activityId),
    GradeSyncJobModel.countDocuments({ ...scope, state: 'pending' }),
    GradeSyncJobModel.countDocuments({ ...scope, state: 'pending', nextAttemptAt: { $lte: now } }),
    GradeSyncJobModel.countDocuments({ ...scope, state: 'failed' }),
    GradeSyncJobModel.countDocuments({ ...scope, state: 'done' }),
    GradeSyncJobModel.find({ ...scope, state: 'failed' }).sort({ lastErrorAt: -1 }).limit(FAILED_LIST_MAX).lean<JobLean[]>(),
    GradeSyncJobModel.findOne({ ...scope, state: { $in: ['pending', 'failed'] }, lastErrorAt: { $exists: true } }).sort({ lastErrorAt: -1 }).lean<JobLean>(),
    GradeSyncJobModel.findOne({ ...scope, lastSuccessAt: { $exists: true } }, { lastSuccessAt: 1 }).sort({ lastSuccessAt: -1 }).lean<{ lastSuccessAt?: Date }>(),
  ]);
  const names = await namesOf(courseId, [...failedJobs.map((j) => j.userId), ...(lastErrorJob ? [lastErrorJob.userId] : [])]);
  return {
    gradeType: settings.gradeType,
    timezone: settings.timezone,
    lineItem: lineItem.source,
    lineItemNotLinked: lineItem.notLinked,
    counts: { pending, dueNow, failed: failedCount, done },
    lastError: lastErrorJob ? toProblem(lastErrorJob, names) : undefined,
    lastSuccessAt: lastSuccessJob?.lastSuccessAt,
    failed: failedJobs.map((j) => toProblem(j, names)),
  };
}

/**
 * "Retry now": failed and waiting jobs (or one student's) become due at once with a fresh
 * attempt count; the worker delivers them within seconds. Returns how many.
 */
export async function retryNow(courseId: string, activityId: string, now: Date, userId?: string): Promise<number> {
  const filter = { courseId, activityId, state: { $in: ['failed', 'pending'] }, ...(userId !== undefined ? { userId } : {}) };
  const res = await GradeSyncJobModel.updateMany(filter, { $set: { state: 'pending', attempts: 0, nextAttemptAt: now } });
  // One student's job that is not this activity's is "not found"; one delivered meanwhile is simply nothing to do.
  if (userId !== undefined && res.matchedCount === 0 && !(await GradeSyncJobModel.exists({ courseId, activityId, userId }))) {
    throw new Refusal('not_found', 'GRADE_SYNC_JOB_NOT_FOUND');
  }
  return res.matchedCount;
}

/** "Resync everyone": every student of the course (those who left too: they keep their records), due now. */
export async function resyncEveryone(courseId: string, activityId: string, now: Date): Promise<number> {
  await loadActivityReportSettings(courseId, activityId); // not_found for a foreign activity
  const students = await MemberModel.find({ courseId, role: 'student' }, { _id: 0, userId: 1 }).lean<Array<{ userId: string }>>();
  const userIds = students.map((s) => s.userId);
  await enqueueGradeSync(courseId, activityId, userIds, now);
  // Jobs already waiting for a retry are brought forward as well.
  await GradeSyncJobModel.updateMany({ courseId, activityId, userId: { $in: userIds }, state: 'pending' }, { $set: { attempts: 0, nextAttemptAt: now } });
  return userIds.length;
}
