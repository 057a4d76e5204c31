import express from 'express';
import supertest from 'supertest';
import { adminApiRouter } from '../../../src/admin/admin.routes';
import { awayFromWindowEdge } from '../../support/rate-window';
import { startHarness, type TestHarness } from '../../support/tool';
import { Clock } from '../grading/grade-sync-helpers';
import { checkAnswer, loadDoc } from './openapi-check';

/**
 * Issue #16 item 5: the administration API's credential. ADMIN_TOKEN compared in constant time
 * (test/unit/admin/admin-auth.test.ts), and wrong or missing tokens limited per client address
 * in the database: 20 per 10 minutes, then 429 for that address, also with the right token. The
 * same for /metrics (METRICS_TOKEN), counted apart.
 */
const TOKEN = 'admin-token-for-the-auth-tests-0123456789';
const METRICS = 'metrics-token-for-the-auth-tests-0123456';
const LIMIT = 20;
const clock = new Clock();
// At the start of a 10-minute window, so that no test straddles two.
clock.current = new Date('2026-12-03T10:00:00.000Z');
const doc = loadDoc();
let h: TestHarness;

beforeAll(async () => {
  h = await startHarness({ register: false, now: clock.now, env: { ADMIN_TOKEN: TOKEN, METRICS_TOKEN: METRICS, TRUST_PROXY: 'loopback' } });
});
afterAll(async () => {
  await h?.close();
});

let addresses = 0;
/** A client address of its own for each test (behind the trusted proxy: X-Forwarded-For). */
const newAddress = () => `198.51.100.${++addresses}`;
const status = (address: string, token?: string) => {
  const req = supertest(h.tool.app).get('/admin/api/status').set('X-Forwarded-For', address);
  return token === undefined ? req : req.set('Authorization', `Bearer ${token}`);
};
const expectDocumented = (res: supertest.Response) => expect(checkAnswer(doc, 'GET', '/admin/api/status', res)).toEqual([]);

async function fail(address: string, times: number, send = (a: string) => status(a, 'not-the-admin-token-0000000000')): Promise<number[]> {
  const codes: number[] = [];
  for (let i = 0; i < times; i++) codes.push((await send(address)).status);
  return codes;
}

describe('the administration API credential, for real', () => {
  it('when ADMIN_TOKEN is not set, then every path under /admin/api is 404 with a problem, whatever the token', async () => {
    const off = express().use(adminApiRouter(undefined, { routers: [] }));
    for (const path of ['/admin/api/status', '/admin/api/openapi.json', '/admin/api/anything']) {
      const res = await supertest(off).get(path).set('Authorization', `Bearer ${TOKEN}`);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ status: 404, title: 'Not Found', detail: 'The administration API is off: ADMIN_TOKEN is not set.' });
      expectDocumented(res);
    }
  });

  it('when the token is missing or wrong, then the answer is a documented 401 problem with a Bearer challenge', async () => {
    const address = newAddress();
    for (const res of [await status(address), await status(address, `${TOKEN}x`), await status(address, TOKEN.slice(1))]) {
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="admin"');
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).not.toHaveProperty('database');
      expectDocumented(res);
    }
    const ok = await status(address, TOKEN);
    expect(ok.status).toBe(200);
    expectDocumented(ok);
  });

  it('when one address has sent 20 wrong or missing tokens, then it is refused with 429 and Retry-After, even with the right token, until the window ends; other addresses go on', async () => {
    const attacker = newAddress();
    const admin = newAddress();
    expect(await fail(attacker, LIMIT)).toEqual(Array(LIMIT).fill(401));

    const limited = await status(attacker);
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect(limited.body).toMatchObject({ status: 429, title: 'Too Many Requests', retryAfter });
    expectDocumented(limited);
    // The answer no longer depends on the token: a right guess is not told apart from a wrong one.
    const right = await status(attacker, TOKEN);
    expect(right.status).toBe(429);
    expect(right.body).not.toHaveProperty('database');

    expect((await status(admin, TOKEN)).status).toBe(200);
    expect((await status(admin, 'not-the-admin-token-0000000000')).status).toBe(401);

    clock.advance(retryAfter * 1000);
    expect((await status(attacker, TOKEN)).status).toBe(200);
  });

  it('when the right token is sent, then nothing is counted against the address', async () => {
    const address = newAddress();
    expect(await fail(address, LIMIT - 1)).toEqual(Array(LIMIT - 1).fill(401));
    for (let i = 0; i < 5; i++) expect((await status(address, TOKEN)).status).toBe(200);
    expect(await fail(address, 1)).toEqual([401]);
    expect((await status(address, TOKEN)).status).toBe(429);
  });

  it('when failures from one address reach two instances, then they add up (the count is in the database)', async () => {
    const address = newAddress();
    const other = express().set('trust proxy', 'loopback').use(adminApiRouter(TOKEN, { routers: [], limit: { now: clock.now } }));
    const viaOther = (a: string) => supertest(other).get('/admin/api/status').set('X-Forwarded-For', a).set('Authorization', 'Bearer wrong-token-wrong-token-wrong');
    expect(await fail(address, LIMIT / 2)).toEqual(Array(LIMIT / 2).fill(401));
    expect(await fail(address, LIMIT / 2, viaOther)).toEqual(Array(LIMIT / 2).fill(401));
    expect((await status(address, TOKEN)).status).toBe(429);
    expect((await viaOther(address)).status).toBe(429);
  });

  it('when one address sends 20 wrong METRICS_TOKENs, then /metrics refuses it with 429, while its admin API requests are counted apart', async () => {
    await awayFromWindowEdge(); // /metrics counts on the real clock
    const address = newAddress();
    const scrape = (a: string, token = 'not-the-metrics-token-000000000') =>
      supertest(h.tool.app).get('/metrics').set('X-Forwarded-For', a).set('Authorization', `Bearer ${token}`);
    expect(await fail(address, LIMIT, scrape)).toEqual(Array(LIMIT).fill(401));
    const limited = await scrape(address, METRICS);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(limited.body).toMatchObject({ status: 429, title: 'Too Many Requests' });
    expect((await scrape(newAddress(), METRICS)).status).toBe(200);
    expect((await status(address, TOKEN)).status).toBe(200);
  });
});
