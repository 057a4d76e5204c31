import type { AgsServices } from '../lti/lti-services';
import { LtiServiceError } from '../lti/lti-services';
import { loadReport } from '../reports/report-data.service';
import { isDuplicateKey } from '../shared/database-errors';
import { NaturalBatcher } from '../shared/natural-batcher';
import { acquireLease, pruneLeases, releaseLease } from '../shared/job-lease.service';
import type { Logger } from '../shared/logger';
import { afterFailure } from './backoff';
import type { AttendanceChangedListener } from './grade-hooks';
import { gradeFor } from './grade-rule';
import { decideScore } from './grade-score';
import { GradeSyncJobModel, gradeSyncJobId } from './grade-sync.model';
import { markLineItemLost, resolveLineItem, type GradeTarget } from './line-item.service';

/**
 * Durable grade delivery (grade-sync.model.ts). Enqueueing merges into one job per (activity,
 * student); processing claims due jobs with a lease per job (job_leases, whose unique `_id`
 * makes a claim atomic even on the test database), computes the grade with the shared rule
 * *at delivery time* (so a merged job always sends the newest grade) and posts it.
 *
 * Never losing a grade: a job is only marked done when its `generation` is still the one read
 * at claim time; a change enqueued during the delivery leaves it pending and due.
 * Duplicates are harmless: a repeated score replaces the same grade (the last score wins).
 *
 * Never giving up: a failed delivery is retried with backoff for as long as it takes
 * (backoff.ts); a refusal, or a long run of failures, shows the job as failing (state `failed`,
 * still queued) on the teacher's panel and in the admin API, with the LMS's own message.
 */

export interface GradeSyncDeps {
  ags: AgsServices;
  now: () => Date;
  log: Logger;
  /** Backoff jitter; tests pass a fixed one. */
  random?: () => number;
}

export interface ProcessOptions {
  holder: string;
  batchSize?: number;
  /** Jobs delivered at the same time by this instance. */
  concurrency?: number;
}

export interface ProcessSummary {
  /** Jobs this call worked on. */
  claimed: number;
  sent: number;
  /** Finished without sending (grade type none, or no grade and nothing to clear). */
  skipped: number;
  retrying: number;
  /** Jobs that failed and now show as failing (still queued for their next attempt). */
  failed: number;
  /** A full batch was due: call again. */
  more: boolean;
}

const LEASE_MS = 2 * 60_000;
const DEFAULT_BATCH = 50;
const DEFAULT_CONCURRENCY = 4;
/** Failures that repeating the same request will not fix until someone acts: the job shows as failing at once. */
const REFUSALS = new Set(['rejected', 'ags_unavailable', 'platform_unknown', 'platform_inactive']);

/** `token_refused` with a 4xx: the LMS will not give the tool a token (a 5xx from its token endpoint is an outage). */
export function isRefusal(reason: string, status: number | undefined): boolean {
  return REFUSALS.has(reason) || (reason === 'token_refused' && status !== undefined && status >= 400 && status < 500);
}

/** Jobs the worker takes when due: failing ones are retried as well (never given up). */
const QUEUED = ['pending', 'failed'];

export async function enqueueGradeSync(courseId: string, activityId: string, userIds: string[], now: Date): Promise<void> {
  const unique = [...new Set(userIds)];
  if (unique.length === 0) return;
  // A job's _id is (activity, student) and activity keys embed their course, so filtering by _id
  // alone stays scoped to this activity — and is an exact-key index lookup on every server.
  const ids = unique.map((userId) => gradeSyncJobId(activityId, userId));
  // Per student, two statements in one round trip: merge into the job (created pending and due
  // now), then make a done or failing job due now. Pending ones keep their schedule: a job
  // backing off during an LMS outage does not hammer it again for every new change (it sends
  // the newest grade anyway). Both match by _id (an exact-key look-up on every server). A job
  // re-armed here cannot be marked done or failed again for an older generation (the
  // generation went up in the statement before), so no newer change is lost.
  const ops = unique.flatMap((userId, i) => [
    {
      updateOne: {
        filter: { _id: ids[i] },
        update: {
          $setOnInsert: { userId, courseId, activityId, state: 'pending', attempts: 0, nextAttemptAt: now, createdAt: now },
          $set: { enqueuedAt: now, updatedAt: now },
          $inc: { generation: 1 },
        },
        upsert: true,
      },
    },
    { updateOne: { filter: { _id: ids[i], state: { $ne: 'pending' } }, update: { $set: { state: 'pending', attempts: 0, nextAttemptAt: now } } } },
  ]);
  await gradeEnqueues.submit(ops);
}

/**
 * Enqueues of concurrent requests (a check-in burst) in one ordered bulk write: each request's
 * statement pairs keep their order. Two enqueues inserting the same new job at once: one loses
 * with E11000 (and, ordered, the command stops there). Repeating the command then updates the
 * document the other one inserted (an extra generation is harmless).
 */
