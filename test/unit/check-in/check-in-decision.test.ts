import { CheckInInput, decideCheckIn, refusalBeforeAttempt } from '../../../src/check-in/check-in-decision';
import { qrToken, slotOf, staticQrToken, typedCode } from '../../../src/check-in/rotating-code';
import { DEFAULT_SELF_MARKING, SelfMarkingSettings } from '../../../src/check-in/settings';
import { CheckInStatus } from '../../../src/check-in/status-choice';

const MIN = 60_000;
const startsAt = new Date('2025-03-10T09:00:00Z');
const t = startsAt.getTime();
const secret = Buffer.alloc(32, 3);
const sessionId = 'session-1';

const statuses: CheckInStatus[] = [
  { id: 'p', acronym: 'P', order: 1, visible: true, studentPick: { mode: 'within', minutes: 10 } },
  { id: 'l', acronym: 'L', order: 2, visible: true, studentPick: { mode: 'always' } },
  { id: 'e', acronym: 'E', order: 3, visible: true, studentPick: { mode: 'never' } },
];

function settings(over: Partial<SelfMarkingSettings> = {}): SelfMarkingSettings {
  return { ...DEFAULT_SELF_MARKING, allowedCidrs: [], enabled: true, password: 'ACDEFG', ...over };
}

function input(over: Partial<CheckInInput> = {}): CheckInInput {
  return {
    settings: settings(),
    session: { id: sessionId, startsAt, durationMinutes: 90 },
    statuses,
    nowMs: t + 5 * MIN,
    inAudience: true,
    ip: '10.0.0.5',
    failuresMs: [],
    code: { kind: 'password', value: 'acd-efg' },
    secret,
    existing: null,
    deviceUsedByOther: false,
    ...over,
  };
}

const fiveFailures = [1, 2, 3, 4, 5].map((m) => t + 5 * MIN - m * MIN);
const rotating = settings({ showQr: true, rotateSeconds: 15 });
const now = t + 5 * MIN;
const slot = slotOf(now, 15);

describe('refusing a check-in', () => {
  it.each<[string, Partial<CheckInInput>, string]>([
    ['self-marking is off', { settings: settings({ enabled: false }) }, 'disabled'],
    ['it is before the window', { nowMs: t - 1 }, 'not_open'],
    ['it is exactly the end', { nowMs: t + 90 * MIN }, 'closed'],
    ['the student is not in the group', { inAudience: false }, 'not_in_audience'],
    ['the address is outside the networks', { settings: settings({ allowedCidrs: ['192.168.0.0/16'] }) }, 'ip_not_allowed'],
    ['the address is unknown and networks are set', { ip: undefined, settings: settings({ allowedCidrs: ['10.0.0.0/8'] }) }, 'ip_not_allowed'],
    ['the stored networks no longer parse', { settings: settings({ allowedCidrs: ['campus'] }) }, 'ip_not_allowed'],
    ['5 wrong codes in the last 10 minutes', { failuresMs: fiveFailures }, 'locked_out'],
    ['the password is wrong', { code: { kind: 'password', value: 'ACDEFH' } }, 'wrong_code'],
    ['no code is sent', { code: undefined }, 'wrong_code'],
    ['a static QR token is sent but no QR is shown', { code: { kind: 'qr', value: staticQrToken(secret, sessionId, 'ACDEFG') } }, 'wrong_code'],
    ['the device checked in another student', { deviceUsedByOther: true }, 'device_used_by_other'],
    ['the student is already marked', { existing: { statusId: 'p' } }, 'already_marked'],
    ['the chosen status is not pickable', { settings: settings({ statusMode: 'choose' }), chosenStatusId: 'e' }, 'status_not_allowed'],
    ['the chosen status is unknown', { settings: settings({ statusMode: 'choose' }), chosenStatusId: 'x' }, 'status_not_allowed'],
    ['nothing is chosen in choose mode', { settings: settings({ statusMode: 'choose' }) }, 'status_not_allowed'],
    ['the set has no status for a late student', { statuses: statuses.slice(0, 1), nowMs: t + 11 * MIN }, 'status_not_allowed'],
    ['rotation is on and the password is typed', { settings: rotating }, 'wrong_code'],
    ['rotation is on and the previous QR token comes after the grace', { settings: rotating, nowMs: now + 5_000, code: { kind: 'qr', value: qrToken(secret, sessionId, slot - 1) } }, 'wrong_code'],
  ])('when %s, then the refusal is %s', (_label, over, reason) => {
    expect(decideCheckIn(input(over))).toEqual({ ok: false, reason });
  });
});

