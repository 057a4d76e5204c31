import { countCheckIn } from '../metrics/metrics';
import { ActivityModel } from '../courses/activity.model';
import { MemberModel } from '../roster/member.model';
import { AttendanceSessionModel } from '../sessions/attendance-session.model';
import { Refusal } from '../shared/errors';
import type { Logger } from '../shared/logger';
import { hit, RateRule, RateState } from '../shared/rate-limit.service';
import { loadCheckIn, submitCheckIn, SubmitOutcome, CheckInFacts } from './check-in.service';
import { DevicePairingModel } from './device-pairing.model';
import { HeldScanProblem, heldScanExpiresAt } from './held-scan';
import { claimHeldScan, HeldScan, holdScan, releaseHeldScan } from './held-scan.service';
import { codesEqual } from './password';
import { recentlyExpired, staticQrToken, verifyRotating } from './rotating-code';
import { rotationOn, SelfMarkingSettings } from './settings';
import { settingsFrom } from './self-marking.service';
import { checkInWindow } from './window';
import { isDuplicateKey } from '../shared/database-errors';

/**
 * The public QR flow (flow 2): a phone opens /checkin/<publicId>?code=… top-level. The public id
 * is the only key the phone brings, so this lookup is the one query not scoped by a launch's
 * course: it yields the course and activity, and everything after is scoped by them.
 */

/** Ten minutes of rotations: older codes are simply wrong. */
const EXPIRED_LOOKBACK_SLOTS = 40;

export interface QrSession {
  courseId: string;
  activityId: string;
  sessionId: string;
  publicId: string;
  startsAt: Date;
  durationMinutes: number;
  settings: SelfMarkingSettings | undefined;
  secret: Buffer;
}

type SessionLean = { _id: string; courseId: string; activityId: string; publicId: string; startsAt: Date; durationMinutes: number; selfMarking?: Parameters<typeof settingsFrom>[0]; checkInSecret?: string };

export async function findByPublicId(publicId: string): Promise<QrSession | undefined> {
  if (!/^[A-Za-z0-9_-]{8,64}$/.test(publicId)) return undefined;
  const d = await AttendanceSessionModel.findOne({ publicId }, { courseId: 1, activityId: 1, publicId: 1, startsAt: 1, durationMinutes: 1, selfMarking: 1, checkInSecret: 1 }).lean<SessionLean>();
  if (!d) return undefined;
  return {
    courseId: d.courseId, activityId: d.activityId, sessionId: d._id, publicId: d.publicId, startsAt: d.startsAt, durationMinutes: d.durationMinutes,
    settings: settingsFrom(d.selfMarking), secret: Buffer.from(d.checkInSecret ?? '', 'base64'),
  };
}

export type ScanCheck = 'ok' | 'expired' | 'wrong' | 'disabled' | 'not_open' | 'closed';

/** Whether a scanned QR token is good right now, before anything is held or recorded. */
export function checkScan(s: QrSession, code: string, nowMs: number): ScanCheck {
  const settings = s.settings;
  if (!settings?.enabled || !settings.showQr || s.secret.length === 0) return 'disabled';
  const window = checkInWindow(s, settings.opensMinutesBefore, nowMs);
  if (window.state !== 'open') return window.state;
  if (!rotationOn(settings)) return codesEqual(code, staticQrToken(s.secret, s.sessionId, settings.password)) ? 'ok' : 'wrong';
  if (verifyRotating('qr', code, s.secret, s.sessionId, nowMs, settings.rotateSeconds, settings.graceSeconds).ok) return 'ok';
  return recentlyExpired('qr', code, s.secret, s.sessionId, nowMs, settings.rotateSeconds, EXPIRED_LOOKBACK_SLOTS) ? 'expired' : 'wrong';
}

/** The end of the session's check-in window: no held scan outlives it. */
export function windowClosesAt(s: QrSession): number {
  return s.startsAt.getTime() + s.durationMinutes * 60_000;
}

export async function pairedUser(courseId: string, deviceId: string | undefined): Promise<string | undefined> {
  if (!deviceId) return undefined;
  const p = await DevicePairingModel.findOne({ courseId, deviceId }, { userId: 1 }).lean<{ userId: string }>();
  return p?.userId;
}

/** Holds a valid scan for this device until the student's completion (held-scan.ts). */
export async function holdValidScan(s: QrSession, code: string, deviceId: string, now: Date, heldMinutes: number): Promise<HeldScan> {
  const where = { courseId: s.courseId, activityId: s.activityId, sessionId: s.sessionId, publicId: s.publicId };
  return holdScan(where, code, deviceId, now, heldScanExpiresAt(now.getTime(), heldMinutes, windowClosesAt(s)));
}

export interface QrCheckInContext { now: Date; ip: string | undefined; deviceId: string | undefined; fallbackZone: string; log?: Logger }

export type QrOutcome = SubmitOutcome | { ok: false; held: HeldScanProblem; consumedBy?: string };

/**
 * Records the held scan for the student (identified by pairing or by a completion ticket). The
 * scan is claimed first, in one atomic step, so one scan yields at most one record. Only a
 * refusal the student fixes on the same page (status_not_allowed re-shows the status choice)
 * gives the scan back. Any other outcome leaves it used, a server error included: the record
 * may have been written before the error, and scanning again is cheap.
 */
