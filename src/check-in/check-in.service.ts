import { randomUUID } from 'node:crypto';
import { AttendanceRecordModel } from '../attendance/attendance-record.model';
import { AuditEntryModel } from '../attendance/audit-entry.model';
import { onAttendanceChanged } from '../grading/grade-hooks';
import { findGroup } from '../groups/group-lookup.service';
import { GroupModel } from '../groups/group.model';
import { AttendanceSessionModel } from '../sessions/attendance-session.model';
import { StoredSession, toStored } from '../sessions/sessions.service';
import type { Logger } from '../shared/logger';
import { Refusal } from '../shared/errors';
import { attemptsLeft, retryAt } from './attempts';
import { AttemptScope, GuessAttempt, recentFailuresMs } from './attempt-slots.service';
import { DeviceConflictModel } from './device-conflict.model';
import { countCheckIn } from '../metrics/metrics';
import { CheckInInput, CheckInRefusal, decideCheckIn, EarlyFacts, SubmittedCode } from './check-in-decision';
import { rotationOn, SelfMarkingSettings } from './settings';
import { settingsFrom } from './self-marking.service';
import { readCheckInActivityZone, readCheckInSession, readCheckInStatusSet } from './check-in-reads';
import type { CheckInStatus } from './status-choice';
import { checkInWindow } from './window';
import { itemOutcome, NaturalBatcher, unorderedBulk } from '../shared/natural-batcher';

/**
 * A student's self check-in (flow 1: the password typed inside the LMS). The service gathers the
 * facts, decideCheckIn (pure) rules, and only an accepted check-in writes a record. A typed code
 * is judged only after winning an attempt slot (attempt-slots.service.ts): the wrong-code limit
 * holds under concurrency.
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
  const set = await readCheckInStatusSet(courseId, activityId, setId);
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
  // Exactly the unique (session, student) key, so every server answers it from that index; the
  // course and activity are checked on the document (a session id of another course finds nothing).
  const r = await AttendanceRecordModel.collection.findOne<RecordLean & { courseId: string; activityId: string }>(
    { sessionId, userId }, { projection: { statusId: 1, remark: 1, selfRecordedAt: 1, courseId: 1, activityId: 1 } },
  );
  if (!r || r.courseId !== courseId || r.activityId !== activityId) return null;
  return { statusId: r.statusId, remark: r.remark ?? '', selfRecordedAt: r.selfRecordedAt ?? undefined };
}

async function deviceUsedBy(courseId: string, sessionId: string, userId: string, deviceId: string | undefined): Promise<string | undefined> {
  if (!deviceId) return undefined;
  const other = await AttendanceRecordModel.findOne({ courseId, sessionId, deviceId, userId: { $ne: userId } }, { userId: 1 }).lean<{ userId: string }>();
  return other?.userId;
}

export async function loadCheckIn(
  courseId: string, activityId: string, sessionId: string, userId: string, now: Date, fallbackZone: string, deviceId?: string,
): Promise<CheckInFacts> {
  const [doc, timezone, existing, failures, usedBy] = await Promise.all([
    readCheckInSession(courseId, activityId, sessionId),
    readCheckInActivityZone(courseId, activityId, fallbackZone),
    readOwnRecord(courseId, activityId, sessionId, userId),
    recentFailuresMs({ courseId, activityId, sessionId, userId }, now),
    deviceUsedBy(courseId, sessionId, userId, deviceId),
  ]);
  if (!doc) throw new Refusal('not_found', 'SESSION_NOT_IN_ACTIVITY');
  const session = toStored(doc);
  const extras = { selfMarking: doc.selfMarking, checkInSecret: doc.checkInSecret };
  const [statuses, audience] = await Promise.all([readStatuses(courseId, activityId, session.statusSetId), inAudience(courseId, session, userId)]);
  return {
    session, timezone, statuses, existing, inAudience: audience,
    settings: settingsFrom(extras.selfMarking),
    secret: Buffer.from(extras.checkInSecret ?? '', 'base64'),
    failuresMs: failures,
    deviceUsedBy: usedBy,
  };
}

/** The typed text is the password, or the projector's current code when the QR rotates. */
export function submittedCode(settings: SelfMarkingSettings | undefined, value: string | undefined): SubmittedCode | undefined {
  if (value === undefined || !settings) return undefined;
  return { kind: rotationOn(settings) ? 'typed' : 'password', value };
}

