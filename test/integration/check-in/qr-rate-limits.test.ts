import { RateCounterModel } from '../../../src/shared/rate-counter.model';
import { launchTeacher, TakeCourse, visibleText } from '../attendance/take-helpers';
import { at, qrSuite, QrSessionSeed, scanUrl } from './qr-helpers';

/**
 * The public QR page's per-address limits (issue #12, item 4). A lecture hall shares one NAT
 * address, so a flood of bad requests from it must never refuse a valid scan; unknown ids and
 * wrong codes count apart, in the database that every app instance shares. The client address
 * is set with X-Forwarded-For (the tool trusts the loopback proxy here).
 */
const UNKNOWN_LIMIT = 30;
const WRONG_LIMIT = 20;
const q = qrSuite({ TRUST_PROXY: 'loopback', CHECKIN_IP_UNKNOWN_IDS_PER_10_MINUTES: String(UNKNOWN_LIMIT), CHECKIN_IP_WRONG_CODES_PER_10_MINUTES: String(WRONG_LIMIT) });

let t: TakeCourse;
beforeAll(async () => {
  q.clock = at(0);
  t = await launchTeacher(q.h, 'limits');
});

const HALL = '198.51.100.7';
const from = (address: string, path: string) => q.phone().get(path).set('X-Forwarded-For', address);
const unknownId = (i: number) => `/checkin/unknownPublicId${String(i).padStart(8, '0')}?code=AAAAAAAAAAAAAAAA`;
const wrongCode = (s: QrSessionSeed, i: number) => scanUrl(s, `WRONG${String(i).padStart(11, 'A')}`);

/** Sends the requests `parallel` at a time; returns the statuses (and Retry-After of the 429s). */
async function flood(paths: string[], address: string, parallel = 25): Promise<Array<{ status: number; retryAfter?: string }>> {
  const out: Array<{ status: number; retryAfter?: string }> = [];
  for (let i = 0; i < paths.length; i += parallel) {
    const batch = await Promise.all(paths.slice(i, i + parallel).map((p) => from(address, p)));
    out.push(...batch.map((r) => ({ status: r.status, retryAfter: r.headers['retry-after'] as string | undefined })));
  }
  return out;
}
const count = (rs: Array<{ status: number }>, status: number) => rs.filter((r) => r.status === status).length;

describe('per-address limits of the public QR page', () => {
  it('when one address sent 500 bad requests, then its bad ones beyond the limits get 429, and a valid scan from it still succeeds', async () => {
    q.clock = at(1);
    const s = await addOpenSession();
    const unknown = await flood(Array.from({ length: 250 }, (_, i) => unknownId(i)), HALL);
    const wrong = await flood(Array.from({ length: 250 }, (_, i) => wrongCode(s, i)), HALL);
    // The student next to the attacker scans the projector's code: held, as always.
    const valid = await from(HALL, scanUrl(s, q.codeNow(s)));
    expect(valid.status).toBe(303);
    expect(valid.headers.location).toBe(`/checkin/${s.publicId}?`);
    expect(String(valid.headers['set-cookie'])).toContain('la_pending=');

    expect(count(unknown, 404)).toBe(UNKNOWN_LIMIT);
    expect(count(unknown, 429)).toBe(250 - UNKNOWN_LIMIT);
    expect(count(wrong, 400)).toBe(WRONG_LIMIT);
    expect(count(wrong, 429)).toBe(250 - WRONG_LIMIT);
    const retry = Number(wrong.find((r) => r.status === 429)?.retryAfter);
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(600);
    const refused = await from(HALL, wrongCode(s, 999));
    expect(refused.status).toBe(429);
    expect(visibleText(refused.text)).toContain('Too many attempts');
  });

  it('when bad requests arrive, then the counters are in the database, where every app instance reads them', async () => {
    q.clock = at(20);
    const s = await addOpenSession();
    await flood([unknownId(1), unknownId(2), wrongCode(s, 1)], '203.0.113.50');
    const docs = await RateCounterModel.find({ _id: { $regex: '\\|203\\.0\\.113\\.50\\|' } }).lean();
    const byRule = Object.fromEntries(docs.map((d) => [String(d._id).split('|')[0], d.count]));
    expect(byRule).toEqual({ 'qr-unknown-id': 2, 'qr-wrong-code': 1 });
  });

  it('when an address used up the wrong-code limit, then its unknown ids are still answered normally, and the other way round', async () => {
    q.clock = at(40);
    const s = await addOpenSession();
    const a = '203.0.113.61';
    await flood(Array.from({ length: WRONG_LIMIT }, (_, i) => wrongCode(s, i)), a);
    expect((await from(a, wrongCode(s, 100))).status).toBe(429);
    expect((await from(a, unknownId(1))).status).toBe(404);

    const b = '203.0.113.62';
    await flood(Array.from({ length: UNKNOWN_LIMIT }, (_, i) => unknownId(i)), b);
    expect((await from(b, unknownId(100))).status).toBe(429);
    expect((await from(b, wrongCode(s, 1))).status).toBe(400);
    // Another address of the same network is not affected by either.
    expect((await from('203.0.113.63', unknownId(1))).status).toBe(404);
  });

  it('when the ten-minute window has passed, then the address starts again', async () => {
    q.clock = at(60);
    const a = '203.0.113.70';
    await flood(Array.from({ length: UNKNOWN_LIMIT + 1 }, (_, i) => unknownId(i)), a);
    expect((await from(a, unknownId(1))).status).toBe(429);
    q.clock = at(71);
    expect((await from(a, unknownId(1))).status).toBe(404);
  });
});

async function addOpenSession(): Promise<QrSessionSeed> {
  return q.addQrSession(t, {}, q.clock);
}
