import { Gauge } from 'prom-client';
import { pingDatabase } from '../db/database';
import { gradeSyncStatus, workerStatus, type GradeSyncStatus } from '../admin/status.service';
import { storedSchemaVersion } from '../migrations/migration-runner';
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

/** One read of the queue per scrape for the two gauges below (prom-client collects them concurrently). */
let gradeSyncRead: { at: number; status: Promise<GradeSyncStatus> } | undefined;
function gradeSyncOnce(): Promise<GradeSyncStatus> {
  if (!gradeSyncRead || Date.now() - gradeSyncRead.at > 1000) gradeSyncRead = { at: Date.now(), status: gradeSyncStatus(new Date()) };
  return gradeSyncRead.status;
}

new Gauge({
  name: 'lti_attendance_grade_sync_jobs',
  help: 'Grade deliveries waiting: pending (first try or retrying) and failed (failing, still retried), by state',
  labelNames: ['state'] as const,
  registers: [registry],
  async collect() {
    this.reset();
    await gradeSyncOnce().then((g) => {
      this.set({ state: 'pending' }, g.pending);
      this.set({ state: 'failed' }, g.failed);
    }, () => undefined);
  },
});

new Gauge({
  name: 'lti_attendance_grade_sync_oldest_waiting_seconds',
  help: 'Age of the oldest grade change not yet in the LMS (pending or failed), 0 when none',
  registers: [registry],
  async collect() {
    await gradeSyncOnce().then((g) => this.set(g.oldestWaitingSeconds), () => undefined);
  },
});

new Gauge({
  name: 'lti_attendance_worker_leases',
  help: 'Live leases of the background workers, by job kind (auto-mark, grade-sync, migrations, …) and holding instance',
  labelNames: ['job', 'holder'] as const,
  registers: [registry],
  async collect() {
    this.reset();
    await workerStatus(new Date()).then((w) => {
      for (const g of w.leases) this.inc({ job: g.job, holder: g.instance }, g.held);
    }, () => undefined);
  },
});

/** For tests: the gauges above are registered when this module is loaded. */
export const collectorsLoaded = databaseUp !== undefined;
