/**
 * Issue #12 items 1 and 7: the id_token's nonce must be the one this tool put into its own
 * authorization redirect for that state; each state/nonce pair is used once; /login stores
 * nothing for LMSs nobody registered, and floods of such logins are slowed per address.
 */
import supertest from 'supertest';
import mongoose from 'mongoose';
import { LoginAttemptModel } from '../../../src/lti/login-attempt.model';
import { awayFromWindowEdge } from '../../support/rate-window';
import { startHarness, TestHarness } from '../../support/tool';

let h: TestHarness;
beforeAll(async () => {
  h = await startHarness({ env: { LOGIN_IP_UNREGISTERED_PER_10_MINUTES: '20' } });
});
afterAll(async () => {
  await h?.close();
});

const INVALID = 'The launch could not be verified';
const ltijsStates = () => mongoose.connection.useDb(`${h.config.dbName}_ltijs`).collection('states');

function expectRefused(res: supertest.Response, status: number, title: string) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/text\/html/);
  expect(res.text).toContain(title);
  expect(String(res.headers.location ?? '')).not.toContain('ltik=');
}

describe('the nonce is bound to the login that issued it', () => {
  it('when the id_token carries a fresh nonce the tool never issued, then it is refused and no ltik is issued', async () => {
    const login = await h.lms.startLogin(undefined, { role: 'Instructor', user: { id: 'nonce-attacker' } });
    const payload = h.lms.buildPayload({ role: 'Instructor', user: { id: 'nonce-attacker' }, nonce: `never-issued-${Date.now()}` });
    const r = await h.lms.postIdToken(login.agent, h.lms.signIdToken(payload), login.state);
    expectRefused(r.res, 401, INVALID);
    expect(r.res.text).toContain('NONCE_MISMATCH');
    expect(r.ltik).toBeUndefined();
  });

  it('when the nonce of another login is used with this state, then it is refused', async () => {
    const mine = await h.lms.startLogin(undefined, { role: 'Learner', user: { id: 'swap-a' } });
    const other = await h.lms.startLogin(undefined, { role: 'Learner', user: { id: 'swap-b' } });
    const idToken = h.lms.signIdToken(h.lms.buildPayload({ role: 'Learner', user: { id: 'swap-a' }, nonce: other.nonce }));
    const r = await h.lms.postIdToken(mine.agent, idToken, mine.state);
    expectRefused(r.res, 401, INVALID);
    expect(r.ltik).toBeUndefined();
  });

  it('when the nonce is the one the tool issued, then the launch works; the same state and nonce a second time are refused', async () => {
    const login = await h.lms.startLogin(undefined, { role: 'Learner', user: { id: 'honest' } });
    const idToken = h.lms.signIdToken(h.lms.buildPayload({ role: 'Learner', user: { id: 'honest' }, nonce: login.nonce }));
    const ok = await h.lms.postIdToken(login.agent, idToken, login.state);
    expect(ok.status).toBe(200);
    expect(ok.ltik).toBeDefined();

    // A second id_token for the same login (fresh iat, same state and nonce) is refused.
    const again = h.lms.signIdToken(h.lms.buildPayload({ role: 'Learner', user: { id: 'honest' }, nonce: login.nonce }));
    const replay = await h.lms.postIdToken(login.agent, again, login.state);
    expectRefused(replay.res, 401, INVALID);
    expect(replay.ltik).toBeUndefined();
  });

  it('when a state the tool never issued is posted, then it is refused', async () => {
    const idToken = h.lms.signIdToken(h.lms.buildPayload({ role: 'Learner', nonce: 'whatever' }));
    const r = await h.lms.postIdToken(undefined, idToken, 'made-up-state');
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.ltik).toBeUndefined();
  });

  it('the nonce in the redirect is long and random (not the 25 base-36 characters ltijs makes with Math.random)', async () => {
    const nonces = await Promise.all([1, 2, 3].map(async () => (await h.lms.startLogin(undefined, {})).nonce));
    for (const n of nonces) expect(n).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(new Set(nonces).size).toBe(3);
  });
});

describe('/login from unregistered LMSs', () => {
  const flood = (iss: string, n: number) =>
    Promise.all(Array.from({ length: n }, (_, i) => supertest(h.tool.url)
      .get(`/login?iss=${encodeURIComponent(iss)}&login_hint=u${i}&target_link_uri=${encodeURIComponent(`${h.tool.url}/launch`)}&client_id=nobody`)));

  it('when an unregistered issuer floods /login, then nothing is written, and after the limit the address gets 429', async () => {
    await awayFromWindowEdge();
    const beforeAttempts = await LoginAttemptModel.countDocuments();
    const beforeStates = await ltijsStates().countDocuments();
    const answers = await flood('https://not-registered.example', 60);
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 400)).toHaveLength(20);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40);
    const limited = answers.find((r) => r.status === 429);
    expect(Number(limited?.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited?.text).toContain('<main id="content"');
    expect(await LoginAttemptModel.countDocuments()).toBe(beforeAttempts);
    expect(await ltijsStates().countDocuments()).toBe(beforeStates);
  });

  it('when the registered LMS starts a login from the same address, then it still works', async () => {
    const r = await h.lms.launch({ role: 'Learner', user: { id: 'after-flood' } });
    expect(r.status).toBe(200);
    expect(r.ltik).toBeDefined();
  });
});
