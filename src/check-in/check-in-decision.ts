/**
 * Whether a student's self check-in is accepted, and with which status: every rule of the
 * feature composed in one pure function, so the service only gathers the facts, calls this,
 * and writes a record (on ok) or keeps a failed attempt (on 'wrong_code' only).
 */
import { isLockedOut, type AttemptPolicy } from './attempts';
import { ipAllowed, parseCidrList } from './cidr';
import { codesEqual } from './password';
import { staticQrToken, verifyRotating } from './rotating-code';
import { rotationOn, type SelfMarkingSettings } from './settings';
import { allowedStatuses, automaticStatus, type CheckInStatus } from './status-choice';
import { checkInWindow } from './window';

/** 'password' is typed with rotation off; 'typed' (the short rotating code) and 'qr' with it on. */
export type SubmittedCode = { kind: 'password' | 'typed' | 'qr'; value: string };

export interface CheckInInput {
  settings: SelfMarkingSettings;
  session: { id: string; startsAt: Date; durationMinutes: number };
  /** The statuses of the meeting's status set. */
  statuses: readonly CheckInStatus[];
  nowMs: number;
  /** The student belongs to the meeting's audience (all students, or its group). */
  inAudience: boolean;
  ip: string | undefined;
  /** When this student's earlier wrong codes for this meeting happened. */
  failuresMs: readonly number[];
  attemptPolicy?: Partial<AttemptPolicy>;
  /**
   * The caller's atomic reservation of one attempt for judging this code (attempt slots, see
   * attempt-slots.service.ts). 'reserved': the limit was applied by the reservation itself, so
   * failuresMs (read around it, counting it and any racing guesses) is not consulted;
   * 'none_free': every attempt is in use, locked out. Absent (a page view, a held QR scan):
   * failuresMs decides.
   */
  attempt?: 'reserved' | 'none_free';
  code: SubmittedCode | undefined;
  /** The meeting's secret for rotating and static QR codes. */
  secret: Buffer;
  /** This student's record for the meeting, if any. */
  existing: { statusId: string } | null;
  /** This device already checked in another student for this meeting. */
  deviceUsedByOther: boolean;
  /** 'choose' mode: what the student picked; ignored in 'auto' mode. */
  chosenStatusId?: string;
  /**
   * When the code was scanned, if earlier than now: a phone's held QR check-in completed after an
   * LMS launch. The code is checked, and the status chosen, as of that instant (the server signed
   * it, so it is trusted); the window must be open both then and now.
   */
  codeAtMs?: number;
}

export type CheckInRefusal =
  | 'disabled'
  | 'not_open'
  | 'closed'
  | 'not_in_audience'
  | 'ip_not_allowed'
  | 'locked_out'
  | 'wrong_code'
  | 'device_used_by_other'
  | 'already_marked'
  | 'status_not_allowed';

export type CheckInDecision =
  | { ok: true; statusId: string; replacesExisting: boolean }
  | { ok: false; reason: CheckInRefusal };

/**
 * Rotation on: only the rotating QR token or typed code; the password would otherwise be a
 * code that never rotates and can be passed to absent friends. Rotation off: the password, or
 * the static QR's token.
 */
function codeAccepted(input: CheckInInput): boolean {
  const { settings, session, code, secret } = input;
  const nowMs = input.codeAtMs ?? input.nowMs;
  if (!code) return false;
  if (rotationOn(settings)) {
    if (code.kind === 'password') return false;
    return verifyRotating(code.kind, code.value, secret, session.id, nowMs, settings.rotateSeconds, settings.graceSeconds).ok;
  }
  if (code.kind === 'password') return codesEqual(code.value, settings.password);
  if (code.kind === 'qr' && settings.showQr) return codesEqual(code.value, staticQrToken(secret, session.id, settings.password));
  return false;
}

function statusFor(input: CheckInInput): string | undefined {
  const { settings, session, statuses } = input;
  const nowMs = input.codeAtMs ?? input.nowMs;
  if (settings.statusMode === 'auto') return automaticStatus(statuses, settings.lateAfterMinutes, session.startsAt, nowMs)?.id;
  const allowed = allowedStatuses(statuses, session.startsAt, nowMs);
  return allowed.find((s) => s.id === input.chosenStatusId)?.id;
}

