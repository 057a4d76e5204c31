import { randomUUID } from 'node:crypto';
import { AttendanceRecordModel } from '../attendance/attendance-record.model';
import { AuditEntryModel } from '../attendance/audit-entry.model';
import { onAttendanceChanged } from '../grading/grade-hooks';
import { findGroup } from '../groups/group-lookup.service';
import { GroupModel } from '../groups/group.model';
import { AttendanceSessionModel } from '../sessions/attendance-session.model';
import { activityTimezone, getSession, StoredSession } from '../sessions/sessions.service';
import type { Logger } from '../shared/logger';
import { Refusal } from '../shared/errors';
import { findStatusSet } from '../status-sets/status-set-lookup.service';
import { attemptsLeft, DEFAULT_ATTEMPT_POLICY, retryAt } from './attempts';
import { CheckInFailureModel } from './check-in-failure.model';
import { DeviceConflictModel } from './device-conflict.model';
import { CheckInRefusal, decideCheckIn, SubmittedCode } from './check-in-decision';
import { rotationOn, SelfMarkingSettings } from './settings';
import { readExtras, settingsFrom } from './self-marking.service';
import type { CheckInStatus } from './status-choice';
import { checkInWindow } from './window';

/**
 * A student's self check-in (flow 1: the password typed inside the LMS). The service gathers the
 * facts, decideCheckIn (pure) rules, and only an accepted check-in writes a record.
 */

export type StatusOption = CheckInStatus & { description: string };

export interface CheckInFacts {
  session: StoredSession;
  timezone: string;
  settings: SelfMarkingSettings | undefined;
  secret: Buffer;
  statuses: StatusOption[];
  inAudience: boolean;
  existing: { statusId: string; remark: string; selfRecordedAt?: Date } | null;
  failuresMs: number[];
  /** Another student this device already checked in for the session (device cookie known). */
  deviceUsedBy?: string;
}

export interface CheckInContext {
  now: Date;
  ip: string | undefined;
  /** The phone's device cookie id, when the request carries one. */
  deviceId?: string;
  /** A held QR scan completed later: when it was scanned (see CheckInInput.codeAtMs). */
  codeAtMs?: number;
}

type RecordLean = { statusId: string; remark?: string | null; selfRecordedAt?: Date | null };

async function readStatuses(courseId: string, activityId: string, setId: string): Promise<StatusOption[]> {
  const set = await findStatusSet(courseId, activityId, setId);
  if (!set) throw new Refusal('not_found', 'STATUS_SET_NOT_IN_ACTIVITY');
  return set.statuses.map((s) => ({
    id: s._id, acronym: s.acronym, description: s.description, order: s.order, visible: s.visible ?? true,
    studentPick: { mode: s.studentPick?.mode ?? 'never', minutes: s.studentPick?.minutes ?? undefined },
  }));
}

async function inAudience(courseId: string, session: StoredSession, userId: string): Promise<boolean> {
  if (session.audience.kind === 'all') return true;
  const group = await findGroup(courseId, session.audience.groupId ?? '');
  return group?.memberIds.includes(userId) ?? false;
}

export async function readOwnRecord(courseId: string, activityId: string, sessionId: string, userId: string): Promise<CheckInFacts['existing']> {
  const r = await AttendanceRecordModel.findOne({ sessionId, userId, courseId, activityId }, { statusId: 1, remark: 1, selfRecordedAt: 1 }).lean<RecordLean>();
  return r ? { statusId: r.statusId, remark: r.remark ?? '', selfRecordedAt: r.selfRecordedAt ?? undefined } : null;
}

async function deviceUsedBy(courseId: string, sessionId: string, userId: string, deviceId: string | undefined): Promise<string | undefined> {
  if (!deviceId) return undefined;
  const other = await AttendanceRecordModel.findOne({ courseId, sessionId, deviceId, userId: { $ne: userId } }, { userId: 1 }).lean<{ userId: string }>();
  return other?.userId;
}

export async function loadCheckIn(
  courseId: string, activityId: string, sessionId: string, userId: string, now: Date, fallbackZone: string, deviceId?: string,
): Promise<CheckInFacts> {
  const [session, timezone, extras, existing, failures, usedBy] = await Promise.all([
    getSession(courseId, activityId, sessionId),
    activityTimezone(courseId, activityId, fallbackZone),
    readExtras(courseId, activityId, sessionId),
    readOwnRecord(courseId, activityId, sessionId, userId),
    CheckInFailureModel.find({ courseId, activityId, sessionId, userId, at: { $gt: new Date(now.getTime() - DEFAULT_ATTEMPT_POLICY.windowMs) } }, { at: 1 }).lean(),
    deviceUsedBy(courseId, sessionId, userId, deviceId),
  ]);
  const [statuses, audience] = await Promise.all([readStatuses(courseId, activityId, session.statusSetId), inAudience(courseId, session, userId)]);
  return {
    session, timezone, statuses, existing, inAudience: audience,
    settings: settingsFrom(extras.selfMarking),
    secret: Buffer.from(extras.checkInSecret ?? '', 'base64'),
    failuresMs: failures.map((f) => f.at.getTime()),
    deviceUsedBy: usedBy,
  };
}

