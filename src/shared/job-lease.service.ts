import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { JobLeaseModel } from './job-lease.model';
import { isDuplicateKey } from './database-errors';

/**
 * Leases for background jobs (job-lease.model.ts). Not course data, so these functions take a
 * lease key rather than a course id; callers put their own scope into the key.
 *
 * Claiming is one atomic findOneAndUpdate with upsert: it matches the key when it is free
 * (expired) or already ours; when someone else holds it, the filter matches nothing, the upsert
 * tries to insert the same `_id` and the unique index refuses it (E11000) — that is "taken".
 * No transactions needed. Expiry uses the caller's clock, so instances' clocks should agree to
 * well within the lease length (NTP is plenty for leases of minutes).
 */

/** An id for this process: readable in the database and unique per start. */
export function newHolderId(prefix: string): string {
  return `${prefix}:${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/** True when `holder` now holds `key` until now + ttlMs (a fresh claim, a takeover of a lapsed one, or a renewal). */
export async function acquireLease(key: string, holder: string, ttlMs: number, now: Date): Promise<boolean> {
  try {
    const doc = await JobLeaseModel.findOneAndUpdate(
      { _id: key, $or: [{ holder }, { until: { $lte: now } }] },
      { $set: { holder, until: new Date(now.getTime() + ttlMs) } },
      { upsert: true, new: true },
    ).lean();
    return doc?.holder === holder;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

/** Gives the lease back (only if still ours: a lapsed lease someone took over is theirs now). */
export async function releaseLease(key: string, holder: string): Promise<void> {
  await JobLeaseModel.deleteOne({ _id: key, holder });
}

/**
 * Removes leases under `prefix` that lapsed before `before`: what crashed holders left behind
 * for work that was finished by someone else meanwhile (nobody would ever take those over).
 */
export async function pruneLeases(prefix: string, before: Date): Promise<number> {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const res = await JobLeaseModel.deleteMany({ _id: { $regex: `^${escaped}` }, until: { $lt: before } });
  return res.deletedCount;
}
