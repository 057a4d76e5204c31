/**
 * Self-test of the mock LMS (test/support/mock-lms.ts) against a tiny stand-in tool
 * defined here, so it does not depend on the real tool under construction.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import supertest from 'supertest';
import { CLAIM, MockLms, SCOPE, makeUsers } from '../../support/mock-lms';
import { decodeJwt, jwt, signJwt } from '../../support/mock-lms-util';

// ------------------------------------------------------------------------- stand-in tool
interface StandInTool {
  url: string; kid: string; privateKey: crypto.KeyObject; publicKey: crypto.KeyObject;
  platform?: MockLms; launches: Array<Record<string, unknown>>; close(): Promise<void>;
}

async function startStandInTool(): Promise<StandInTool> {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const nonces = new Map<string, string>(); // state -> nonce
  const tool: StandInTool = { url: '', kid: 'tool-key-1', privateKey, publicKey, launches: [], close: async () => undefined };
  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', tool.url);
      const lms = tool.platform;
      if (url.pathname === '/keys') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return res.end(JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: tool.kid, alg: 'RS256', use: 'sig' }] }));
      }
      if (url.pathname === '/login' && lms) {
        const q = url.searchParams;
        if (q.get('iss') !== lms.issuer || q.get('client_id') !== lms.clientId || !q.get('login_hint')) {
          res.writeHead(400);
          return res.end('unregistered platform');
        }
        const state = crypto.randomBytes(8).toString('hex');
        const nonce = crypto.randomBytes(8).toString('hex');
        nonces.set(state, nonce);
        const auth = new URL(lms.registration().authUrl);
        const params = {
          response_type: 'id_token', response_mode: 'form_post', scope: 'openid', prompt: 'none', client_id: lms.clientId,
          redirect_uri: q.get('target_link_uri') ?? '', login_hint: q.get('login_hint') ?? '', state, nonce,
          lti_message_hint: q.get('lti_message_hint') ?? '', lti_deployment_id: q.get('lti_deployment_id') ?? '',
        };
        for (const [k, v] of Object.entries(params)) auth.searchParams.set(k, v);
        res.writeHead(302, { Location: auth.href, 'Set-Cookie': `state${state}=1; Path=/; HttpOnly` });
        return res.end();
      }
      if (url.pathname === '/launch' && req.method === 'POST' && lms) {
        let body = '';
        for await (const chunk of req) body += String(chunk);
        const form = new URLSearchParams(body);
        const state = form.get('state') ?? '';
        if (!(req.headers.cookie ?? '').includes(`state${state}=1`)) {
          res.writeHead(401);
          return res.end('missing state cookie');
        }
        const jwks = (await (await fetch(lms.registration().jwksUrl)).json()) as { keys: crypto.JsonWebKey[] };
        try {
          const key = crypto.createPublicKey({ key: jwks.keys[0] as crypto.JsonWebKey, format: 'jwk' });
          const payload = jwt.verify(form.get('id_token') ?? '', key, { algorithms: ['RS256'], audience: lms.clientId, issuer: lms.issuer }) as Record<string, unknown>;
          if (payload.nonce !== nonces.get(state)) throw new Error('nonce mismatch');
          nonces.delete(state);
          tool.launches.push(payload);
        } catch (e) {
          res.writeHead(401);
          return res.end(`invalid id_token: ${(e as Error).message}`);
        }
        res.writeHead(302, { Location: '/launch?ltik=abc' });
        return res.end();
      }
      if (url.pathname === '/launch' && req.method === 'GET' && url.searchParams.get('ltik') === 'abc') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        return res.end('ok');
      }
      res.writeHead(404);
      res.end();
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  tool.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  tool.close = () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
  return tool;
}

// ------------------------------------------------------------------------- helpers
let tool: StandInTool;
let lms: MockLms;

beforeAll(async () => {
  tool = await startStandInTool();
  lms = await MockLms.start({ toolUrl: tool.url });
  tool.platform = lms;
});
afterAll(async () => {
  await lms.stop();
  await tool.close();
});

/** A client_assertion as ltijs builds it. */
function clientAssertion(over: { aud?: string; jti?: string; key?: crypto.KeyObject } = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const payload = { iss: lms.clientId, sub: lms.clientId, aud: over.aud ?? lms.registration().tokenUrl, jti: over.jti ?? crypto.randomUUID(), iat: now, exp: now + 60 };
  return signJwt(payload, { alg: 'RS256', typ: 'JWT', kid: tool.kid }, over.key ?? tool.privateKey, tool.publicKey);
}
function requestToken(assertion: string, scope: string = SCOPE.nrps): supertest.Test {
  return supertest(lms.url).post('/token').type('form').send({
    grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion, scope,
  });
}
const path = (absolute: string): string => absolute.slice(lms.url.length);

