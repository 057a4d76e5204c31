import { Gauge } from 'prom-client';
import { pingDatabase } from '../db/database';
import { GradeSyncJobModel } from '../grading/grade-sync.model';
import { storedSchemaVersion } from '../migrations/migration-runner';
import { JobLeaseModel } from '../shared/job-lease.model';
import { registry } from './metrics';

/**
 * Gauges of what all instances share, read from the database when Prometheus scrapes (every
 * instance reports the same values; take max() or one instance in queries). A failed read
 * leaves the gauge unset for that scrape instead of failing /metrics.
 */

const databaseUp = new Gauge({
  name: 'lti_attendance_database_up',
  help: '1 when the database answers a ping within 2 s, else 0',
  registers: [registry],
  async collect() {
    this.set((await pingDatabase().catch(() => false)) ? 1 : 0);
  },
});

new Gauge({
  name: 'lti_attendance_schema_version',
  help: 'The schema version stored in the database (migrations done)',
  registers: [registry],
  async collect() {
    await storedSchemaVersion().then((v) => this.set(v), () => undefined);
  },
});

new Gauge({
  name: 'lti_attendance_grade_sync_jobs',
  help: 'Grade deliveries waiting: pending (first try or retrying) and failed (failing, still retried), by state',
  labelNames: ['state'] as const,
  registers: [registry],
  async collect() {
    this.reset();
    for (const state of ['pending', 'failed'] as const) {
      await GradeSyncJobModel.countDocuments({ state }).then((n) => this.set({ state }, n), () => undefined);
    }
  },
});

new Gauge({
  name: 'lti_attendance_grade_sync_oldest_waiting_seconds',
  help: 'Age of the oldest grade change not yet in the LMS (pending or failed), 0 when none',
  registers: [registry],
  async collect() {
    try {
      const oldest = await GradeSyncJobModel.findOne({ state: { $in: ['pending', 'failed'] } }, { enqueuedAt: 1, createdAt: 1 })
        .sort({ enqueuedAt: 1 }).lean<{ enqueuedAt?: Date; createdAt?: Date }>();
      const since = oldest?.enqueuedAt ?? oldest?.createdAt;
      this.set(since ? Math.max(0, (Date.now() - since.getTime()) / 1000) : 0);
    } catch {
      // leave it unset
    }
  },
});

new Gauge({
  name: 'lti_attendance_worker_leases',
  help: 'Live leases of the background workers, by job kind (auto-mark, grade-sync, migrations, …) and holding instance',
  labelNames: ['job', 'holder'] as const,
  registers: [registry],
  async collect() {
    this.reset();
    try {
      const live = await JobLeaseModel.find({ until: { $gt: new Date() } }, { holder: 1 }).limit(10_000).lean<Array<{ _id: string; holder: string }>>();
      const counts = new Map<string, { job: string; holder: string; n: number }>();
      for (const lease of live) {
        const job = lease._id.split(':')[0] ?? lease._id;
        // An instance id is `<worker>:<host>:<pid>:<random>`: the instance is what matters here.
        const holder = lease.holder.split(':').slice(1, 3).join(':') || lease.holder;
        const key = `${job}\u0000${holder}`;
        const entry = counts.get(key) ?? { job, holder, n: 0 };
        entry.n += 1;
        counts.set(key, entry);
      }
      for (const { job, holder, n } of counts.values()) this.set({ job, holder }, n);
    } catch {
      // leave it unset
    }
  },
});

/** For tests: the gauges above are registered when this module is loaded. */
export const collectorsLoaded = databaseUp !== undefined;
