/**
 * Issue #14 item 4a: the rotating-code form said "Wrong password", and the guess that used up
 * the last attempt said "0 attempts left" (the next one was then locked out).
 */
import { refusalMessage } from '../../../src/check-in/check-in.presenter';
import type { CheckInFacts } from '../../../src/check-in/check-in.service';
import { DEFAULT_SELF_MARKING, SelfMarkingSettings } from '../../../src/check-in/settings';
import { translator } from '../../../src/i18n/i18n';

const now = new Date('2026-10-14T07:05:00Z');
const retryAt = new Date('2026-10-14T07:14:00Z'); // 10:14 in Riga (UTC+3)

function facts(settings: Partial<SelfMarkingSettings>): CheckInFacts {
  return {
    session: {
      id: 's1', startsAt: new Date('2026-10-14T07:00:00Z'), durationMinutes: 90, timezone: 'Europe/Riga', description: '',
      audience: { kind: 'all' }, statusSetId: 'set1',
    },
    timezone: 'Europe/Riga',
    settings: { ...DEFAULT_SELF_MARKING, allowedCidrs: [], enabled: true, password: 'ACDEFG', ...settings },
    secret: Buffer.alloc(32),
    statuses: [],
    inAudience: true,
    existing: null,
    failuresMs: [],
  };
}

const PASSWORD = { showQr: false, rotateSeconds: 0 };
const STATIC_QR = { showQr: true, rotateSeconds: 0 };
const ROTATING_QR = { showQr: true, rotateSeconds: 15 };

const message = (settings: Partial<SelfMarkingSettings>, attemptsLeft: number, locale: 'en' | 'lv' = 'en') =>
  refusalMessage({ reason: 'wrong_code', attemptsLeft, retryAt }, facts(settings), now, locale, translator(locale));

describe('the wrong-code message on the check-in form', () => {
  it('when a rotating code is wrong, then it says "Wrong code", not "Wrong password"', () => {
    expect(message(ROTATING_QR, 3)).toBe('Wrong code. 3 attempts left.');
    expect(message(ROTATING_QR, 1)).toBe('Wrong code. 1 attempt left.');
    expect(message(ROTATING_QR, 3, 'lv')).toBe('Nepareizs kods. Atlikuši 3 mēģinājumi.');
  });

  it('when a password (typed, or in a QR that does not change) is wrong, then it still says "Wrong password"', () => {
    expect(message(PASSWORD, 4)).toBe('Wrong password. 4 attempts left.');
    expect(message(STATIC_QR, 2)).toBe('Wrong password. 2 attempts left.');
  });

  it('when the wrong guess used up the last attempt, then it says when to try again instead of "0 attempts left"', () => {
    for (const [settings, start] of [[PASSWORD, 'Wrong password.'], [ROTATING_QR, 'Wrong code.']] as const) {
      const text = message(settings, 0);
      expect(text).toContain(start);
      expect(text).toContain('Too many wrong attempts. Try again after');
      expect(text).toContain('10:14');
      expect(text).not.toMatch(/0 attempts/);
    }
    const lv = message(ROTATING_QR, 0, 'lv');
    expect(lv).toContain('Nepareizs kods. Pārāk daudz nepareizu mēģinājumu. Mēģiniet vēlreiz pēc');
    expect(lv).not.toMatch(/Atlikuši 0/);
  });
});
