import { Schema, model } from 'mongoose';

/**
 * One grade delivery job per (activity, student): the durable queue between "a grade may have
 * changed" and "the LMS gradebook shows it". The id is derived from the pair, so every enqueue
 * for the same student merges into the same document (the unique `_id` index makes concurrent
 * enqueues converge too). The document stays after delivery: it remembers what was last sent,
 * which decides whether a student who lost every record needs a clearing score.
 *
 * States (backoff.ts):
 * - `pending`: waiting for its next attempt (nextAttemptAt), first try or after a failure;
 * - `failed`: delivery is *failing* — the LMS refused the request itself, or it failed
 *   BACKOFF.failingAfter times in a row. It is still queued and retried at nextAttemptAt (up to
 *   every 6 h, for ever: a grade is never given up), shown as failing on the teacher's Grade
 *   sync panel with the LMS's message, and listed by GET /admin/api/grade-sync/failing. The
 *   stored value stays `failed` so that jobs written by older versions are simply picked up again;
 * - `done`: delivered (or nothing to send) for the newest change.
 * Who works on a job right now is a lease in job_leases (`grade-sync:<job id>`), not a state here.
 */
export const GRADE_SYNC_STATES = ['pending', 'done', 'failed'] as const;
export type GradeSyncState = (typeof GRADE_SYNC_STATES)[number];

const gradeSyncJobSchema = new Schema(
  {
    /** gradeSyncJobId(activityId, userId). */
    _id: { type: String, required: true },
    courseId: { type: String, required: true },
    activityId: { type: String, required: true },
    userId: { type: String, required: true },
    state: { type: String, enum: GRADE_SYNC_STATES, required: true },
    /** +1 on every enqueue: a delivery only completes the job if no newer change arrived meanwhile. */
    generation: { type: Number, default: 0 },
    /** Consecutive failed attempts since the last success (or "Retry now"). */
    attempts: { type: Number, default: 0 },
    nextAttemptAt: { type: Date, required: true },
    enqueuedAt: { type: Date },
    lastAttemptAt: { type: Date },
    /** Reason code (AGS_FAILURE_REASONS or `unknown`) and HTTP status of the last failure. */
    lastError: { type: String },
    lastErrorStatus: { type: Number },
    lastErrorAt: { type: Date },
    /**
     * The LMS's own explanation of the last failure (e.g. "Invalid token signature."), made safe
     * by lmsMessage() in src/lti/service-http.adapter.ts: at most 200 characters, no addresses,
     * no stack traces. Shown escaped; absent when the LMS said nothing readable.
     */
    lastErrorMessage: { type: String },
    /** First failure since the last success: how long the delivery has been failing (admin API). */
    failingSince: { type: Date },
    /** Last attempt that finished its work (a score sent, or nothing to send). */
    lastSuccessAt: { type: Date },
    /** Last score actually posted: a number, or null for a clearing score. */
    lastSentAt: { type: Date },
    lastScore: { type: Number, default: undefined },
  },
  { collection: 'grade_sync_jobs', versionKey: false, timestamps: true },
);
// Non-unique indexes are ignored by the test database but help a real MongoDB.
gradeSyncJobSchema.index({ state: 1, nextAttemptAt: 1 });
gradeSyncJobSchema.index({ courseId: 1, activityId: 1, state: 1 });
// The admin API walks the activities with failing jobs, one index seek per activity.
gradeSyncJobSchema.index({ state: 1, activityId: 1 });
// The same pair twice would defeat the merge: unique on the pair as well as on the derived id.
gradeSyncJobSchema.index({ activityId: 1, userId: 1 }, { unique: true });

export const GradeSyncJobModel = model('GradeSyncJob', gradeSyncJobSchema);

/** Activity ids are 22 URL-safe characters (src/courses/keys.ts), so the pair cannot collide. */
export function gradeSyncJobId(activityId: string, userId: string): string {
  return `${activityId}:${userId}`;
}
