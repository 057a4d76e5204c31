import { randomBytes } from 'node:crypto';
import { HeldScanModel } from './held-scan.model';
import { HeldScanProblem, heldScanProblem, HeldScanState } from './held-scan';

/**
 * Held scans in the database (see held-scan.model.ts). Every look-up is scoped by the session
 * the phone is on, so a held scan of one session can never complete another.
 */

export interface HeldScan {
  id: string;
  code: string;
  scannedAt: Date;
  expiresAt: Date;
}

export type HeldScanResult = { ok: true; scan: HeldScan } | { ok: false; problem: HeldScanProblem; consumedBy?: string };

interface Where { courseId: string; activityId: string; sessionId: string; publicId: string }

type HeldLean = HeldScanState & { _id: string; code: string; scannedAt: Date; consumedBy?: string | null };

const toScan = (d: HeldLean): HeldScan => ({ id: d._id, code: d.code, scannedAt: d.scannedAt, expiresAt: d.expiresAt });

export async function holdScan(where: Where, code: string, deviceId: string, now: Date, expiresAt: Date): Promise<HeldScan> {
  const id = randomBytes(16).toString('base64url');
  await HeldScanModel.create({ _id: id, ...where, code, scannedAt: now, deviceId, expiresAt, consumedAt: null, consumedBy: null });
  return { id, code, scannedAt: now, expiresAt };
}

async function read(id: string, sessionId: string): Promise<HeldLean | undefined> {
  return (await HeldScanModel.findOne({ _id: id, sessionId }).lean<HeldLean>()) ?? undefined;
}

function failure(d: HeldLean | undefined, deviceId: string | undefined, now: Date): HeldScanResult {
  const problem = heldScanProblem(d, deviceId, now.getTime()) ?? 'used';
  return { ok: false, problem, consumedBy: problem === 'used' ? d?.consumedBy ?? undefined : undefined };
}

/** Whether this device could complete the scan now (for the pages that lead to completing). */
export async function inspectHeldScan(id: string, sessionId: string, deviceId: string | undefined, now: Date): Promise<HeldScanResult> {
  const d = await read(id, sessionId);
  return heldScanProblem(d, deviceId, now.getTime()) === undefined && d ? { ok: true, scan: toScan(d) } : failure(d, deviceId, now);
}

/**
 * Takes the scan for one completion: a single conditional update, so of concurrent completions
 * exactly one gets it, whatever the number of app instances.
 */
export async function claimHeldScan(id: string, sessionId: string, deviceId: string | undefined, userId: string, now: Date): Promise<HeldScanResult> {
  if (deviceId !== undefined) {
    const d = await HeldScanModel.findOneAndUpdate(
      { _id: id, sessionId, deviceId, consumedAt: null, expiresAt: { $gt: now } },
      { $set: { consumedAt: now, consumedBy: userId } },
      { new: true },
    ).lean<HeldLean>();
    if (d) return { ok: true, scan: toScan(d) };
  }
  return failure(await read(id, sessionId), deviceId, now);
}

/**
 * Gives a claimed scan back when the completion recorded nothing and the student may retry at
 * once (they must pick another status). Only this claim's own mark is undone.
 */
export async function releaseHeldScan(id: string, userId: string, claimedAt: Date): Promise<void> {
  await HeldScanModel.updateOne({ _id: id, consumedBy: userId, consumedAt: claimedAt }, { $set: { consumedAt: null, consumedBy: null } });
}

/** For the cleanup job. */
export async function deleteExpiredHeldScans(now: Date): Promise<number> {
  return (await HeldScanModel.deleteMany({ expiresAt: { $lte: now } })).deletedCount;
}
