import {
  qrToken, secondsUntilNextSlot, slotOf, slotStartMs, staticQrToken, typedCode, verifyRotating,
} from '../../../src/check-in/rotating-code';
import { CODE_ALPHABET } from '../../../src/check-in/password';

const secret = Buffer.alloc(32, 7);
const otherSecret = Buffer.alloc(32, 8);
const sessionId = 'session-1';
const GRACE = 5;

describe('time slots', () => {
  it.each([15, 30])('when the period is %i s, then a slot starts on a multiple of it and lasts it', (period) => {
    const slot = slotOf(1_700_000_000_000, period);
    const start = slotStartMs(slot, period);
    expect(start % (period * 1000)).toBe(0);
    expect(slotOf(start - 1, period)).toBe(slot - 1);
    expect(slotOf(start, period)).toBe(slot);
    expect(slotOf(start + period * 1000 - 1, period)).toBe(slot);
    expect(slotOf(start + period * 1000, period)).toBe(slot + 1);
  });

  it.each([
    [0, 15],
    [1, 14.999],
    [14_999, 0.001],
    [15_000, 15],
    [22_500, 7.5],
  ])('when %i ms into the epoch with 15 s slots, then %p s are left', (now, left) => {
    expect(secondsUntilNextSlot(now, 15)).toBeCloseTo(left, 6);
  });

  it.each([0, -15, 1.5])('when the period is %p, then it is refused', (period) => {
    expect(() => slotOf(0, period)).toThrow(RangeError);
  });
});

describe('codes', () => {
  const slot = 113_333_333;

  it('when made, then the QR token has 16 and the typed code 6 characters of the alphabet', () => {
    expect(qrToken(secret, sessionId, slot)).toMatch(new RegExp(`^[${CODE_ALPHABET}]{16}$`));
    expect(typedCode(secret, sessionId, slot)).toMatch(new RegExp(`^[${CODE_ALPHABET}]{6}$`));
  });

  it('when made twice, then they are the same (any app instance computes the same code)', () => {
    expect(qrToken(secret, sessionId, slot)).toBe(qrToken(Buffer.from(secret), sessionId, slot));
    expect(typedCode(secret, sessionId, slot)).toBe(typedCode(secret, sessionId, slot));
  });

  it('when the slots differ, then both kinds rotate', () => {
    expect(qrToken(secret, sessionId, slot + 1)).not.toBe(qrToken(secret, sessionId, slot));
    expect(typedCode(secret, sessionId, slot + 1)).not.toBe(typedCode(secret, sessionId, slot));
  });

  it('when compared, then the typed code is not a prefix of the QR token', () => {
    for (let s = slot; s < slot + 50; s += 1) {
      expect(qrToken(secret, sessionId, s).startsWith(typedCode(secret, sessionId, s))).toBe(false);
    }
  });

  it('when the session or the secret differs, then the codes differ', () => {
    expect(qrToken(secret, 'session-2', slot)).not.toBe(qrToken(secret, sessionId, slot));
    expect(typedCode(secret, 'session-2', slot)).not.toBe(typedCode(secret, sessionId, slot));
    expect(qrToken(otherSecret, sessionId, slot)).not.toBe(qrToken(secret, sessionId, slot));
    expect(typedCode(otherSecret, sessionId, slot)).not.toBe(typedCode(secret, sessionId, slot));
  });

  it('when the secret is shorter than 16 bytes, then it is refused', () => {
    expect(() => qrToken(Buffer.alloc(8), sessionId, slot)).toThrow(RangeError);
  });

  it('when the password is regenerated, then the static QR token changes too', () => {
    expect(staticQrToken(secret, sessionId, 'ACDEFG')).toBe(staticQrToken(secret, sessionId, 'acd-efg'));
    expect(staticQrToken(secret, sessionId, 'ACDEFG')).not.toBe(staticQrToken(secret, sessionId, 'ACDEFH'));
  });
});

describe.each([15, 30])('verifying rotating codes with %i s slots and 5 s grace', (period) => {
  const start = slotStartMs(slotOf(1_700_000_000_000, period), period);
  const slot = slotOf(start, period);
  const verify = (kind: 'qr' | 'typed', code: string, now: number) =>
    verifyRotating(kind, code, secret, sessionId, now, period, GRACE);

  describe.each([
    ['qr', qrToken],
    ['typed', typedCode],
  ] as const)('for the %s code', (kind, make) => {
    const previous = make(secret, sessionId, slot - 1);
    const current = make(secret, sessionId, slot);
    const next = make(secret, sessionId, slot + 1);

    it.each<[string, number, string, number | null]>([
      ['the slot start - 1 ms, the previous code', -1, previous, slot - 1],
      ['the slot start - 1 ms, the new code (not shown yet)', -1, current, null],
      ['the slot start, the new code', 0, current, slot],
      ['the slot start, the previous code (grace)', 0, previous, slot - 1],
      ['start + grace - 1 ms, the previous code', GRACE * 1000 - 1, previous, slot - 1],
      ['start + grace, the previous code', GRACE * 1000, previous, null],
      ['start + grace, the current code', GRACE * 1000, current, slot],
      ['the last ms of the slot, the current code', period * 1000 - 1, current, slot],
      ['the slot start, the next code', 0, next, null],
      ['start + grace - 1 ms, the next code', GRACE * 1000 - 1, next, null],
    ])('when submitted at %s, then the accepted slot is %p', (_label, offset, code, acceptedSlot) => {
      const expected = acceptedSlot === null ? { ok: false } : { ok: true, slot: acceptedSlot };
      expect(verify(kind, code, start + offset)).toEqual(expected);
    });

    it('when the code is two slots old, then it is refused even within the grace', () => {
      expect(verify(kind, make(secret, sessionId, slot - 2), start)).toEqual({ ok: false });
    });

    it('when typed in lower case with a dash, then it is accepted', () => {
      const typed = `${current.slice(0, 3)}-${current.slice(3)}`.toLowerCase();
      expect(verify(kind, typed, start)).toEqual({ ok: true, slot });
    });
  });

  it('when a typed code is submitted as a QR token (or the reverse), then it is refused', () => {
    expect(verify('qr', typedCode(secret, sessionId, slot), start)).toEqual({ ok: false });
    expect(verify('typed', qrToken(secret, sessionId, slot), start)).toEqual({ ok: false });
  });

  it('when the grace is 0, then the previous code is refused at the slot start', () => {
    const previous = qrToken(secret, sessionId, slot - 1);
    expect(verifyRotating('qr', previous, secret, sessionId, start, period, 0)).toEqual({ ok: false });
  });

  it('when the code is of another session, then it is refused', () => {
    expect(verify('qr', qrToken(secret, 'session-2', slot), start)).toEqual({ ok: false });
  });
});