describe('the order of the checks', () => {
  it.each<[string, Partial<CheckInInput>, string]>([
    ['disabled and not in the group', { settings: settings({ enabled: false }), inAudience: false }, 'disabled'],
    ['not in the group and closed', { inAudience: false, nowMs: t + 100 * MIN }, 'not_in_audience'],
    ['closed and off-site', { nowMs: t + 100 * MIN, ip: '8.8.8.8', settings: settings({ allowedCidrs: ['10.0.0.0/8'] }) }, 'closed'],
    ['off-site and already marked', { ip: '8.8.8.8', settings: settings({ allowedCidrs: ['10.0.0.0/8'] }), existing: { statusId: 'p' } }, 'ip_not_allowed'],
    ['already marked with a wrong code', { existing: { statusId: 'p' }, code: { kind: 'password', value: 'nope' } }, 'already_marked'],
    ['already marked on a device used by another', { existing: { statusId: 'p' }, deviceUsedByOther: true }, 'already_marked'],
    ['device used by another and locked out', { deviceUsedByOther: true, failuresMs: fiveFailures }, 'device_used_by_other'],
    ['locked out with the right code', { failuresMs: fiveFailures }, 'locked_out'],
    ['a wrong code and a status that is not pickable', { code: { kind: 'password', value: 'nope' }, settings: settings({ statusMode: 'choose' }), chosenStatusId: 'e' }, 'wrong_code'],
  ])('when %s, then the refusal is %s', (_label, over, reason) => {
    expect(decideCheckIn(input(over))).toEqual({ ok: false, reason });
  });
});

describe('accepting a check-in', () => {
  it.each<[string, Partial<CheckInInput>, string]>([
    ['the password is right, 5 minutes in (auto)', {}, 'p'],
    ['the password is right, exactly at start + 10 min (auto)', { nowMs: t + 10 * MIN }, 'p'],
    ['the password is right, 11 minutes in (auto)', { nowMs: t + 11 * MIN }, 'l'],
    ['the window opened 15 min early', { settings: settings({ opensMinutesBefore: 15 }), nowMs: t - 15 * MIN }, 'p'],
    ['the address is inside the networks (mapped IPv4)', { ip: '::ffff:10.0.0.5', settings: settings({ allowedCidrs: ['10.0.0.0/8'] }) }, 'p'],
    ['4 failures so far', { failuresMs: fiveFailures.slice(1) }, 'p'],
    ['another student used the device, but one device per student is off', { deviceUsedByOther: true, settings: settings({ oneDevicePerStudent: false }) }, 'p'],
    ['the student chooses Late', { settings: settings({ statusMode: 'choose' }), chosenStatusId: 'l' }, 'l'],
    ['the static QR is shown and scanned', { settings: settings({ showQr: true, rotateSeconds: 0 }), code: { kind: 'qr', value: staticQrToken(secret, sessionId, 'ACDEFG') } }, 'p'],
    ['the current rotating QR is scanned', { settings: rotating, code: { kind: 'qr', value: qrToken(secret, sessionId, slot) } }, 'p'],
    ['the current rotating code is typed', { settings: rotating, code: { kind: 'typed', value: typedCode(secret, sessionId, slot).toLowerCase() } }, 'p'],
    ['the previous QR is scanned within the grace', { settings: rotating, nowMs: slot * 15_000 + 4_999, code: { kind: 'qr', value: qrToken(secret, sessionId, slot - 1) } }, 'p'],
  ])('when %s, then the status is %s', (_label, over, statusId) => {
    expect(decideCheckIn(input(over))).toEqual({ ok: true, statusId, replacesExisting: false });
  });
});

