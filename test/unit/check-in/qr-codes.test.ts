import { checkInUrl, projectorCodes } from '../../../src/check-in/qr-codes';
import { groupCode, projectorSnapshot, refreshSeconds } from '../../../src/check-in/projector.presenter';
import { qrToken, slotStartMs, staticQrToken, typedCode } from '../../../src/check-in/rotating-code';
import { DEFAULT_SELF_MARKING, SelfMarkingSettings } from '../../../src/check-in/settings';

const secret = Buffer.alloc(32, 3);
const keys = { secret, sessionId: 'session-1', publicId: 'pub_ABC-123' };
const BASE = 'https://attendance.example.edu';
const settings = (over: Partial<SelfMarkingSettings> = {}): SelfMarkingSettings => ({
  ...DEFAULT_SELF_MARKING, allowedCidrs: [], password: 'ACDEFG', enabled: true, ...over,
});
const slot = 113_333_333;

describe('checkInUrl', () => {
  it('when given a base with trailing slashes, then the URL has exactly one slash before /checkin', () => {
    expect(checkInUrl(`${BASE}//`, 'abc', 'TOKEN')).toBe(`${BASE}/checkin/abc?code=TOKEN`);
  });

  it.each([
    ['a/b c', 'x&y=z', `${BASE}/checkin/a%2Fb%20c?code=x%26y%3Dz`],
    ['pub_ABC-123', 'ACDEFGHJ', `${BASE}/checkin/pub_ABC-123?code=ACDEFGHJ`],
    ['ā', '+', `${BASE}/checkin/%C4%81?code=%2B`],
  ])('when the public id is %p and the token %p, then both are encoded', (publicId, token, url) => {
    expect(checkInUrl(BASE, publicId, token)).toBe(url);
    const parsed = new URL(url);
    expect(decodeURIComponent(parsed.pathname.split('/')[2] ?? '')).toBe(publicId);
    expect(parsed.searchParams.get('code')).toBe(token);
  });
});

describe('projectorCodes with rotation on', () => {
  const s = settings({ showQr: true, rotateSeconds: 15 });

  it.each([
    ['at the first millisecond of a slot', 0, slot, 15],
    ['in the middle of a slot', 7_500, slot, 7.5],
    ['at its last millisecond', 14_999, slot, 0.001],
    ['at the first millisecond of the next slot', 15_000, slot + 1, 15],
  ])('when %s, then the slot, its codes and the time left follow', (_label, offset, expectedSlot, left) => {
    const codes = projectorCodes(s, keys, BASE, slotStartMs(slot, 15) + offset);
    expect(codes.rotating).toBe(true);
    expect(codes.slot).toBe(expectedSlot);
    expect(codes.secondsLeft).toBeCloseTo(left, 6);
    expect(codes.typed).toBe(typedCode(secret, keys.sessionId, expectedSlot));
    expect(codes.qrUrl).toBe(checkInUrl(BASE, keys.publicId, qrToken(secret, keys.sessionId, expectedSlot)));
  });

  it('when the slot changes, then the typed code and the QR change with it', () => {
    const start = slotStartMs(slot, 15);
    const a = projectorCodes(s, keys, BASE, start + 14_999);
    const b = projectorCodes(s, keys, BASE, start + 15_000);
    expect(b.typed).not.toBe(a.typed);
    expect(b.qrUrl).not.toBe(a.qrUrl);
  });
});

describe('projectorCodes with rotation off', () => {
  it('when the QR is on but does not rotate, then the QR is static (tied to the password) and the password is typed', () => {
    const s = settings({ showQr: true, rotateSeconds: 0 });
    const early = projectorCodes(s, keys, BASE, 1_000);
    const late = projectorCodes(s, keys, BASE, 9_000_000_000);
    expect(early).toEqual({ qrUrl: checkInUrl(BASE, keys.publicId, staticQrToken(secret, keys.sessionId, 'ACDEFG')), typed: 'ACDEFG', rotating: false });
    expect(late).toEqual(early);
    expect(projectorCodes(settings({ showQr: true, rotateSeconds: 0, password: 'KLMNPQ' }), keys, BASE, 1_000).qrUrl).not.toBe(early.qrUrl);
  });

  it.each([0, 15])('when the QR is off (rotation %i), then there is no QR URL and the password is the code', (rotateSeconds) => {
    const codes = projectorCodes(settings({ showQr: false, rotateSeconds }), keys, BASE, slotStartMs(slot, 15));
    expect(codes).toEqual({ qrUrl: undefined, typed: 'ACDEFG', rotating: false });
  });
});

