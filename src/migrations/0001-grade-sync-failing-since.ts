import { GradeSyncJobModel } from '../grading/grade-sync.model';
import type { Migration } from './migration';

/**
 * Issue #15: grade deliveries are never given up any more; a `failed` job is failing and still
 * retried, and the admin API says since when (`failingSince`). Jobs that releases before it gave
 * up on have no `failingSince`: take their last failure (or attempt, or update) as the start.
 * Idempotent: only jobs without the field are touched, in batches by _id.
 */
type Lean = { _id: string; lastErrorAt?: Date; lastAttemptAt?: Date; updatedAt?: Date; createdAt?: Date };
const BATCH = 500;

export const gradeSyncFailingSince: Migration = {
  id: 1,
  name: 'grade sync: failingSince for jobs earlier releases gave up on',
  async up({ now }) {
    for (;;) {
      const jobs = await GradeSyncJobModel.find({ state: 'failed', failingSince: { $exists: false } }, { lastErrorAt: 1, lastAttemptAt: 1, updatedAt: 1, createdAt: 1 })
        .limit(BATCH).lean<Lean[]>();
      if (jobs.length === 0) return;
      await GradeSyncJobModel.bulkWrite(jobs.map((j) => ({
        updateOne: {
          filter: { _id: j._id, failingSince: { $exists: false } },
          update: { $set: { failingSince: j.lastErrorAt ?? j.lastAttemptAt ?? j.updatedAt ?? j.createdAt ?? now() } },
        },
      })), { ordered: false });
    }
  },
};