const gradeEnqueues = new NaturalBatcher<readonly object[], void>(async (batches) => {
  const ops = batches.flat();
  try {
    await GradeSyncJobModel.collection.bulkWrite(ops as never, { ordered: true });
  } catch (err) {
    const errors = ([] as unknown[]).concat((err as { writeErrors?: unknown }).writeErrors ?? err);
    if (!errors.every(isDuplicateKey)) throw err;
    await GradeSyncJobModel.collection.bulkWrite(ops as never, { ordered: true });
  }
  return batches.map(() => ({ ok: true as const, value: undefined }));
});

/** The grade hook's listener (subscribed in src/server.ts). Logs its own failures: the callers' data is saved already. */
export function gradeSyncListener(deps: { now: () => Date; log: Logger }): AttendanceChangedListener {
  return async (courseId, activityId, userIds) => {
    try {
      await enqueueGradeSync(courseId, activityId, userIds, deps.now());
    } catch (err) {
      // Not rethrown: some callers have no logger, and their write must not turn into an error page.
      deps.log.error({ err, courseId, activityId, students: userIds.length }, 'grade sync: could not enqueue grades');
    }
  };
}

type JobLean = {
  _id: string; courseId: string; activityId: string; userId: string; state: string; generation?: number; attempts?: number; nextAttemptAt: Date;
  lastScore?: number | null; failingSince?: Date;
};

type Outcome = { kind: 'sent'; given: number | null } | { kind: 'skipped' };

/**
 * The line items of one run: looked up once per activity and shared by its students' jobs; a
 * line item the LMS lost is marked once, however many jobs ran into the 404 at the same time.
 */
class RunTargets {
  private readonly targets = new Map<string, Promise<GradeTarget>>();
  private readonly lostMarks = new Map<string, Promise<void>>();

  constructor(private readonly deps: GradeSyncDeps, private readonly holder: string) {}

  get(courseId: string, activityId: string): Promise<GradeTarget> {
    let target = this.targets.get(activityId);
    if (!target) {
      const { ags, now, log } = this.deps;
      target = resolveLineItem(courseId, activityId, { ags, now, log, holder: this.holder });
      this.targets.set(activityId, target);
      const mine = target;
      // A failed lookup is not cached: the next job tries again.
      target.catch(() => this.forget(activityId, mine));
    }
    return target;
  }

  /** The LMS answered 404 for this target's line item. */
  lost(courseId: string, activityId: string, target: GradeTarget): Promise<void> {
    let mark = this.lostMarks.get(target.url);
    if (!mark) {
      mark = markLineItemLost(courseId, activityId, target.url, this.deps.log);
      this.lostMarks.set(target.url, mark);
    }
    return mark.then(() => this.forgetUrl(activityId, target.url));
  }

  private forget(activityId: string, target: Promise<GradeTarget>): void {
    if (this.targets.get(activityId) === target) this.targets.delete(activityId);
  }

  private async forgetUrl(activityId: string, url: string): Promise<void> {
    const current = this.targets.get(activityId);
    if (current && (await current.then((t) => t.url, () => undefined)) === url) this.forget(activityId, current);
  }
}

/** Works through the due jobs of every activity once. */
export async function processGradeSync(deps: GradeSyncDeps, opts: ProcessOptions): Promise<ProcessSummary> {
  const now = deps.now();
  const batchSize = opts.batchSize ?? DEFAULT_BATCH;
  const due = await GradeSyncJobModel.find({ state: { $in: QUEUED }, nextAttemptAt: { $lte: now } }, { _id: 1 })
    .sort({ nextAttemptAt: 1 }).limit(batchSize).lean<Array<{ _id: string }>>();
  const summary: ProcessSummary = { claimed: 0, sent: 0, skipped: 0, retrying: 0, failed: 0, more: due.length === batchSize };
  const targets = new RunTargets(deps, opts.holder);
  const queue = [...due];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const result = await processOne(next._id, deps, opts.holder, targets);
      if (result === 'busy') continue;
      summary.claimed += 1;
      summary[result] += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? DEFAULT_CONCURRENCY, queue.length) }, worker));
  // Leases a crashed instance left on jobs delivered since by someone else: nobody would take them over.
  const anHourAgo = new Date(now.getTime() - 3_600_000);
  await pruneLeases('grade-sync:', anHourAgo);
  await pruneLeases('grade-line-item:', anHourAgo);
  return summary;
}

type JobResult = 'busy' | 'sent' | 'skipped' | 'retrying' | 'failed';

async function processOne(jobId: string, deps: GradeSyncDeps, holder: string, targets: RunTargets): Promise<JobResult> {
  const leaseKey = `grade-sync:${jobId}`;
  if (!(await acquireLease(leaseKey, holder, LEASE_MS, deps.now()))) return 'busy';
  try {
    // Read again under the lease: another instance may have delivered it since our query.
    const job = await GradeSyncJobModel.findOne({ _id: jobId }).lean<JobLean>();
    if (!job || !QUEUED.includes(job.state) || job.nextAttemptAt.getTime() > deps.now().getTime()) return 'busy';
    try {
      const outcome = await deliver(job, deps, targets);
      await recordSuccess(job, outcome, deps.now());
      return outcome.kind;
    } catch (err) {
      return await recordFailure(job, err, deps);
    }
  } finally {
    await releaseLease(leaseKey, holder);
  }
}