/** What the early refusals look at (undefined: self-marking was never set up, i.e. disabled). */
function earlyFacts(f: Omit<CheckInFacts, 'statuses' | 'secret' | 'timezone' | 'failuresMs'>, ctx: CheckInContext): EarlyFacts | undefined {
  if (!f.settings) return undefined;
  return {
    settings: f.settings, session: f.session, nowMs: ctx.now.getTime(), inAudience: f.inAudience, ip: ctx.ip, existing: f.existing,
    deviceUsedByOther: f.deviceUsedBy !== undefined, codeAtMs: ctx.codeAtMs,
  };
}

export function decide(facts: CheckInFacts, ctx: CheckInContext, code: SubmittedCode | undefined, chosenStatusId?: string, attempt?: CheckInInput['attempt']) {
  const early = earlyFacts(facts, ctx);
  if (!early) return { ok: false as const, reason: 'disabled' as const };
  return decideCheckIn({ ...early, statuses: facts.statuses, failuresMs: facts.failuresMs, code, secret: facts.secret, chosenStatusId, attempt });
}

export type SubmitOutcome =
  | { ok: true }
  | { ok: false; reason: CheckInRefusal; facts: CheckInFacts; attemptsLeft?: number; retryAt?: Date };

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
  return firstRecords.submit({ filter, insert: { ...fields, _id: randomUUID(), courseId, activityId, remark: '', createdAt: now, __v: 0 } });
}

type FirstRecord = { filter: { sessionId: string; userId: string }; insert: Record<string, unknown> };

/**
 * First check-ins of concurrent students in one command: per student an insert-only upsert on
 * the unique (session, student) pair. True when this one inserted the record; false when it
 * existed (or a concurrent request inserted it first: E11000).
 */
const firstRecords = new NaturalBatcher<FirstRecord, boolean>(async (items) => {
  const ops = items.map((r) => ({ updateOne: { filter: r.filter, update: { $setOnInsert: r.insert }, upsert: true } }));
  const bulk = await unorderedBulk(() => AttendanceRecordModel.collection.bulkWrite(ops as never, { ordered: false }));
  const upserted = bulk.result.upsertedIds ?? {};
  return items.map((_, i) => itemOutcome(bulk.errorAt(i), upserted[i] !== undefined, false));
});

/** A wrong code needs nothing here: its attempt slot, kept for the window, is its record. */
async function recordRefusal(courseId: string, activityId: string, userId: string, facts: CheckInFacts, reason: CheckInRefusal, ctx: CheckInContext): Promise<void> {
  const sessionId = facts.session.id;
  if (reason === 'device_used_by_other' && ctx.deviceId && facts.deviceUsedBy) {
    await DeviceConflictModel.create({ _id: randomUUID(), courseId, activityId, sessionId, userId, otherUserId: facts.deviceUsedBy, deviceId: ctx.deviceId, at: ctx.now });
  }
}


/**
 * The facts the decision needs, in the fewest round trips: one read of the session (meeting,
 * settings and secret together) and the device in parallel, then the status set, and beside it
 * the audience, then a guess's attempt reservation (which needs the early facts). Not read: the
 * activity's time zone (only refusal pages show times), the student's own record unless changing
 * is allowed (the insert-only write finds an existing record anyway), and for a guess the
 * recent failures (its reservation decides; a refusal page reads them).
 */