/** The typed text is the password, or the projector's current code when the QR rotates. */
export function submittedCode(settings: SelfMarkingSettings | undefined, value: string | undefined): SubmittedCode | undefined {
  if (value === undefined || !settings) return undefined;
  return { kind: rotationOn(settings) ? 'typed' : 'password', value };
}

export function decide(facts: CheckInFacts, ctx: CheckInContext, code: SubmittedCode | undefined, chosenStatusId?: string) {
  if (!facts.settings) return { ok: false as const, reason: 'disabled' as const };
  return decideCheckIn({
    settings: facts.settings, session: facts.session, statuses: facts.statuses, nowMs: ctx.now.getTime(), inAudience: facts.inAudience,
    ip: ctx.ip, failuresMs: facts.failuresMs, code, secret: facts.secret, existing: facts.existing,
    deviceUsedByOther: facts.deviceUsedBy !== undefined, chosenStatusId, codeAtMs: ctx.codeAtMs,
  });
}

export type SubmitOutcome =
  | { ok: true }
  | { ok: false; reason: CheckInRefusal; facts: CheckInFacts; attemptsLeft?: number; retryAt?: Date };

const isDuplicateKey = (err: unknown) => (err as { code?: unknown })?.code === 11000 || /E11000|duplicate key/i.test(String((err as { message?: unknown })?.message ?? ''));

/**
 * First check-in: insert only ($setOnInsert), so of two concurrent submissions one creates the
 * record and the other finds it and is told 'already_marked'. A change (choose mode with
 * changing allowed) updates the status and keeps the teacher's remark.
 */