async function deliver(job: JobLean, deps: GradeSyncDeps, targets: RunTargets): Promise<Outcome> {
  const { courseId, activityId, userId } = job;
  const now = deps.now();
  const { report, activity } = await loadReport(courseId, activityId, { userIds: [userId], includeInactive: true }, now);
  const row = report.rows.find((r) => r.student.userId === userId);
  const decision = decideScore({
    userId, gradeType: activity.gradeType, maxGrade: activity.maxGrade, now,
    grade: row ? gradeFor(row.summary, activity.maxGrade) : undefined, previous: job.lastScore,
  });
  if (decision.kind === 'skip') return { kind: 'skipped' };
  const target = await targets.get(courseId, activityId);
  try {
    await deps.ags.postScore(target.endpoints, target.url, decision.score);
  } catch (err) {
    if (!(err instanceof LtiServiceError && err.message === 'line_item_not_found')) throw err;
    // The teacher deleted the column in the LMS: forget it, find or create another, send again.
    await targets.lost(courseId, activityId, target);
    const again = await targets.get(courseId, activityId);
    await deps.ags.postScore(again.endpoints, again.url, decision.score);
  }
  return { kind: 'sent', given: decision.given };
}

async function recordSuccess(job: JobLean, outcome: Outcome, now: Date): Promise<void> {
  const sent = outcome.kind === 'sent' ? { lastSentAt: now, lastScore: outcome.given } : {};
  const done = { attempts: 0, lastAttemptAt: now, lastSuccessAt: now, ...sent };
  const clear = { $unset: { failingSince: 1, lastErrorMessage: 1 } };
  const res = await GradeSyncJobModel.updateOne({ _id: job._id, generation: job.generation ?? 0 }, { $set: { state: 'done', ...done }, ...clear });
  // A newer change arrived while we delivered: keep the job pending (and due: it was due when claimed) for it.
  if (res.matchedCount === 0) await GradeSyncJobModel.updateOne({ _id: job._id }, { $set: { state: 'pending', ...done }, ...clear });
}

async function recordFailure(job: JobLean, err: unknown, deps: GradeSyncDeps): Promise<JobResult> {
  const now = deps.now();
  const reason = err instanceof LtiServiceError ? err.message : 'unknown';
  const status = err instanceof LtiServiceError ? err.status : undefined;
  const message = err instanceof LtiServiceError ? err.lmsMessage : undefined;
  const attempts = (job.attempts ?? 0) + 1;
  const decision = afterFailure(attempts, now, deps.random ?? Math.random, isRefusal(reason, status));
  const log = {
    jobId: job._id, courseId: job.courseId, activityId: job.activityId, reason, status, lmsMessage: message, attempts,
    nextAttemptAt: decision.nextAttemptAt, detail: String((err as { cause?: unknown })?.cause ?? ''),
  };
  // Warn once, when a job starts failing; later attempts of a failing job are routine.
  if (decision.state === 'failed' && job.state !== 'failed') deps.log.warn({ ...log, err: reason === 'unknown' ? err : undefined }, 'grade sync: delivery failing; will keep retrying');
  else deps.log.info(log, 'grade sync: delivery failed; will retry');
  const failure = {
    attempts, lastAttemptAt: now, lastError: reason, lastErrorAt: now, failingSince: job.failingSince ?? now,
    ...(status !== undefined ? { lastErrorStatus: status } : {}), ...(message !== undefined ? { lastErrorMessage: message } : {}),
  };
  const unset = { ...(status === undefined ? { lastErrorStatus: 1 } : {}), ...(message === undefined ? { lastErrorMessage: 1 } : {}) };
  const unsetOp = Object.keys(unset).length > 0 ? { $unset: unset } : {};
  const res = await GradeSyncJobModel.updateOne(
    { _id: job._id, generation: job.generation ?? 0 }, { $set: { ...failure, state: decision.state, nextAttemptAt: decision.nextAttemptAt }, ...unsetOp },
  );
  if (res.matchedCount > 0) return decision.state === 'failed' ? 'failed' : 'retrying';
  // A newer change arrived meanwhile (enqueue made it pending, due, attempts 0): this failure is
  // the first of a new streak, retried after the first backoff step (never parked at the cap).
  const fresh = afterFailure(1, now, deps.random ?? Math.random);
  await GradeSyncJobModel.updateOne({ _id: job._id }, { $set: { ...failure, attempts: 1, state: 'pending', nextAttemptAt: fresh.nextAttemptAt }, ...unsetOp });
  return 'retrying';
}
