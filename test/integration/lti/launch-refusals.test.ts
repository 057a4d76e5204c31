import supertest from 'supertest';
import { CLAIM, MockLms } from '../../support/mock-lms';
import { finalPath, startHarness, TestHarness } from '../../support/tool';

let h: TestHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

/** A refusal is a translated page with the given status and title: never raw JSON or a stack. */
function expectRefusalPage(res: supertest.Response, status: number, title: string) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/text\/html/);
  expect(res.text).toContain(title);
  expect(res.text).not.toMatch(/at .+\.(js|ts):\d+/); // no stack trace
  expect(res.text).not.toContain('"error":');
}

const MALFORMED = 'This launch could not be accepted';
const INVALID = 'The launch could not be verified';

describe('the 1EdTech certification known-bad launches are refused', () => {
  it.each<[string, Parameters<MockLms['launch']>[0], number, string, string]>([
    ['no kid in the JWT header', { header: { kid: null } }, 401, INVALID, 'KID_NOT_FOUND'],
    ['an unknown kid', { header: { kid: 'not-a-key-of-this-lms' } }, 401, INVALID, 'KEY_NOT_FOUND'],
    ['a wrong LTI version', { claims: { [CLAIM.version]: '1.2.0' } }, 400, MALFORMED, 'WRONG_LTI_VERSION_CLAIM'],
    ['no LTI version', { claims: { [CLAIM.version]: undefined } }, 400, MALFORMED, 'NO_LTI_VERSION_CLAIM'],
    ['no message type', { claims: { [CLAIM.messageType]: undefined } }, 400, MALFORMED, 'NO_MESSAGE_TYPE_CLAIM'],
    ['an unknown message type', { claims: { [CLAIM.messageType]: 'LtiSomethingElse' } }, 400, MALFORMED, 'UNSUPPORTED_MESSAGE_TYPE'],
    ['no roles claim', { roles: null }, 400, MALFORMED, 'NO_ROLES_CLAIM'],
    ['a roles claim that is not a list', { claims: { [CLAIM.roles]: 'Instructor' } }, 400, MALFORMED, 'NO_ROLES_CLAIM'],
    ['no deployment id', { claims: { [CLAIM.deploymentId]: undefined } }, 400, MALFORMED, 'NO_DEPLOYMENT_ID_CLAIM'],
    ['no resource link id', { mutate: (p) => { p[CLAIM.resourceLink] = { title: 'x' }; } }, 400, MALFORMED, 'NO_RESOURCE_LINK_ID_CLAIM'],
    ['no resource link claim', { resourceLink: null }, 400, MALFORMED, 'NO_RESOURCE_LINK_ID_CLAIM'],
    ['no sub', { mutate: (p) => { delete p.sub; } }, 400, MALFORMED, 'NO_SUB_CLAIM'],
    ['no nonce', { mutate: (p) => { delete p.nonce; } }, 400, MALFORMED, 'NO_NONCE_CLAIM'],
    ['an expired token (exp in the past)', { iatOffsetSeconds: -3600 }, 401, INVALID, 'TOKEN_EXPIRED'],
    ['an iat far in the future', { iatOffsetSeconds: 3600 }, 401, INVALID, 'IAT_IN_FUTURE'],
    ['a stale iat with a still-valid exp', { mutate: (p) => { p.iat = Math.floor(Date.now() / 1000) - 600; } }, 401, INVALID, 'TOKEN_TOO_OLD'],
    ['no timestamps', { mutate: (p) => { delete p.exp; } }, 400, MALFORMED, 'NO_TIMESTAMPS'],
    ['a bad signature', { signWith: 'otherKey' }, 401, INVALID, 'INVALID_SIGNATURE'],
    ['alg none', { header: { alg: 'none' } }, 401, INVALID, 'ALG_NOT_RS256'],
    ['alg HS256 signed with the public key', { header: { alg: 'HS256' } }, 401, INVALID, 'ALG_NOT_RS256'],
  ])('when the id_token has %s, then the launch is refused', async (_name, opts, status, title, reason) => {
    const r = await h.lms.launch({ role: 'Instructor', ...opts });
    expectRefusalPage(r.res, status, title);
    expect(r.res.text).toContain(reason);
    expect(r.ltik).toBeUndefined();
  });

  it('when a nonce already used is sent again in a new login, then the launch is refused (it is not the nonce of that login)', async () => {
    const first = await h.lms.launch({ role: 'Instructor' });
    expect(first.status).toBe(200);
    const second = await h.lms.launch({ role: 'Instructor', nonce: first.nonce });
    expectRefusalPage(second.res, 401, INVALID);
    expect(second.res.text).toContain('NONCE_MISMATCH');
  });

  it('when the captured id_token POST is replayed, then it is refused', async () => {
    const first = await h.lms.launch({ role: 'Instructor' });
    expect(first.status).toBe(200);
    const replay = await h.lms.postIdToken(first.agent, first.idToken, first.state);
    expect(replay.status).toBe(401);
    expect(replay.ltik).toBeUndefined();
  });
});