export async function completeHeldScan(s: QrSession, heldId: string, userId: string, statusId: string | undefined, ctx: QrCheckInContext): Promise<QrOutcome> {
  const claim = await claimHeldScan(heldId, s.sessionId, ctx.deviceId, userId, ctx.now);
  if (!claim.ok) {
    countCheckIn('qr', `held_${claim.problem}`);
    return { ok: false, held: claim.problem, consumedBy: claim.consumedBy };
  }
  const outcome = await submitCheckIn(s.courseId, s.activityId, s.sessionId, userId, { qrCode: claim.scan.code, statusId }, {
    now: ctx.now, ip: ctx.ip, deviceId: ctx.deviceId, codeAtMs: Math.min(claim.scan.scannedAt.getTime(), ctx.now.getTime()), fallbackZone: ctx.fallbackZone, log: ctx.log,
  });
  if (!outcome.ok && outcome.reason === 'status_not_allowed') await releaseHeldScan(heldId, userId, ctx.now);
  if (outcome.ok) await DevicePairingModel.updateOne({ courseId: s.courseId, deviceId: ctx.deviceId, userId }, { $set: { lastUsedAt: ctx.now } });
  return outcome;
}

export interface QrLimits { unknownIdsPer10Minutes: number; wrongCodesPer10Minutes: number }
export type QrFailure = 'unknown_id' | 'wrong_code';

const TEN_MINUTES_MS = 10 * 60_000;

/**
 * Counts a failed request of the public QR page for the client address, in the database that
 * every app instance shares. Only failures are counted and refused: a valid scan is never
 * refused for its address, since a lecture hall shares one. Unknown ids and wrong codes count
 * apart. Guessing is defeated by the ids' and codes' size, not by these limits.
 */
export function countQrFailure(kind: QrFailure, address: string, now: Date, limits: QrLimits): Promise<RateState> {
  const rule: RateRule = kind === 'unknown_id'
    ? { name: 'qr-unknown-id', limit: limits.unknownIdsPer10Minutes, windowMs: TEN_MINUTES_MS }
    : { name: 'qr-wrong-code', limit: limits.wrongCodesPer10Minutes, windowMs: TEN_MINUTES_MS };
  return hit(rule, address, now);
}

export async function studentFacts(s: QrSession, userId: string, now: Date, fallbackZone: string): Promise<CheckInFacts> {
  return loadCheckIn(s.courseId, s.activityId, s.sessionId, userId, now, fallbackZone);
}

export async function memberName(courseId: string, userId: string): Promise<string> {
  const m = await MemberModel.findOne({ courseId, userId }, { name: 1, givenName: 1, familyName: 1 }).lean<{ name?: string; givenName?: string; familyName?: string }>();
  return (m?.name || [m?.givenName, m?.familyName].filter(Boolean).join(' ')) ?? '';
}

/**
 * Where the unpaired phone's student should go: the teacher's link to the activity (Settings),
 * else the LMS page the last launch came from (usually the course page).
 */
export async function lmsLink(courseId: string, activityId: string): Promise<string | undefined> {
  const a = await ActivityModel.findOne({ _id: activityId, courseId }, { lmsActivityUrl: 1, lmsReturnUrl: 1 }).lean<{ lmsActivityUrl?: string; lmsReturnUrl?: string }>();
  return [a?.lmsActivityUrl, a?.lmsReturnUrl].find((url): url is string => typeof url === 'string' && /^https?:\/\//i.test(url));
}

export type PairResult = 'paired' | 'already' | 'taken';

/** One student per device per course: a device paired with someone else stays theirs until revoked. */
export async function pairDevice(courseId: string, userId: string, deviceId: string, label: string, now: Date, newId: string): Promise<PairResult> {
  const existing = await DevicePairingModel.findOne({ courseId, deviceId }, { userId: 1 }).lean<{ userId: string }>();
  if (existing) return existing.userId === userId ? 'already' : 'taken';
  try {
    await DevicePairingModel.create({ _id: newId, courseId, deviceId, userId, label, createdAt: now });
    return 'paired';
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const winner = await pairedUser(courseId, deviceId);
    return winner === userId ? 'already' : 'taken';
  }
}

export interface PairingRow { id: string; userId: string; label: string; createdAt: Date; lastUsedAt?: Date }

export async function listPairings(courseId: string, userId?: string): Promise<PairingRow[]> {
  const docs = await DevicePairingModel.find({ courseId, ...(userId ? { userId } : {}) }).sort({ createdAt: 1 }).lean<Array<{ _id: string; userId: string; label?: string; createdAt: Date; lastUsedAt?: Date }>>();
  return docs.map((d) => ({ id: d._id, userId: d.userId, label: d.label ?? '', createdAt: d.createdAt, lastUsedAt: d.lastUsedAt ?? undefined }));
}

/** Revokes one pairing (or all of a student's with pairingId undefined); `userId` limits a student to their own. */
export async function revokePairings(courseId: string, opts: { pairingId?: string; userId?: string }): Promise<number> {
  if (!opts.pairingId && !opts.userId) throw new Refusal('not_found', 'PAIRING_FILTER_EMPTY');
  const filter = { courseId, ...(opts.pairingId ? { _id: opts.pairingId } : {}), ...(opts.userId ? { userId: opts.userId } : {}) };
  const res = await DevicePairingModel.deleteMany(filter);
  return res.deletedCount ?? 0;
}