describe('changing one\'s status', () => {
  const choose = settings({ statusMode: 'choose', allowChange: true });

  it('when changing is allowed and another status is chosen, then it replaces the record', () => {
    expect(decideCheckIn(input({ settings: choose, existing: { statusId: 'p' }, chosenStatusId: 'l' })))
      .toEqual({ ok: true, statusId: 'l', replacesExisting: true });
  });

  it('when changing is allowed and the same status is chosen, then it is already marked', () => {
    expect(decideCheckIn(input({ settings: choose, existing: { statusId: 'l' }, chosenStatusId: 'l' })))
      .toEqual({ ok: false, reason: 'already_marked' });
  });

  it('when changing is allowed, then the code is still required', () => {
    expect(decideCheckIn(input({ settings: choose, existing: { statusId: 'p' }, chosenStatusId: 'l', code: { kind: 'password', value: 'x' } })))
      .toEqual({ ok: false, reason: 'wrong_code' });
  });

  it('when changing is allowed in auto mode, then a second check-in is already marked (no restamping as Late)', () => {
    expect(decideCheckIn(input({ settings: settings({ allowChange: true }), existing: { statusId: 'p' }, nowMs: t + 20 * MIN })))
      .toEqual({ ok: false, reason: 'already_marked' });
  });
});

describe('a held QR scan completed later (codeAtMs)', () => {
  const scannedAt = t + 3 * MIN;
  const heldCode = { kind: 'qr' as const, value: qrToken(secret, sessionId, slotOf(scannedAt, 15)) };

  it('when completed 20 minutes after the scan, then the code is checked and the status chosen as of the scan', () => {
    expect(decideCheckIn(input({ settings: rotating, code: heldCode, codeAtMs: scannedAt, nowMs: t + 23 * MIN }))).toEqual({ ok: true, statusId: 'p', replacesExisting: false });
  });

  it('when the same code is used without the scan time, then it has rotated away', () => {
    expect(decideCheckIn(input({ settings: rotating, code: heldCode, nowMs: t + 23 * MIN }))).toEqual({ ok: false, reason: 'wrong_code' });
  });

  it('when the window has closed by the time of completion, then it is refused as closed', () => {
    expect(decideCheckIn(input({ settings: rotating, code: heldCode, codeAtMs: scannedAt, nowMs: t + 90 * MIN }))).toEqual({ ok: false, reason: 'closed' });
  });

  it('when the scan happened before the window opened, then it is refused as not open', () => {
    const early = t - MIN;
    const code = { kind: 'qr' as const, value: qrToken(secret, sessionId, slotOf(early, 15)) };
    expect(decideCheckIn(input({ settings: rotating, code, codeAtMs: early, nowMs: t + MIN }))).toEqual({ ok: false, reason: 'not_open' });
  });
});

describe('the atomic attempt reservation (issue #12, item 5)', () => {
  it.each<[string, Partial<CheckInInput>, string | true]>([
    ['an attempt was reserved, though the stored failures (counting it) reach the limit', { attempt: 'reserved', failuresMs: fiveFailures }, true],
    ['an attempt was reserved and the code is wrong', { attempt: 'reserved', code: { kind: 'password', value: 'nope' } }, 'wrong_code'],
    ['no attempt was free, with the right code and no stored failures seen', { attempt: 'none_free' }, 'locked_out'],
    ['no attempt was free, but the student is already marked', { attempt: 'none_free', existing: { statusId: 'p' } }, 'already_marked'],
    ['no attempt was free and the window is closed', { attempt: 'none_free', nowMs: t + 100 * MIN }, 'closed'],
  ])('when %s, then the answer is %s', (_label, over, expected) => {
    const decision = decideCheckIn(input(over));
    expect(decision).toEqual(expected === true ? { ok: true, statusId: 'p', replacesExisting: false } : { ok: false, reason: expected });
  });

  it.each<[string, Partial<CheckInInput>, string | undefined]>([
    ['all is well (the code comes next)', {}, undefined],
    ['the code is wrong (not looked at yet)', { code: { kind: 'password', value: 'nope' } }, undefined],
    ['the student is locked out (not looked at yet)', { failuresMs: fiveFailures }, undefined],
    ['the window is closed', { nowMs: t + 100 * MIN }, 'closed'],
    ['the student is not in the group', { inAudience: false }, 'not_in_audience'],
    ['the student is already marked', { existing: { statusId: 'p' } }, 'already_marked'],
    ['the device checked in another student', { deviceUsedByOther: true }, 'device_used_by_other'],
  ])('before any attempt is reserved: when %s, then the early refusal is %s', (_label, over, reason) => {
    expect(refusalBeforeAttempt(input(over))).toBe(reason);
  });
});