async function quickFacts(scope: AttemptScope, ctx: CheckInContext, attempt: GuessAttempt, readFailures: boolean): Promise<CheckInFacts | undefined> {
  const { courseId, activityId, sessionId, userId } = scope;
  const [doc, failures, usedBy] = await Promise.all([
    readCheckInSession(courseId, activityId, sessionId),
    readFailures ? recentFailuresMs(scope, ctx.now) : [],
    deviceUsedBy(courseId, sessionId, userId, ctx.deviceId),
  ]);
  if (!doc) return undefined;
  const session = toStored(doc);
  const settings = settingsFrom(doc.selfMarking);
  const mayChange = settings?.allowChange === true && settings.statusMode === 'choose';
  const early = async () => {
    const [audience, existing] = await Promise.all([inAudience(courseId, session, userId), mayChange ? readOwnRecord(courseId, activityId, sessionId, userId) : null]);
    await attempt.reserveIfJudged(earlyFacts({ session, settings, inAudience: audience, existing, deviceUsedBy: usedBy }, ctx));
    return { audience, existing };
  };
  const [statuses, { audience, existing }] = await Promise.all([readStatuses(courseId, activityId, session.statusSetId), early()]);
  return {
    session, timezone: session.timezone, settings, secret: Buffer.from(doc.checkInSecret ?? '', 'base64'), statuses, inAudience: audience, existing,
    failuresMs: failures, deviceUsedBy: usedBy,
  };
}

/**
 * `form.code` is what the student typed (password or typed code); `qrCode` replaces it for a
 * held QR scan (kind 'qr'), possibly scanned earlier (ctx.codeAtMs).
 *
 * Only a typed code is a guess that uses up an attempt. A held QR scan was checked when it was
 * scanned (the public page limits wrong scans per address) and is claimed once server-side, so
 * it reserves nothing; it still honours a lock-out, read from the stored failures.
 */
export async function submitCheckIn(
  courseId: string, activityId: string, sessionId: string, userId: string,
  form: { code?: string; statusId?: string; qrCode?: string }, ctx: CheckInContext & { fallbackZone: string; log?: Logger },
): Promise<SubmitOutcome> {
  const outcome = await judgeAndRecord(courseId, activityId, sessionId, userId, form, ctx);
  countCheckIn(form.qrCode !== undefined ? 'qr' : 'password', outcome.ok ? 'recorded' : outcome.reason);
  return outcome;
}

async function judgeAndRecord(
  courseId: string, activityId: string, sessionId: string, userId: string,
  form: { code?: string; statusId?: string; qrCode?: string }, ctx: CheckInContext & { fallbackZone: string; log?: Logger },
): Promise<SubmitOutcome> {
  const scope = { courseId, activityId, sessionId, userId };
  const isGuess = form.qrCode === undefined && form.code !== undefined;
  const attempt = new GuessAttempt(scope, ctx.now, isGuess);
  const codeOf = (f: CheckInFacts): SubmittedCode | undefined => (form.qrCode !== undefined ? { kind: 'qr', value: form.qrCode } : submittedCode(f.settings, form.code));
  let facts = await quickFacts(scope, ctx, attempt, !isGuess);
  let decision = facts ? decide(facts, ctx, codeOf(facts), form.statusId, attempt.state) : undefined;
  if (!facts || !decision?.ok) {
    // Refusals (rare) decide again on every fact, as the pages that explain them need those anyway.
    facts = await loadCheckIn(courseId, activityId, sessionId, userId, ctx.now, ctx.fallbackZone, ctx.deviceId);
    // Reserves only if none is held yet and these facts would judge the code: the quick facts
    // stopped early and these do not (a concurrent settings change), or every slot was held and
    // one was given back meanwhile. No guess is judged without a slot. Failures read before it.
    if (await attempt.reserveIfJudged(earlyFacts(facts, ctx), facts.failuresMs)) facts.failuresMs.push(ctx.now.getTime());
    decision = decide(facts, ctx, codeOf(facts), form.statusId, attempt.state);
  }
  if (!decision.ok) {
    await Promise.all([attempt.settle(decision.reason), recordRefusal(courseId, activityId, userId, facts, decision.reason, ctx)]);
    if (decision.reason === 'already_marked') await completeSelfCheckIn(courseId, activityId, sessionId, userId, facts.existing, ctx.now, ctx.log);
    const nowMs = ctx.now.getTime();
    // A slot freed between the failed reservation and the read: the student may try again now.
    const retry = retryAt(facts.failuresMs, nowMs) ?? (decision.reason === 'locked_out' ? ctx.now : undefined);
    return { ok: false, reason: decision.reason, facts, attemptsLeft: attemptsLeft(facts.failuresMs, nowMs), retryAt: retry };
  }
  const [written] = await Promise.all([
    writeRecord(courseId, activityId, facts, userId, decision.statusId, ctx.now, decision.replacesExisting, ctx.deviceId),
    attempt.settle(undefined),
  ]);
  if (!written) {
    const existing = await readOwnRecord(courseId, activityId, sessionId, userId);
    await completeSelfCheckIn(courseId, activityId, sessionId, userId, existing, ctx.now, ctx.log);
    return { ok: false, reason: 'already_marked', facts: { ...facts, existing } };
  }
  const remark = facts.existing?.remark ?? '';
  await insertSelfAudit({ courseId, activityId, sessionId, userId, at: ctx.now, from: { statusId: facts.existing?.statusId ?? null, remark }, to: { statusId: decision.statusId, remark } });
  await gradeHook(courseId, activityId, sessionId, userId, ctx.log);
  return { ok: true };
}

