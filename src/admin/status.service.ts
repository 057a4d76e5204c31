import { hostname } from 'node:os';
import { AttendanceSessionModel } from '../sessions/attendance-session.model';
import { GradeSyncJobModel } from '../grading/grade-sync.model';
import { MIGRATIONS } from '../migrations';
import { storedSchemaVersion } from '../migrations/migration-runner';
import { JobLeaseModel } from '../shared/job-lease.model';

/**
 * What GET /admin/api/status reports: the state every instance shares, read from the database
 * (bounded reads: counts on indexed fields, at most LEASES_READ leases, at most AUTO_MARK_CAP
 * sessions). The same figures as the /metrics gauges (src/metrics/collectors.ts), as JSON.
 */

const LEASES_READ = 10_000;
export const AUTO_MARK_CAP = 1000;

export interface LeaseGroup {
  /** The lease key's first part: grade-sync, auto-mark, grade-line-item, migrations. */
  job: string;
  /** `<host>:<pid>` of the instance holding them. */
  instance: string;
  /** The full holder id (`<worker>:<host>:<pid>:<random>`, one per worker start). */
  holder: string;
  held: number;
  /** The latest expiry among them. */
  until: Date;
}

export interface WorkerStatus {
  /** Live leases: who is working on what right now (leases exist only while a piece of work is in hand). */
  leases: LeaseGroup[];
  /** Lapsed leases not released: left by an instance that stopped mid-work (pruned by the workers). */
  lapsed: number;
}

export interface GradeSyncStatus {
  pending: number;
  failed: number;
  done: number;
  /** Pending or failed whose next attempt is due now. */
  due: number;
  /** The oldest grade change not yet in the LMS. */
  oldestWaitingSince?: Date;
  oldestWaitingSeconds: number;
}

export interface AutoMarkStatus {
  /** Ended sessions automatic marking has not handled yet (at most AUTO_MARK_CAP counted). */
  due: number;
  dueCapped: boolean;
  oldestEndedAt?: Date;
  /** How long the oldest of them has waited (0 when none): the worker runs every 20 s by default. */
  lagSeconds: number;
}

export interface AdminStatus {
  checkedAt: Date;
  answeredBy: string;
  database: 'up' | 'down';
  schema?: { stored: number; code: number };
  workers?: WorkerStatus;
  gradeSync?: GradeSyncStatus;
  autoMark?: AutoMarkStatus;
}

const seconds = (from: Date | undefined, now: Date) => (from ? Math.max(0, Math.round((now.getTime() - from.getTime()) / 1000)) : 0);

/** Live leases grouped by job and holder; lapsed ones counted apart. */
export function groupLeases(leases: ReadonlyArray<{ _id: string; holder: string; until: Date }>, now: Date): WorkerStatus {
  const groups = new Map<string, LeaseGroup>();
  let lapsed = 0;
  for (const lease of leases) {
    if (lease.until.getTime() <= now.getTime()) {
      lapsed += 1;
      continue;
    }
    const job = lease._id.split(':')[0] ?? lease._id;
    const key = `${job}\u0000${lease.holder}`;
    const group = groups.get(key) ?? { job, instance: lease.holder.split(':').slice(1, 3).join(':') || lease.holder, holder: lease.holder, held: 0, until: lease.until };
    group.held += 1;
    if (lease.until > group.until) group.until = lease.until;
    groups.set(key, group);
  }
  const leasesOut = [...groups.values()].sort((a, b) => a.job.localeCompare(b.job) || a.holder.localeCompare(b.holder));
  return { leases: leasesOut, lapsed };
}

export async function workerStatus(now: Date): Promise<WorkerStatus> {
  const leases = await JobLeaseModel.find({}, { holder: 1, until: 1 }).limit(LEASES_READ).lean<Array<{ _id: string; holder: string; until: Date }>>();
  return groupLeases(leases, now);
}

export async function gradeSyncStatus(now: Date): Promise<GradeSyncStatus> {
  const waiting = { state: { $in: ['pending', 'failed'] } };
  const [pending, failed, done, due, oldest] = await Promise.all([
    GradeSyncJobModel.countDocuments({ state: 'pending' }),
    GradeSyncJobModel.countDocuments({ state: 'failed' }),
    GradeSyncJobModel.countDocuments({ state: 'done' }),
    GradeSyncJobModel.countDocuments({ ...waiting, nextAttemptAt: { $lte: now } }),
    GradeSyncJobModel.findOne(waiting, { enqueuedAt: 1, createdAt: 1 }).sort({ enqueuedAt: 1 }).lean<{ enqueuedAt?: Date; createdAt?: Date }>(),
  ]);
  const since = oldest?.enqueuedAt ?? oldest?.createdAt;
  return { pending, failed, done, due, oldestWaitingSince: since, oldestWaitingSeconds: seconds(since, now) };
}

/** The automatic-marking worker's query (auto-mark.service.ts: ended, not handled), bounded. */
async function autoMarkStatus(now: Date): Promise<AutoMarkStatus> {
  const endsAt = { $add: ['$startsAt', { $multiply: ['$durationMinutes', 60_000] }] };
  const ended = await AttendanceSessionModel.find(
    { startsAt: { $lte: now }, 'autoMark.doneAt': null, $expr: { $lte: [endsAt, now] } },
    { startsAt: 1, durationMinutes: 1 },
  )
    .sort({ startsAt: 1, _id: 1 })
    .limit(AUTO_MARK_CAP + 1)
    .lean<Array<{ startsAt: Date; durationMinutes: number }>>();
  const ends = ended.slice(0, AUTO_MARK_CAP).map((s) => s.startsAt.getTime() + s.durationMinutes * 60_000);
  const oldestEndedAt = ends.length > 0 ? new Date(Math.min(...ends)) : undefined;
  return { due: Math.min(ended.length, AUTO_MARK_CAP), dueCapped: ended.length > AUTO_MARK_CAP, oldestEndedAt, lagSeconds: seconds(oldestEndedAt, now) };
}

/** Everything, or only `database: 'down'` when the database does not answer (no read would). */
export async function readAdminStatus(deps: { now: () => Date; checkDatabase: () => Promise<boolean> }): Promise<AdminStatus> {
  const now = deps.now();
  const base = { checkedAt: now, answeredBy: `${hostname()}:${process.pid}` };
  if (!(await deps.checkDatabase().catch(() => false))) return { ...base, database: 'down' };
  const [stored, workers, gradeSync, autoMark] = await Promise.all([storedSchemaVersion(), workerStatus(now), gradeSyncStatus(now), autoMarkStatus(now)]);
  return { ...base, database: 'up', schema: { stored, code: MIGRATIONS.length }, workers, gradeSync, autoMark };
}
