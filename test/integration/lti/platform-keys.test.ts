import { KEY_SET_TTL_MS, MIN_REFETCH_INTERVAL_MS } from '../../../src/lti/platform-key-policy';
import { platformKeys } from '../../../src/lti/platform-keys';
import type { LaunchOptions } from '../../support/mock-lms';
import { startHarness, TestHarness } from '../../support/tool';

/**
 * The LMS's JWKS is fetched once and kept (src/lti/platform-keys.ts), not once per launch.
 * The cache's clock is this file's `now` (ltijs's own token age checks keep real time).
 */
let h: TestHarness;
let now = 0;
let jwksUrl = '';
beforeAll(async () => {
  h = await startHarness();
  jwksUrl = h.lms.registration().jwksUrl;
  platformKeys.useClock(() => now);
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  platformKeys.clear(); // every test starts cold
  now += KEY_SET_TTL_MS * 10;
});

let userNo = 0;
const launch = (opts: LaunchOptions = {}) => h.lms.launch({ role: 'Instructor', user: { id: `keys-teacher-${++userNo}` }, ...opts });
/** GET /jwks requests the LMS answered since `before`. */
const fetchesSince = (before: number) => h.lms.jwksFetches - before;

function expectRefused(r: Awaited<ReturnType<typeof launch>>, reason: string) {
  expect(r.status).toBe(401);
  expect(r.res.text).toContain(reason);
  expect(r.ltik).toBeUndefined();
}

describe('the LMS signing keys are fetched once, not per launch', () => {
  it('when 5 people launch one after another, then the LMS JWKS is fetched once', async () => {
    const before = h.lms.jwksFetches;
    for (let i = 0; i < 5; i++) expect((await launch()).status).toBe(200);
    expect(fetchesSince(before)).toBe(1);
  });

  it('when 20 people launch at the same moment on a cold cache, then one fetch serves them all', async () => {
    // Logins first (each has its own state and nonce), then the 20 id_tokens arrive together while the JWKS answer is held.
    const logins = [];
    for (let i = 0; i < 20; i++) {
      const user = { id: `keys-crowd-${i}` };
      const login = await h.lms.startLogin(undefined, { role: 'Instructor', user });
      logins.push({ login, idToken: h.lms.signIdToken(h.lms.buildPayload({ role: 'Instructor', user, nonce: login.nonce })) });
    }
    const before = h.lms.jwksFetches;
    const release = h.lms.holdJwks();
    const posts = logins.map(({ login, idToken }) => h.lms.postIdToken(login.agent, idToken, login.state, login.redirectUri));
    // Wait (bounded) until all 20 are waiting for the one fetch, or more than one fetch arrived (no single flight).
    for (let i = 0; i < 500 && platformKeys.waitingFor(jwksUrl) < 20 && fetchesSince(before) < 2; i++) await new Promise((r) => setTimeout(r, 20));
    const waiting = platformKeys.waitingFor(jwksUrl);
    release();
    const results = await Promise.all(posts);
    expect(waiting).toBe(20);
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(fetchesSince(before)).toBe(1);
  });
});

describe('when the LMS rotates its signing key', () => {
  it('then the first launch with the new kid fetches once more and succeeds; tokens of the old, still published key keep working', async () => {
    const before = h.lms.jwksFetches;
    const oldKid = h.lms.kid;
    expect((await launch()).status).toBe(200);
    now += 60_000; // an hour later in real life; anything past the 10 s refetch window
    h.lms.rotateSigningKey(); // the old key stays published, as LMSs do for a while
    expect((await launch()).status).toBe(200);
    expect(fetchesSince(before)).toBe(2);
    for (let i = 0; i < 3; i++) expect((await launch()).status).toBe(200);
    expect((await launch({ header: { kid: oldKid } })).status).toBe(200);
    expect(fetchesSince(before)).toBe(2);
  });

  it('and replaces the key behind an unchanged kid, then the failed signature refetches once and the launch succeeds', async () => {
    const before = h.lms.jwksFetches;
    expect((await launch()).status).toBe(200);
    now += MIN_REFETCH_INTERVAL_MS;
    h.lms.rotateSigningKey({ kid: h.lms.kid, keepOld: false });
    expect((await launch()).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await launch()).status).toBe(200);
    expect(fetchesSince(before)).toBe(2);
  });
});

describe('an id_token whose kid the LMS never published', () => {
  it('is refused as before (KEY_NOT_FOUND) and makes at most one refetch per 10 s window', async () => {
    const before = h.lms.jwksFetches;
    expect((await launch()).status).toBe(200);
    // Within 10 s of that fetch: refused from the cache.
    expectRefused(await launch({ header: { kid: 'made-up-0' } }), 'KEY_NOT_FOUND');
    expect(fetchesSince(before)).toBe(1);
    now += MIN_REFETCH_INTERVAL_MS;
    for (let i = 1; i <= 5; i++) expectRefused(await launch({ header: { kid: `made-up-${i}` } }), 'KEY_NOT_FOUND');
    expect(fetchesSince(before)).toBe(2);
    now += MIN_REFETCH_INTERVAL_MS;
    expectRefused(await launch({ header: { kid: 'made-up-6' } }), 'KEY_NOT_FOUND');
    expect((await launch()).status).toBe(200);
    expect(fetchesSince(before)).toBe(3);
  });
});

describe('a key the LMS stopped publishing', () => {
  it('is accepted from the cache until the set expires (at most 10 min), then refused with one refetch', async () => {
    const before = h.lms.jwksFetches;
    const oldKid = h.lms.kid;
    expect((await launch()).status).toBe(200);
    h.lms.rotateSigningKey({ keepOld: false });
    // The documented delay: the cached set still has the old key.
    expect((await launch({ header: { kid: oldKid } })).status).toBe(200);
    expect(fetchesSince(before)).toBe(1);
    now += KEY_SET_TTL_MS;
    expectRefused(await launch({ header: { kid: oldKid } }), 'KEY_NOT_FOUND');
    expect(fetchesSince(before)).toBe(2);
  });

  it('is refused as soon as a launch with the new kid has refreshed the set', async () => {
    const before = h.lms.jwksFetches;
    const oldKid = h.lms.kid;
    expect((await launch()).status).toBe(200);
    now += MIN_REFETCH_INTERVAL_MS;
    h.lms.rotateSigningKey({ keepOld: false });
    expect((await launch()).status).toBe(200); // the new kid: one refetch
    expectRefused(await launch({ header: { kid: oldKid } }), 'KEY_NOT_FOUND');
    expect(fetchesSince(before)).toBe(2);
  });
});