/**
 * A check-in is three writes (no transactions): the record, its audit entry, the grade job. An
 * instance killed between them (SIGKILL, out of memory, a crash) leaves the record without the
 * others, and the student, who got no answer, sends again and is told "already checked in". That
 * retry completes the check-in: the audit entry has an id derived from the record's
 * self-recorded time, so writing it again is a no-op when it exists; the grade job is enqueued
 * again (harmless: the job sends the current grade). `from` is not known any more then; the
 * entry says unmarked before, as it was for every first check-in.
 * Proven by test/integration/cluster/cluster.test.ts (SIGKILL during a burst).
 */
async function completeSelfCheckIn(
  courseId: string, activityId: string, sessionId: string, userId: string, existing: CheckInFacts['existing'], now: Date, log?: Logger,
): Promise<void> {
  const at = existing?.selfRecordedAt;
  // A retry comes within minutes; an older record was completed long ago (or by a release whose
  // audit ids were random: the look-up below finds those entries too).
  if (!existing || !at || now.getTime() - at.getTime() > REPAIR_WINDOW_MS) return;
  if (!(await AuditEntryModel.exists({ courseId, activityId, sessionId, userId, at, source: 'self' }))) {
    const remark = existing.remark ?? '';
    await insertSelfAudit({ courseId, activityId, sessionId, userId, at, from: { statusId: null, remark }, to: { statusId: existing.statusId, remark } });
  }
  // The grade job may be what is missing (killed after the audit entry): enqueue it again.
  await gradeHook(courseId, activityId, sessionId, userId, log);
}

const REPAIR_WINDOW_MS = 10 * 60_000;

type SelfAudit = { courseId: string; activityId: string; sessionId: string; userId: string; at: Date; from: { statusId: string | null; remark: string }; to: { statusId: string; remark: string } };

/**
 * One audit entry per self check-in: its id is derived from the record's self-recorded time (an
 * entry that exists already is no error). Entries of concurrent check-ins go in one command.
 */
const auditWrites = new NaturalBatcher<SelfAudit, void>(async (entries) => {
  const docs = entries.map((e) => ({ _id: `self:${e.sessionId}:${e.userId}:${e.at.getTime()}` as never, ...e, actorId: e.userId, source: 'self' }));
  const bulk = await unorderedBulk(() => AuditEntryModel.collection.insertMany(docs, { ordered: false }));
  return entries.map((_, i) => itemOutcome(bulk.errorAt(i), undefined, undefined));
});

function insertSelfAudit(e: SelfAudit): Promise<void> {
  return auditWrites.submit(e);
}

async function gradeHook(courseId: string, activityId: string, sessionId: string, userId: string, log?: Logger): Promise<void> {
  try {
    await onAttendanceChanged(courseId, activityId, [userId]);
  } catch (err) {
    // The check-in is saved; a failing grade listener must not turn it into an error page.
    log?.error({ err, courseId, activityId, sessionId }, 'grade hook failed after a check-in');
  }
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
