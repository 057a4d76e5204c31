import { deviceLabel } from '../../../src/check-in/device-label';
import { readCookie, signToken, verifyToken } from '../../../src/check-in/signed-token';
import { issueTicket, readTicket, TICKET_TTL_MS } from '../../../src/check-in/completion-ticket';
import { recentlyExpired, qrToken, slotOf } from '../../../src/check-in/rotating-code';

const KEY = Buffer.alloc(32, 7);
const OTHER = Buffer.alloc(32, 8);
const NOW = Date.UTC(2026, 10, 30, 8, 0, 0);

describe('signed tokens', () => {
  it('when signed and read back before expiry with the same key and purpose, then the value comes back', () => {
    const token = signToken(KEY, 'pending', { s: 'abc', c: 'CODE', at: NOW }, NOW + 1000);
    expect(verifyToken(KEY, 'pending', token, NOW)).toEqual({ s: 'abc', c: 'CODE', at: NOW });
  });

  it.each([
    ['another key', (t: string) => verifyToken(OTHER, 'pending', t, NOW)],
    ['another purpose', (t: string) => verifyToken(KEY, 'ticket', t, NOW)],
    ['at expiry', (t: string) => verifyToken(KEY, 'pending', t, NOW + 1000)],
    ['a changed payload', (t: string) => verifyToken(KEY, 'pending', `${Buffer.from('{"p":"pending","exp":9e15,"v":1}').toString('base64url')}.${t.split('.')[1]}`, NOW)],
    ['a cut signature', (t: string) => verifyToken(KEY, 'pending', t.slice(0, -2), NOW)],
    ['no dot', () => verifyToken(KEY, 'pending', 'abc', NOW)],
    ['not a string', () => verifyToken(KEY, 'pending', 42, NOW)],
    ['a huge value', () => verifyToken(KEY, 'pending', 'x'.repeat(5000), NOW)],
  ])('when read with %s, then it is refused', (_name, read) => {
    const token = signToken(KEY, 'pending', { s: 'abc' }, NOW + 1000);
    expect(read(token)).toBeUndefined();
  });

  it('when a ticket is older than its lifetime, then it is refused', () => {
    const ticket = issueTicket(KEY, { courseId: 'c', activityId: 'a', userId: 'u', locale: 'lv' }, NOW);
    expect(readTicket(KEY, ticket, NOW + TICKET_TTL_MS - 1)).toMatchObject({ userId: 'u', locale: 'lv' });
    expect(readTicket(KEY, ticket, NOW + TICKET_TTL_MS)).toBeUndefined();
  });

  it('reads one cookie from a Cookie header, tolerating spaces and bad encoding', () => {
    expect(readCookie('a=1; la_device=x%2Ey; b=2', 'la_device')).toBe('x.y');
    expect(readCookie('la_devicex=1', 'la_device')).toBeUndefined();
    expect(readCookie('la_device=%E0%A4%A', 'la_device')).toBeUndefined();
    expect(readCookie(undefined, 'la_device')).toBeUndefined();
  });
});

describe('expired rotating codes', () => {
  const secret = Buffer.alloc(32, 3);
  const slot = slotOf(NOW, 15);
  it('when a code is from one of the last slots, then it is "recently expired"; the current or an old one is not', () => {
    expect(recentlyExpired('qr', qrToken(secret, 's1', slot - 1), secret, 's1', NOW, 15, 40)).toBe(true);
    expect(recentlyExpired('qr', qrToken(secret, 's1', slot - 40), secret, 's1', NOW, 15, 40)).toBe(true);
    expect(recentlyExpired('qr', qrToken(secret, 's1', slot - 41), secret, 's1', NOW, 15, 40)).toBe(false);
    expect(recentlyExpired('qr', qrToken(secret, 's1', slot), secret, 's1', NOW, 15, 40)).toBe(false);
    expect(recentlyExpired('qr', qrToken(secret, 's2', slot - 1), secret, 's1', NOW, 15, 40)).toBe(false);
  });
});

describe('device labels', () => {
  it.each([
    ['Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36', 'Chrome · Android'],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Mobile/15E148 Safari/604.1', 'Safari · iOS'],
    ['Mozilla/5.0 (Android 14; Mobile; rv:127.0) Gecko/127.0 Firefox/127.0', 'Firefox · Android'],
    ['Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 SamsungBrowser/25.0 Chrome/121.0 Mobile Safari/537.36', 'Samsung Internet · Android'],
    ['curl/8.0', ''],
    [undefined, ''],
  ])('%s → %s', (ua, label) => {
    expect(deviceLabel(ua)).toBe(label);
  });
});