// ------------------------------------------------------------------------- specs
describe('mock LMS platform', () => {
  it('serves its public JWKS and a registration for the tool', async () => {
    const res = await supertest(lms.url).get('/jwks').expect(200);
    expect(res.body.keys).toHaveLength(1);
    expect(res.body.keys[0]).toMatchObject({ kty: 'RSA', kid: lms.kid, alg: 'RS256', use: 'sig' });
    expect(res.body.keys[0].d).toBeUndefined();
    expect(lms.registration()).toEqual({
      issuer: lms.url, clientId: lms.clientId, name: 'Mock LMS', authUrl: `${lms.url}/auth`, tokenUrl: `${lms.url}/token`,
      jwksUrl: `${lms.url}/jwks`, deploymentIds: ['1'],
    });
    expect(lms.clientId).toMatch(/^client-/);
  });

  describe('OIDC auth endpoint', () => {
    it('answers an auto-submitting form whose id_token verifies against /jwks with the tool nonce', async () => {
      const login = await lms.startLogin(undefined, { role: 'Learner', user: { id: 'student-9', givenName: 'Sam', familyName: 'Student' } });
      const res = await fetch(login.authUrl);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain(`<form id="lti_launch" method="post" action="${tool.url}/launch">`);
      expect(html).toContain('.submit()');
      const idToken = /name="id_token" value="([^"]+)"/.exec(html)?.[1] ?? '';
      expect(html).toContain(`name="state" value="${login.state}"`);
      const jwk = (await (await fetch(`${lms.url}/jwks`)).json()) as { keys: crypto.JsonWebKey[] };
      const key = crypto.createPublicKey({ key: jwk.keys[0] as crypto.JsonWebKey, format: 'jwk' });
      const p = jwt.verify(idToken, key, { algorithms: ['RS256'], audience: lms.clientId, issuer: lms.url }) as Record<string, unknown>;
      expect(decodeJwt(idToken).header.kid).toBe(lms.kid);
      expect(p).toMatchObject({
        nonce: login.nonce, sub: 'student-9', given_name: 'Sam', family_name: 'Student', name: 'Sam Student',
        [CLAIM.roles]: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'],
        [CLAIM.context]: { id: 'course-1', label: 'ATT101', title: 'ATT101 Attendance & Tools', type: ['CourseSection'] },
        [CLAIM.messageType]: 'LtiResourceLinkRequest', [CLAIM.version]: '1.3.0', [CLAIM.deploymentId]: '1',
        [CLAIM.resourceLink]: { id: 'rl-1', title: 'Lectures' },
        [CLAIM.launchPresentation]: { locale: 'en', document_target: 'iframe', return_url: `${lms.url}/return` },
        [CLAIM.nrps]: { context_memberships_url: `${lms.url}/nrps/course-1/memberships`, service_versions: ['2.0'] },
      });
      expect(p.exp).toBe((p.iat as number) + 60);
      const ags = p[CLAIM.ags] as Record<string, unknown>;
      expect(ags.scope).toHaveLength(4);
      expect(ags.lineitems).toBe(`${lms.url}/ags/course-1/lineitems?type_id=1`);
      expect(ags.lineitem).toMatch(new RegExp(`^${lms.url}/ags/course-1/lineitems/\\d+/lineitem\\?type_id=1$`));
      expect(lms.lineItems('course-1')).toContainEqual(expect.objectContaining({ id: ags.lineitem, label: 'Lectures', scoreMaximum: 100, resourceLinkId: 'rl-1' }));
    });

    it.each([
      ['response_type', 'code'], ['scope', 'profile'], ['response_mode', 'query'], ['prompt', 'login'],
      ['client_id', 'someone-else'], ['redirect_uri', ''], ['redirect_uri', 'https://evil.example/launch'], ['state', ''],
      ['nonce', ''], ['lti_message_hint', 'unknown-hint'], ['login_hint', 'another-user'],
    ])('refuses %s=%j with 400', async (param, value) => {
      const login = await lms.startLogin();
      const url = new URL(login.authUrl);
      url.searchParams.set(param, value);
      const res = await fetch(url);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
    });
  });

  describe('launch()', () => {
    it('runs /login -> /auth -> POST id_token with the state cookie -> follows the ltik redirect', async () => {
      const before = tool.launches.length;
      const r = await lms.launch();
      expect(r.status).toBe(200);
      expect(r.res.text).toBe('ok');
      expect(r.ltik).toBe('abc');
      expect(r.location).toBe('/launch?ltik=abc');
      expect(r.payload.sub).toBe('teacher-1');
      expect(r.payload[CLAIM.roles]).toEqual(['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor']);
      expect(r.nonce).toBe(r.payload.nonce);
      expect(tool.launches).toHaveLength(before + 1);
    });

    it('lets negative tests drive the pieces: no state cookie (fresh agent) is refused', async () => {
      const login = await lms.startLogin();
      const token = lms.signIdToken(lms.buildPayload({ nonce: login.nonce }));
      const fresh = await lms.postIdToken(supertest.agent(tool.url), token, login.state);
      expect(fresh.status).toBe(401);
      expect(fresh.res.text).toBe('missing state cookie');
      const ok = await lms.postIdToken(login.agent, token, login.state, login.redirectUri);
      expect(ok).toMatchObject({ status: 200, ltik: 'abc' });
    });

    it('returns the /login answer untouched when the tool does not redirect to /auth', async () => {
      const r = await lms.launch({ login: { client_id: 'unknown-client' } });
      expect(r.status).toBe(400);
      expect(r.ltik).toBeUndefined();
      expect(r.idToken).toBe('');
    });

    it('signs with another key, drops the kid or forces a nonce on demand', async () => {
      expect((await lms.launch({ signWith: 'otherKey' })).res.text).toMatch(/invalid signature/);
      expect((await lms.launch({ nonce: 'forced' })).res.text).toMatch(/nonce mismatch/);
      expect((await lms.launch({ iatOffsetSeconds: -3600 })).res.text).toMatch(/jwt expired/);
      const noKid = lms.signIdToken({ a: 1 }, { kid: null });
      expect(decodeJwt(noKid).header).toEqual({ alg: 'RS256', typ: 'JWT' });
      expect(decodeJwt(lms.signIdToken({}, { kid: 'unknown', alg: 'HS256' })).header).toMatchObject({ kid: 'unknown', alg: 'HS256' });
    });
  });

  describe('id_token payload options', () => {
    const build = (o: Parameters<MockLms['buildPayload']>[0]): Record<string, unknown> => lms.buildPayload(o);
    it('maps role shorthands, exact roles and omitted roles', () => {
      expect(build({ nonce: 'n', role: 'Mentor' })[CLAIM.roles]).toEqual(['http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor']);
      expect(build({ nonce: 'n', role: '' })[CLAIM.roles]).toEqual(['']);
      expect(build({ nonce: 'n', roles: ['urn:x'] })[CLAIM.roles]).toEqual(['urn:x']);
      expect(CLAIM.roles in build({ nonce: 'n', roles: null })).toBe(false);
    });
    it('omits context-bound claims without a context and builds deep linking requests', () => {
      const p = build({ nonce: 'n', context: null });
      expect(p[CLAIM.context] ?? p[CLAIM.ags] ?? p[CLAIM.nrps]).toBeUndefined();
      expect(p[CLAIM.resourceLink]).toBeDefined();
      const dl = build({ nonce: 'n', messageType: 'LtiDeepLinkingRequest' });
      expect(dl[CLAIM.resourceLink]).toBeUndefined();
      expect(dl[CLAIM.deepLinkingSettings]).toMatchObject({ accept_types: ['ltiResourceLink'], deep_link_return_url: `${lms.url}/deeplinking/return` });
      expect((dl[CLAIM.ags] as Record<string, unknown>).lineitem).toBeUndefined();
    });
    it('merges claims (undefined deletes), custom, locale and mutate; fills users from members', () => {
      lms.setMembers('course-x', [{ id: 'm1', givenName: 'Mia', familyName: 'Member', roles: ['Learner'] }]);
      const p = build({
        nonce: 'n', context: { id: 'course-x' }, user: { id: 'm1' }, locale: 'lv', custom: { a: 'b' },
        claims: { email: undefined, extra: 1 }, mutate: (x) => { x.mutated = true; },
      });
      expect(p).toMatchObject({ sub: 'm1', name: 'Mia Member', extra: 1, mutated: true, [CLAIM.custom]: { a: 'b' } });
      expect(p[CLAIM.roles]).toEqual(['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner']);
      expect((p[CLAIM.launchPresentation] as Record<string, unknown>).locale).toBe('lv');
      expect('email' in p).toBe(false);
    });
  });

  describe('token endpoint', () => {
    it('accepts a client_assertion signed with a key from the tool /keys', async () => {
      const res = await requestToken(clientAssertion(), `${SCOPE.nrps} ${SCOPE.score}`).expect(200);
      expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: `${SCOPE.nrps} ${SCOPE.score}` });
      expect(typeof res.body.access_token).toBe('string');
      expect(lms.tokenRequests.at(-1)).toMatchObject({ ok: true, scope: `${SCOPE.nrps} ${SCOPE.score}` });
    });
    it('rejects a bad signature, a wrong aud, a replayed jti and a wrong grant', async () => {
      const other = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
      expect((await requestToken(clientAssertion({ key: other })).expect(401)).body.error).toBe('invalid_client');
      expect((await requestToken(clientAssertion({ aud: `${lms.url}/other` })).expect(401)).body.error).toBe('invalid_client');
      const once = clientAssertion({ jti: 'same-jti' });
      await requestToken(once).expect(200);
      expect((await requestToken(once).expect(400)).body.error).toBe('invalid_grant');
      const wrongGrant = await supertest(lms.url).post('/token').type('form').send({ grant_type: 'password' }).expect(400);
      expect(wrongGrant.body.error).toBe('invalid_request');
      expect(lms.tokenRequests.filter((t) => !t.ok).length).toBeGreaterThanOrEqual(4);
    });
  });

  describe('NRPS', () => {
    beforeAll(() => lms.setMembers('course-n', [...makeUsers(7), ...makeUsers(1, 'Instructor', 'teacher')], { label: 'N101', title: 'Names' }));
    it('pages with Link rel="next" until every member is returned', async () => {
      const token = (await requestToken(clientAssertion())).body.access_token as string;
      let next: string | undefined = `${lms.url}/nrps/course-n/memberships?role=Learner&limit=3`;
      const pages: Array<Array<Record<string, unknown>>> = [];
      while (next) {
        const res: supertest.Response = await supertest(lms.url).get(path(next)).set('Authorization', `Bearer ${token}`).expect(200);
        expect(res.headers['content-type']).toMatch(/^application\/vnd\.ims\.lti-nrps\.v2\.membershipcontainer\+json/);
        expect(res.body.context).toEqual({ id: 'course-n', label: 'N101', title: 'Names' });
        pages.push(res.body.members);
        next = /<([^>]+)>;\s*rel="next"/.exec(String(res.headers.link ?? ''))?.[1];
      }
      expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
      expect(pages.flat().map((m) => m.user_id)).toEqual(makeUsers(7).map((u) => u.id));
      expect(pages[0]?.[0]).toMatchObject({ status: 'Active', roles: ['Learner'], user_id: 'student-1', name: 'Student Number1', ext_user_username: 'student1' });
      const all = await supertest(lms.url).get('/nrps/course-n/memberships').set('Authorization', `Bearer ${token}`).expect(200);
      expect(all.body.members).toHaveLength(8);
      expect(all.headers.link).toBeUndefined();
    });
    it('requires a bearer token with the membership scope', async () => {
      await supertest(lms.url).get('/nrps/course-n/memberships').expect(401);
      const ags = lms.issueAccessToken(SCOPE.score);
      await supertest(lms.url).get('/nrps/course-n/memberships').set('Authorization', `Bearer ${ags}`).expect(401);
    });
  });

  describe('AGS', () => {
    const ctx = 'course-g';
    let lineitem = '';
    let token = '';
    beforeAll(async () => {
      lms.setMembers(ctx, makeUsers(2));
      const p = lms.buildPayload({ nonce: 'n', context: { id: ctx }, resourceLink: { id: 'rl-g', title: 'Attendance' } });
      lineitem = (p[CLAIM.ags] as { lineitem: string }).lineitem;
      token = (await requestToken(clientAssertion(), [SCOPE.lineItem, SCOPE.score, SCOPE.resultReadonly].join(' '))).body.access_token as string;
    });
    const score = (userId: string, scoreGiven: number, timestamp = new Date().toISOString()): Record<string, unknown> => ({
      userId, scoreGiven, scoreMaximum: 10, activityProgress: 'Completed', gradingProgress: 'FullyGraded', timestamp,
    });
    const postScore = (url: string, body: Record<string, unknown>): supertest.Test =>
      supertest(lms.url).post(url).set('Authorization', `Bearer ${token}`).set('Content-Type', 'application/vnd.ims.lis.v1.score+json').send(JSON.stringify(body));

    it('lists, creates and reads line items', async () => {
      const list = await supertest(lms.url).get(`/ags/${ctx}/lineitems?type_id=1&resource_link_id=rl-g`).set('Authorization', `Bearer ${token}`).expect(200);
      expect(list.body).toEqual([{ id: lineitem, label: 'Attendance', scoreMaximum: 100, resourceId: '', tag: '', resourceLinkId: 'rl-g', ltiLinkId: 'rl-g' }]);
      const created = await supertest(lms.url).post(`/ags/${ctx}/lineitems?type_id=1`).set('Authorization', `Bearer ${token}`)
        .set('Content-Type', 'application/vnd.ims.lis.v2.lineitem+json').send(JSON.stringify({ label: 'Extra', scoreMaximum: 50, tag: 'x' })).expect(201);
      expect(created.body.id).toMatch(/\/lineitem\?type_id=1$/);
      const got = await supertest(lms.url).get(path(created.body.id)).set('Authorization', `Bearer ${token}`).expect(200);
      expect(got.body).toMatchObject({ label: 'Extra', scoreMaximum: 50, tag: 'x' });
    });

    it('accepts scores at <path>/scores?<query> (200, empty) and 404s the <url>/scores trap', async () => {
      const [base, query] = lineitem.split('?');
      const res = await postScore(path(`${base}/scores?${query}`), score('student-1', 7)).expect(200);
      expect(res.text).toBe('');
      await postScore(path(`${lineitem}/scores`), score('student-1', 8)).expect(404);
      await postScore(path(`${base}/scores?${query}`), { userId: 'student-1', scoreGiven: 'x' }).expect(400);
    });

    it('keeps the latest score per user in results and the gradebook', async () => {
      const [base, query] = lineitem.split('?');
      const scoresUrl = path(`${base}/scores?${query}`);
      const t0 = Date.now();
      await postScore(scoresUrl, score('student-2', 4, new Date(t0).toISOString())).expect(200);
      await postScore(scoresUrl, score('student-2', 9, new Date(t0 + 1000).toISOString())).expect(200);
      await postScore(scoresUrl, score('student-2', 1, new Date(t0 - 5000).toISOString())).expect(409);
      expect(lms.gradebook(ctx)).toEqual(expect.arrayContaining([
        expect.objectContaining({ lineItemId: lineitem, label: 'Attendance', userId: 'student-2', resultScore: 90, resultMaximum: 100 }),
        expect.objectContaining({ userId: 'student-1', resultScore: 70 }),
      ]));
      expect(lms.scores.filter((s) => s.lineItemId === lineitem).map((s) => s.body.scoreGiven)).toEqual([7, 4, 9]);
      const results = await supertest(lms.url).get(path(`${base}/results?${query}&user_id=student-2`)).set('Authorization', `Bearer ${token}`).expect(200);
      expect(results.body).toEqual([expect.objectContaining({ userId: 'student-2', resultScore: 90, resultMaximum: 100, scoreOf: lineitem })]);
    });

    it('enforces scopes and can simulate outages', async () => {
      const readonly = lms.issueAccessToken(SCOPE.lineItemReadonly);
      await supertest(lms.url).post(`/ags/${ctx}/lineitems?type_id=1`).set('Authorization', `Bearer ${readonly}`).send({ label: 'x', scoreMaximum: 1 }).expect(401);
      lms.failNext('scores', 503);
      const [base, query] = lineitem.split('?');
      await postScore(path(`${base}/scores?${query}`), score('student-1', 1)).expect(503);
      await postScore(path(`${base}/scores?${query}`), score('student-1', 1)).expect(200);
    });
  });

  it('has a return page for launch_presentation.return_url', async () => {
    const res = await supertest(lms.url).get('/return').expect(200);
    expect(res.text).toMatch(/Returned to LMS/);
  });
});