describe('cookies blocked in the LMS iframe', () => {
  it('when the state cookie does not come back, then the page explains and offers the same launch in a new window', async () => {
    const login = await h.lms.startLogin(undefined, { role: 'Learner', user: { id: 'iframe-student' } });
    const idToken = h.lms.signIdToken(h.lms.buildPayload({ role: 'Learner', user: { id: 'iframe-student' }, nonce: login.nonce }));
    const cookieless = supertest.agent(h.tool.url); // a browser that dropped the third-party cookie
    const r = await h.lms.postIdToken(cookieless, idToken, login.state);
    expectRefusalPage(r.res, 401, "Your browser blocked the tool&#39;s cookie");
    const link = /<a class="button" href="([^"]+)" target="_blank" rel="noopener">Open in a new window<\/a>/.exec(r.res.text);
    expect(link).not.toBeNull();
    const href = (link?.[1] ?? '').replace(/&amp;/g, '&');
    expect(href.startsWith(`${h.tool.url}/login?`)).toBe(true);
    expect(new URL(href).searchParams.get('lti_message_hint')).toBe(login.messageHint);

    // Following it in a new top-level window starts a fresh login at the LMS.
    const restart = await supertest.agent(h.tool.url).get(href.slice(h.tool.url.length));
    expect(restart.status).toBe(302);
    expect(String(restart.headers.location)).toContain(`${h.lms.url}/auth?`);
  });

  it('when a launched session cookie is missing later, then the session-ended page is shown', async () => {
    const r = await h.lms.launch({ role: 'Instructor' });
    const res = await supertest(h.tool.url).get(finalPath(r.res));
    expectRefusalPage(res, 401, 'Your session has ended');
  });
});