/** Changing is a 'choose' mode feature: in 'auto' a second check-in could only restamp Present as Late. */
function mayChange(settings: SelfMarkingSettings): boolean {
  return settings.allowChange && settings.statusMode === 'choose';
}

/** What steps 1-6 below look at: nothing about the code or earlier attempts. */
export type EarlyFacts = Pick<CheckInInput, 'settings' | 'session' | 'nowMs' | 'inAudience' | 'ip' | 'existing' | 'deviceUsedByOther' | 'codeAtMs'>;

/**
 * Steps 1-6 of decideCheckIn: the refusals that do not depend on the code. undefined means the
 * code would be judged next, so the service reserves an attempt only then (a closed window or
 * a student outside the audience uses up nothing).
 */
export function refusalBeforeAttempt(input: EarlyFacts): CheckInRefusal | undefined {
  const { settings, nowMs, existing } = input;
  if (!settings.enabled) return 'disabled';
  if (!input.inAudience) return 'not_in_audience';
  const opening = checkInWindow(input.session, settings.opensMinutesBefore, nowMs);
  if (opening.state !== 'open') return opening.state;
  if (input.codeAtMs !== undefined) {
    const then = checkInWindow(input.session, settings.opensMinutesBefore, input.codeAtMs);
    if (then.state !== 'open') return then.state;
  }
  // A stored list that no longer parses fails closed: the teacher meant to restrict.
  const networks = parseCidrList(settings.allowedCidrs);
  if (!networks.ok || !ipAllowed(input.ip, networks)) return 'ip_not_allowed';
  if (existing && !mayChange(settings)) return 'already_marked';
  if (settings.oneDevicePerStudent && input.deviceUsedByOther) return 'device_used_by_other';
  return undefined;
}

function lockedOut(input: CheckInInput): boolean {
  if (input.attempt !== undefined) return input.attempt === 'none_free';
  return isLockedOut(input.failuresMs, input.nowMs, input.attemptPolicy);
}

/**
 * The order, first refusal wins:
 * 1. disabled: nothing else is worth saying.
 * 2. not_in_audience: before the times, so a student outside the group is not told to come
 *    back later for a meeting that is not theirs.
 * 3. not_open / closed: outside the window no code is even looked at, so none can be probed
 *    and no attempt is used up.
 * 4. ip_not_allowed: off-site requests never reach the code check either (no guessing from home).
 * 5. already_marked (unless changing is allowed): the truthful answer for a double tap or a
 *    back button, even with a code that has rotated away meanwhile; it does not depend on the
 *    code, so it reveals nothing about it.
 * 6. device_used_by_other: one phone checking in a second student; also independent of the code.
 * 7. locked_out: before the code, so a locked-out student gets 'locked_out' even with the right
 *    code; otherwise the answer would still tell right from wrong and the limit would not stop
 *    guessing. Under concurrency only the caller's atomic reservation (`attempt`) can say this
 *    truthfully: counting stored failures lets parallel guesses all see the same count.
 * 8. wrong_code: the only refusal whose reserved attempt the caller keeps as a failed one.
 * 9. status_not_allowed: only someone who proved presence gets to the status question, and a
 *    guesser cannot pick an odd status to get refusals that do not count as attempts.
 * Then, with changing allowed, picking the status already recorded is 'already_marked' (nothing
 * would change).
 */
export function decideCheckIn(input: CheckInInput): CheckInDecision {
  const refuse = (reason: CheckInRefusal): CheckInDecision => ({ ok: false, reason });
  const early = refusalBeforeAttempt(input);
  if (early) return refuse(early);
  if (lockedOut(input)) return refuse('locked_out');
  if (!codeAccepted(input)) return refuse('wrong_code');
  const { existing } = input;
  const statusId = statusFor(input);
  if (statusId === undefined) return refuse('status_not_allowed');
  if (existing && existing.statusId === statusId) return refuse('already_marked');
  return { ok: true, statusId, replacesExisting: existing !== null };
}