async function writeRecord(
  courseId: string, activityId: string, facts: CheckInFacts, userId: string, statusId: string, now: Date, replaces: boolean, deviceId?: string,
): Promise<boolean> {
  const fields = { statusSetId: facts.session.statusSetId, statusId, source: 'self', selfRecordedAt: now, updatedBy: userId, updatedAt: now, ...(deviceId ? { deviceId } : {}) };
  const filter = { sessionId: facts.session.id, userId };
  const collection = AttendanceRecordModel.collection;
  if (replaces) {
    const res = await collection.updateOne(filter, { $set: fields });
    return res.matchedCount === 1;
  }
  try {
    const res = await collection.updateOne(filter, { $setOnInsert: { ...fields, _id: randomUUID(), courseId, activityId, remark: '', createdAt: now, __v: 0 } }, { upsert: true });
    return res.upsertedCount === 1;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

async function recordRefusal(courseId: string, activityId: string, userId: string, facts: CheckInFacts, reason: CheckInRefusal, ctx: CheckInContext): Promise<void> {
  const sessionId = facts.session.id;
  if (reason === 'wrong_code') {
    await CheckInFailureModel.create({ _id: randomUUID(), courseId, activityId, sessionId, userId, at: ctx.now });
    facts.failuresMs.push(ctx.now.getTime());
  }
  if (reason === 'device_used_by_other' && ctx.deviceId && facts.deviceUsedBy) {
    await DeviceConflictModel.create({ _id: randomUUID(), courseId, activityId, sessionId, userId, otherUserId: facts.deviceUsedBy, deviceId: ctx.deviceId, at: ctx.now });
  }
}

type SessionDoc = {
  _id: string; startsAt: Date; durationMinutes: number; timezone: string; description?: string | null;
  audience: { kind: string; groupId?: string | null }; statusSetId: string; seriesId?: string | null;
  selfMarking?: Parameters<typeof settingsFrom>[0]; checkInSecret?: string | null;
};

/**
 * The facts the decision needs, in the fewest round trips: one read of the session (meeting,
 * settings and secret together), the failures and the device in parallel, then the status set.
 * Not read: the activity's time zone (only refusal pages show times) and the student's own
 * record unless changing is allowed: the insert-only write finds an existing record anyway.
 */
async function quickFacts(courseId: string, activityId: string, sessionId: string, userId: string, now: Date, deviceId?: string): Promise<CheckInFacts | undefined> {
  const [doc, failures, usedBy] = await Promise.all([
    AttendanceSessionModel.collection.findOne<SessionDoc>({ _id: sessionId as never, courseId, activityId }, { projection: { createdBy: 0, publicId: 0 } }),
    CheckInFailureModel.collection.find<{ at: Date }>({ courseId, activityId, sessionId, userId, at: { $gt: new Date(now.getTime() - DEFAULT_ATTEMPT_POLICY.windowMs) } }, { projection: { at: 1 } }).toArray(),
    deviceUsedBy(courseId, sessionId, userId, deviceId),
  ]);
  if (!doc) return undefined;
  const session: StoredSession = {
    id: doc._id, startsAt: doc.startsAt, durationMinutes: doc.durationMinutes, timezone: doc.timezone, description: doc.description ?? '',
    audience: doc.audience.kind === 'group' ? { kind: 'group', groupId: doc.audience.groupId ?? '' } : { kind: 'all' },
    statusSetId: doc.statusSetId, seriesId: doc.seriesId ?? undefined,
  };
  const settings = settingsFrom(doc.selfMarking);
  const mayChange = settings?.allowChange === true && settings.statusMode === 'choose';
  const [statuses, audience, existing] = await Promise.all([
    readStatuses(courseId, activityId, session.statusSetId), inAudience(courseId, session, userId),
    mayChange ? readOwnRecord(courseId, activityId, sessionId, userId) : null,
  ]);
  return {
    session, timezone: session.timezone, settings, secret: Buffer.from(doc.checkInSecret ?? '', 'base64'), statuses, inAudience: audience, existing,
    failuresMs: failures.map((f) => f.at.getTime()), deviceUsedBy: usedBy,
  };
}

/**
 * `form.code` is what the student typed (password or typed code); `heldCode` replaces it for a
 * QR scan (kind 'qr'), possibly scanned earlier (ctx.codeAtMs).
 */
export async function submitCheckIn(
  courseId: string, activityId: string, sessionId: string, userId: string,
  form: { code?: string; statusId?: string; qrCode?: string }, ctx: CheckInContext & { fallbackZone: string; log?: Logger },
): Promise<SubmitOutcome> {
  const codeOf = (f: CheckInFacts): SubmittedCode | undefined => (form.qrCode !== undefined ? { kind: 'qr', value: form.qrCode } : submittedCode(f.settings, form.code));
  let facts = await quickFacts(courseId, activityId, sessionId, userId, ctx.now, ctx.deviceId);
  let decision = facts ? decide(facts, ctx, codeOf(facts), form.statusId) : undefined;
  if (!facts || !decision?.ok) {
    // Refusals (rare) decide again on every fact, as the pages that explain them need those anyway.
    facts = await loadCheckIn(courseId, activityId, sessionId, userId, ctx.now, ctx.fallbackZone, ctx.deviceId);
    decision = decide(facts, ctx, codeOf(facts), form.statusId);
  }
  if (!decision.ok) {
    await recordRefusal(courseId, activityId, userId, facts, decision.reason, ctx);
    const nowMs = ctx.now.getTime();
    return { ok: false, reason: decision.reason, facts, attemptsLeft: attemptsLeft(facts.failuresMs, nowMs), retryAt: retryAt(facts.failuresMs, nowMs) };
  }
  const written = await writeRecord(courseId, activityId, facts, userId, decision.statusId, ctx.now, decision.replacesExisting, ctx.deviceId);
  if (!written) {
    return { ok: false, reason: 'already_marked', facts: { ...facts, existing: await readOwnRecord(courseId, activityId, sessionId, userId) } };
  }
  const remark = facts.existing?.remark ?? '';
  await AuditEntryModel.collection.insertOne({
    _id: randomUUID() as never, courseId, activityId, sessionId, userId, actorId: userId, at: ctx.now,
    from: { statusId: facts.existing?.statusId ?? null, remark }, to: { statusId: decision.statusId, remark }, source: 'self',
  });
  try {
    await onAttendanceChanged(courseId, activityId, [userId]);
  } catch (err) {
    // The check-in is saved; a failing grade listener must not turn it into an error page.
    ctx.log?.error({ err, courseId, activityId, sessionId }, 'grade hook failed after a check-in');
  }
  return { ok: true };
}

export interface OpenCheckIn {
  id: string;
  startsAt: Date;
  durationMinutes: number;
  description: string;
  /** The projector shows a QR code: a scan on the student's phone may be waiting to be completed. */
  qr: boolean;
  publicId?: string;
}

/** Sessions of the student's audience whose self-marking window is open now (the home's buttons). */
export async function openCheckIns(courseId: string, activityId: string, userId: string, now: Date): Promise<OpenCheckIn[]> {
  const groups = await GroupModel.find({ courseId, memberIds: userId }, { _id: 1 }).lean();
  const groupIds = new Set(groups.map((g) => String(g._id)));
  // Longest meeting is 1440 minutes, earliest opening 240 minutes before: a bounded time range.
  const docs = await AttendanceSessionModel.find({
    courseId, activityId,
    startsAt: { $gt: new Date(now.getTime() - 1440 * 60_000), $lte: new Date(now.getTime() + 240 * 60_000) },
  }, { startsAt: 1, durationMinutes: 1, description: 1, audience: 1, selfMarking: 1, publicId: 1 }).sort({ startsAt: 1 }).lean();
  return docs
    .filter((d) => d.audience.kind === 'all' || groupIds.has(d.audience.groupId ?? ''))
    .filter((d) => {
      const s = settingsFrom(d.selfMarking as Parameters<typeof settingsFrom>[0]);
      return s?.enabled === true && checkInWindow(d, s.opensMinutesBefore, now.getTime()).state === 'open';
    })
    .map((d) => ({
      id: d._id, startsAt: d.startsAt, durationMinutes: d.durationMinutes, description: d.description ?? '',
      qr: d.selfMarking?.showQr === true, publicId: d.publicId ?? undefined,
    }));
}