describe('unknown or unapproved LMSs and deployments', () => {
  it('when an unknown issuer starts a login, then the not-registered page is shown', async () => {
    const r = await h.lms.launch({ login: { iss: 'https://unknown-lms.example' } });
    expectRefusalPage(r.res, 400, 'This LMS is not registered with the tool');
  });

  it('when a known issuer uses an unknown client id, then the not-registered page is shown', async () => {
    const r = await h.lms.launch({ login: { client_id: 'someone-else' } });
    expectRefusalPage(r.res, 400, 'This LMS is not registered with the tool');
  });

  it('when an id_token names an issuer nobody registered, then it is refused', async () => {
    const login = await h.lms.startLogin(undefined, {});
    const payload = h.lms.buildPayload({ nonce: login.nonce });
    payload.iss = 'https://other-lms.example';
    const r = await h.lms.postIdToken(login.agent, h.lms.signIdToken(payload), login.state);
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.ltik).toBeUndefined();
  });

  it('when a registration lists deployments, then launches from other deployments are refused and listed ones work', async () => {
    const lms2 = await MockLms.start({ toolUrl: h.tool.url, deploymentId: 'dep-allowed' });
    try {
      await h.tool.platforms.upsertPlatform({ ...lms2.registration(), deploymentIds: ['dep-allowed'] }, 'cli');
      const ok = await lms2.launch({ role: 'Instructor' });
      expect(ok.status).toBe(200);
      const denied = await lms2.launch({ role: 'Instructor', deploymentId: 'dep-other' });
      expectRefusalPage(denied.res, 403, 'This deployment is not allowed');

      // Narrowing the registration later also stops sessions that were already open.
      await h.tool.platforms.upsertPlatform({ ...lms2.registration(), deploymentIds: ['dep-new'] }, 'cli');
      await h.tool.registry.refresh();
      const again = await ok.agent.get(finalPath(ok.res));
      expectRefusalPage(again, 403, 'This deployment is not allowed');
    } finally {
      await lms2.stop();
    }
  });

  it('when a registration is pending approval, then its launches get the awaiting-approval page', async () => {
    const lms3 = await MockLms.start({ toolUrl: h.tool.url });
    try {
      await h.tool.platforms.upsertPlatform({ ...lms3.registration(), status: 'pending' }, 'cli');
      const r = await lms3.launch({ role: 'Instructor' });
      expectRefusalPage(r.res, 403, 'This LMS registration awaits approval');
    } finally {
      await lms3.stop();
    }
  });
});

describe('bad requests to the tool', () => {
  it('when /login lacks its parameters, then a friendly 400 page is shown instead of JSON', async () => {
    const res = await supertest(h.tool.url).get('/login?iss=x');
    expectRefusalPage(res, 400, 'This sign-in request is incomplete');
  });

  it('when /login asks to send the user to another site, then it is refused', async () => {
    const r = await h.lms.launch({ targetLinkUri: 'https://evil.example/launch' });
    expectRefusalPage(r.res, 400, 'This sign-in request is incomplete');
    expect(r.res.text).toContain('FOREIGN_TARGET_LINK_URI');
  });

  it('when a page is opened without any launch, then the session-ended page is shown', async () => {
    expectRefusalPage(await supertest(h.tool.url).get('/activity/abc/teacher'), 401, 'Your session has ended');
    expectRefusalPage(await supertest(h.tool.url).get('/launch'), 401, 'Your session has ended');
  });

  it('when the ltik is forged, then the session-ended page is shown', async () => {
    const r = await h.lms.launch({ role: 'Instructor' });
    const forged = finalPath(r.res).replace(/ltik=[^&]+/, 'ltik=eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyIjoieCJ9.bad');
    expectRefusalPage(await r.agent.get(forged), 401, 'Your session has ended');
  });

  it('when a script asks for JSON, then refusals come as JSON with a code', async () => {
    const res = await supertest(h.tool.url).get('/activity/abc/teacher').set('Accept', 'application/json');
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: 'session_expired', title: 'Your session has ended' });
  });

  it('when the browser prefers Latvian, then refusals are in Latvian', async () => {
    const res = await supertest(h.tool.url).get('/login').set('Accept-Language', 'lv,en;q=0.5');
    expectRefusalPage(res, 400, 'Šis pieteikšanās pieprasījums ir nepilnīgs');
  });

  it('when dynamic registration is attempted without a registration link, then a translated page explains the link', async () => {
    expectRefusalPage(await supertest(h.tool.url).get('/register?openid_configuration=https://x'), 403, 'This registration needs a registration link');
  });

  it('when a launched user opens an unknown page, then a 404 page is shown', async () => {
    const r = await h.lms.launch({ role: 'Instructor' });
    expectRefusalPage(await r.agent.get(`/nowhere?ltik=${encodeURIComponent(r.ltik ?? '')}`), 404, 'Page not found');
  });
});