describe('projector snapshot', () => {
  const session = { id: 'session-1', startsAt: new Date('2030-01-01T10:00:00Z'), durationMinutes: 60, timezone: 'Europe/Riga', description: '', audience: { kind: 'all' as const }, statusSetId: 'x' };
  const counts = { checkedIn: 2, marked: 2, expected: 5 };
  const at = (iso: string) => new Date(iso).getTime();
  const snap = (s: SelfMarkingSettings | undefined, iso: string, k: typeof keys | null = keys) => projectorSnapshot({ session, settings: s, keys: k ?? undefined, counts }, BASE, at(iso));

  it.each([
    ['never saved', undefined, keys, 'not_set'],
    ['switched off', settings({ enabled: false }), keys, 'not_set'],
    ['without keys', settings(), null, 'not_set'],
  ])('when self-marking is %s, then the page only points to the settings', (_label, s, k, state) => {
    expect(snap(s, '2030-01-01T10:10:00Z', k).state).toBe(state);
  });

  it.each([
    ['2030-01-01T09:49:59Z', 'not_open'],
    ['2030-01-01T09:50:00Z', 'open'],
    ['2030-01-01T10:59:59Z', 'open'],
    ['2030-01-01T11:00:00Z', 'closed'],
  ])('when it opens 10 minutes early and the time is %s, then it is %p', (iso, state) => {
    const result = snap(settings({ opensMinutesBefore: 10, showQr: true }), iso);
    expect(result.state).toBe(state);
    expect(result.codes !== undefined).toBe(state === 'open');
  });

  it('when it is not open yet, then it tells when and how long until then; the refresh waits for it, at most 10 s', () => {
    const early = snap(settings(), '2030-01-01T09:59:57.500Z');
    expect(early).toMatchObject({ state: 'not_open', opensAt: session.startsAt, opensInSeconds: 2.5 });
    expect(refreshSeconds(early)).toBe(3);
    expect(refreshSeconds(snap(settings(), '2030-01-01T08:00:00Z'))).toBe(10);
  });

  it('when the code rotates, then the page refreshes at the rotation; without rotation every 10 s; never when closed or off', () => {
    const rotating = snap(settings({ showQr: true, rotateSeconds: 15 }), '2030-01-01T10:00:03.200Z');
    expect(rotating.codes?.secondsLeft).toBeCloseTo(11.8, 6);
    expect(refreshSeconds(rotating)).toBe(12);
    expect(refreshSeconds(snap(settings({ showQr: false }), '2030-01-01T10:10:00Z'))).toBe(10);
    expect(refreshSeconds(snap(settings(), '2030-01-01T12:00:00Z'))).toBeUndefined();
    expect(refreshSeconds(snap(undefined, '2030-01-01T10:10:00Z'))).toBeUndefined();
  });
});

describe('groupCode', () => {
  it.each([
    ['ACD479', 'ACD 479'],
    ['ACDE', 'ACDE'],
    ['ACDEF', 'ACD EF'],
    ['ACDEFGH', 'ACDE FGH'],
    ['ACDEFGHJ', 'ACDE FGHJ'],
    ['ACDEFGHJK', 'ACD EFG HJK'],
    ['ĀČĒĢĪĶĻŅ', 'ĀČĒĢ ĪĶĻŅ'],
  ])('when the code is %p, then it reads %p', (code, shown) => {
    expect(groupCode(code)).toBe(shown);
  });
});
