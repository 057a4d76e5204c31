import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import supertest from 'supertest';
import { join } from 'node:path';
import { localeMiddleware } from '../../../src/shared/locale.middleware';
import { errorHandler } from '../../../src/shared/error-handler.middleware';
import { createLogger } from '../../../src/shared/logger';
import { PlatformModel } from '../../../src/platforms/platform.model';
import { registrationRouter } from '../../../src/platforms/registration.routes';
import { approvePlatform, createDynamicRegistrationService, fetchLimited } from '../../../src/platforms/dynamic-registration.service';
import { createRegistrationLinkService, RegistrationLinkService } from '../../../src/platforms/registration-link.service';
import { LTI_TOOL_CONFIGURATION } from '../../support/mock-lms-registration';
import { MockLms } from '../../support/mock-lms';
import { startHarness, TestHarness } from '../../support/tool';
import { expectNothingEchoed, expectPage, SECRET_BODY } from './registration-helpers';
import { awayFromWindowEdge } from '../../support/rate-window';

let h: TestHarness;
let dr: MockLms['dynamicRegistration'];
let links: RegistrationLinkService;
beforeAll(async () => {
  // No static registration: the mock LMS registers itself through /register. TRUST_PROXY lets
  // each test come from its own client IP (X-Forwarded-For), so the rate limit stays per test.
  // The mock LMS runs on 127.0.0.1, which the tool only contacts for hosts on DYNREG_ALLOWED_HOSTS.
  h = await startHarness({ register: false, env: { TRUST_PROXY: 'true', DYNREG_ALLOWED_HOSTS: '127.0.0.1' } });
  dr = h.lms.dynamicRegistration;
  links = createRegistrationLinkService({ publicUrl: h.tool.url, now: () => new Date() });
});
afterAll(async () => {
  await h?.close();
});
afterEach(() => dr.reset());

let ipCounter = 0;
const freshIp = () => `198.51.100.${++ipCounter}`;

function register(query: Record<string, string>, opts: { ip?: string; lang?: string } = {}) {
  const req = supertest(h.tool.url).get('/register').query(query).set('X-Forwarded-For', opts.ip ?? freshIp());
  return opts.lang ? req.set('Accept-Language', opts.lang) : req;
}
/** A fresh one-use registration link's token (what an administrator hands to the LMS admin). */
const newRt = async (uses = 1) => (await links.create({ expiresInMs: 3600_000, uses })).rt;
/** What the LMS opens: the link, with its own configuration URL and a fresh registration token appended. */
const withToken = async (extra: Record<string, string> = {}) => ({ rt: await newRt(), openid_configuration: dr.configurationUrl, registration_token: dr.issueToken(), ...extra });

const platformCount = () => PlatformModel.countDocuments();

describe('GET /register (LTI Dynamic Registration) from a Moodle-like LMS', () => {
  it('when the LMS registers the tool, then the LMS is stored pending with its deployment, and launches work once approved', async () => {
    // The LMS is given the registration link and appends its own two parameters, as Moodle does.
    const link = await links.create({ expiresInMs: 3600_000, uses: 1 });
    const start = new URL(dr.startUrl(link.url));
    const token = start.searchParams.get('registration_token') ?? '';
    const res = await register(Object.fromEntries(start.searchParams));
    expectPage(res, 200, 'LTI Attendance is registered and waits for approval');
    expect(res.text).toContain(`npm run platform -- approve --issuer ${h.lms.issuer} --client-id ${h.lms.clientId}`);
    expect(res.text).toContain('data-lti-close="manual"');
    expect(res.text).toContain('<script src="/static/js/registration-close.js" defer></script>');
    // The LMS shows this page in its own dialog before it is an active platform.
    expect(String(res.headers['content-security-policy'])).toContain(`frame-ancestors 'self' ${h.lms.url}`);

    const saved = await PlatformModel.findOne({ issuer: h.lms.issuer, clientId: h.lms.clientId }).lean();
    expect(saved).toMatchObject({
      status: 'pending', source: 'dynamic', deploymentIds: [h.lms.deploymentId],
      authUrl: `${h.lms.url}/auth`, tokenUrl: `${h.lms.url}/token`, jwksUrl: `${h.lms.url}/jwks`,
    });

    // What the LMS received: our tool configuration, with the registration token as Bearer.
    expect(dr.received).toHaveLength(1);
    const sent = dr.received[0]!;
    expect(sent.authorization).toBe(`Bearer ${token}`);
    expect(sent.body).toMatchObject({
      application_type: 'web',
      response_types: ['id_token'],
      grant_types: ['implicit', 'client_credentials'],
      initiate_login_uri: `${h.tool.url}/login`,
      redirect_uris: [`${h.tool.url}/launch`],
      jwks_uri: `${h.tool.url}/keys`,
      token_endpoint_auth_method: 'private_key_jwt',
      client_name: 'LTI Attendance',
    });
    expect(String(sent.body.scope).split(' ')).toEqual(expect.arrayContaining([
      'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
      'https://purl.imsglobal.org/spec/lti-ags/scope/score',
      'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
      'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
    ]));
    const tool = sent.body[LTI_TOOL_CONFIGURATION] as Record<string, unknown>;
    expect(tool).toMatchObject({
      domain: new URL(h.tool.url).host,
      target_link_uri: `${h.tool.url}/launch`,
      custom_parameters: { username: '$User.username', timezone: '$Person.address.timezone' },
    });
    expect((tool.messages as Array<{ type: string }>).map((m) => m.type)).toEqual(['LtiResourceLinkRequest', 'LtiDeepLinkingRequest']);

    // Pending: the LMS cannot launch yet.
    const refused = await h.lms.launch({ role: 'Instructor', context: { id: 'dr-c1' }, resourceLink: { id: 'dr-rl1' } });
    expect(refused.status).toBe(403);

    const approved = await approvePlatform(h.tool.platforms, h.lms.issuer, h.lms.clientId);
    expect(approved?.status).toBe('active');
    // The link allowed one registration: it is spent.
    expect(await links.isUsable(link.rt)).toBe(false);
    expect((await PlatformModel.findOne({ issuer: h.lms.issuer, clientId: h.lms.clientId }).lean())?.status).toBe('active');
    const launched = await h.lms.launch({ role: 'Instructor', context: { id: 'dr-c1' }, resourceLink: { id: 'dr-rl1' } });
    expect(launched.status).toBe(200);
    expect(launched.ltik).toBeDefined();

    // A launch from a deployment the LMS did not register is refused.
    const otherDeployment = await h.lms.launch({ role: 'Instructor', deploymentId: 'not-registered', context: { id: 'dr-c1' }, resourceLink: { id: 'dr-rl1' } });
    expect(otherDeployment.status).toBe(403);
  });

  it('when the same LMS registers the same client id again, then it is refused and the registration is left unchanged', async () => {
    const before = await PlatformModel.findOne({ issuer: h.lms.issuer, clientId: h.lms.clientId }).lean();
    expect(before).not.toBeNull();
    const res = await register(await withToken());
    expectPage(res, 409, 'This registration already exists');
    const after = await PlatformModel.findOne({ issuer: h.lms.issuer, clientId: h.lms.clientId }).lean();
    expect(after).toMatchObject({ status: before?.status, source: 'dynamic', deploymentIds: before?.deploymentIds });
  });

  it('when approving an unknown registration, then nothing happens', async () => {
    expect(await approvePlatform(h.tool.platforms, h.lms.issuer, 'no-such-client')).toBeUndefined();
  });
});

describe('GET /register refusals', () => {
  it('when a link allows one registration, then it works once and the next attempt with it is refused without contacting the LMS', async () => {
    dr.clientId = 'one-use-client';
    const link = await links.create({ expiresInMs: 3600_000, uses: 1 });
    expectPage(await register(Object.fromEntries(new URL(dr.startUrl(link.url)).searchParams)), 200, 'LTI Attendance is registered and waits for approval');
    expect(dr.received).toHaveLength(1);
    dr.clientId = 'second-client';
    const again = await register(Object.fromEntries(new URL(dr.startUrl(link.url)).searchParams));
    expectPage(again, 403, 'This registration link is not valid');
    expect(dr.received).toHaveLength(1);
    expect(await PlatformModel.countDocuments({ clientId: 'second-client' })).toBe(0);
  });

  it('when a link allows two registrations and four attempts race, then exactly two uses are granted', async () => {
    const link = await links.create({ expiresInMs: 3600_000, uses: 2 });
    const results = await Promise.all([1, 2, 3, 4].map(() => links.consume(link.rt)));
    expect(results.filter(Boolean)).toHaveLength(2);
    expect(await links.isUsable(link.rt)).toBe(false);
  });

  it('when the LMS refuses the registration token (401), then a 403 page says so without its answer, and nothing is stored', async () => {
    const count = await platformCount();
    dr.clientId = 'bad-token-client';
    const res = await register({ rt: await newRt(), openid_configuration: dr.configurationUrl, registration_token: 'forged-token' });
    expectPage(res, 403, 'The LMS refused the registration token');
    expect(res.text).not.toContain('Unknown or expired registration token');
    expect(res.text).not.toContain('HTTP 401');
    expect(dr.received[0]?.authorization).toBe('Bearer forged-token');
    expect(await platformCount()).toBe(count);
  });

  it('when parameters are missing, then a 400 page names them and nothing is fetched', async () => {
    const rt = await newRt();
    const none = await register({ rt });
    expectPage(none, 400, 'The registration request is incomplete');
    expect(none.text).toContain('openid_configuration, registration_token');
    const noToken = await register({ rt, openid_configuration: dr.configurationUrl });
    expectPage(noToken, 400, 'The registration request is incomplete');
    expect(noToken.text).toContain('registration_token');
    expect(dr.received).toHaveLength(0);
    expect(await links.isUsable(rt)).toBe(true); // nothing was attempted, so the link is not spent
  });

  it('when the configuration URL is not http(s), then it is refused with 400', async () => {
    expectPage(await register({ rt: await newRt(), openid_configuration: 'file:///etc/passwd', registration_token: 't' }), 400, "The LMS's configuration address cannot be used");
  });

  it('when the issuer is not the site the configuration came from, then it is refused with 403 and the token is never sent', async () => {
    dr.configuration = (cfg) => ({ ...cfg, issuer: 'https://moodle.elsewhere.example' });
    const res = await register(await withToken());
    expectPage(res, 403, "The LMS's configuration does not match its address");
    expect(dr.received).toHaveLength(0);
  });

  it('when the registration endpoint is on another site, then the token is not sent there', async () => {
    dr.configuration = (cfg) => ({ ...cfg, registration_endpoint: `http://localhost:${new URL(h.lms.url).port}/register-tool` });
    expectPage(await register(await withToken()), 403, "The LMS's registration address is on another site");
    expect(dr.received).toHaveLength(0);
  });

  it('when the configuration is not JSON, then a 502 page says so', async () => {
    dr.configuration = () => ({ status: 200, body: '<html><body>Moodle login page</body></html>', contentType: 'text/html' });
    expectPage(await register(await withToken()), 502, "The LMS's configuration is not JSON");
  });

  it('when the configuration lacks required fields, then a 502 page names them', async () => {
    dr.configuration = (cfg) => ({ ...cfg, jwks_uri: undefined, token_endpoint: 'not a url' });
    const res = await register(await withToken());
    expectPage(res, 502, "The LMS's configuration is incomplete");
    expect(res.text).toContain('token_endpoint is not a valid http(s) URL; jwks_uri missing');
  });

  it('when the configuration is huge, then the tool stops reading and refuses with 502', async () => {
    dr.configuration = (cfg) => ({ ...cfg, padding: 'x'.repeat(400 * 1024) });
    expectPage(await register(await withToken()), 502, "The LMS's configuration is too large");
  });

  it('when the configuration URL answers 404, then a 502 page says it could not be read, without the status', async () => {
    const res = await register(await withToken({ openid_configuration: `${h.lms.url}/no-such-configuration` }));
    expectPage(res, 502, "The LMS's configuration could not be read");
    expectNothingEchoed(res);
  });

  it('when the configuration URL answers with an error page, then its text never reaches the page', async () => {
    dr.configuration = () => ({ status: 403, body: SECRET_BODY, contentType: 'text/html' });
    const res = await register(await withToken());
    expectPage(res, 502, "The LMS's configuration could not be read");
    expectNothingEchoed(res, Number(new URL(h.lms.url).port));
  });

  it('when the configuration answers 200 with an HTML page, then its text never reaches the page either', async () => {
    dr.configuration = () => ({ status: 200, body: SECRET_BODY, contentType: 'text/html' });
    const res = await register(await withToken());
    expectPage(res, 502, "The LMS's configuration is not JSON");
    expectNothingEchoed(res);
  });

  it('when the configuration URL is unreachable, then a 502 page says so without the error code or port', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const res = await register({ rt: await newRt(), openid_configuration: `http://127.0.0.1:${port}/.well-known/openid-configuration`, registration_token: 't' });
    expectPage(res, 502, "The LMS's configuration could not be read");
    expectNothingEchoed(res, port);
  });

  it('when the configuration URL redirects to another host, then the redirect is not followed', async () => {
    const redirector = http.createServer((_req, res) => {
      res.writeHead(302, { Location: dr.configurationUrl.replace('127.0.0.1', 'localhost') });
      res.end();
    });
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = redirector.address() as AddressInfo;
      const res = await register({ rt: await newRt(), openid_configuration: `http://127.0.0.1:${port}/cfg`, registration_token: 't' });
      expectPage(res, 502, "The LMS's configuration could not be read");
      expect(res.text).not.toMatch(/redirected to|http:\/\/localhost/);
      expectNothingEchoed(res, port);
    } finally {
      redirector.closeAllConnections();
      await new Promise<void>((resolve) => redirector.close(() => resolve()));
    }
  });

  it('when the registration answer is not JSON, then a 502 page says so and nothing is stored', async () => {
    const count = await platformCount();
    dr.answer = () => ({ status: 200, body: '{"client_id": ' });
    expectPage(await register(await withToken()), 502, "The LMS's answer could not be understood");
    expect(dr.received).toHaveLength(1);
    expect(await platformCount()).toBe(count);
  });

  it('when the registration answer has no client id, then it is refused with 502', async () => {
    dr.answer = (reg) => ({ status: 200, body: { ...reg, client_id: undefined } });
    const res = await register(await withToken());
    expectPage(res, 502, "The LMS's answer could not be understood");
    expect(res.text).not.toContain('client_id missing');
  });

  it('when the LMS answers the registration with an error, then its text is not shown (the log has it)', async () => {
    dr.answer = () => ({ status: 400, body: { error: 'invalid_client_metadata', error_description: '<script>alert(1)</script>' } });
    const res = await register(await withToken());
    expectPage(res, 502, 'The LMS did not accept the registration');
    expect(res.text).not.toContain('invalid_client_metadata');
    expect(res.text).not.toContain('alert(1)');
    expectNothingEchoed(res);
  });

  it('when one address tries too often, then it gets 429 with Retry-After, and other addresses are not affected', async () => {
    const ip = '203.0.113.77';
    await awayFromWindowEdge();
    for (let i = 0; i < 10; i++) expect((await register({}, { ip })).status).toBe(403);
    const limited = await register(await withToken(), { ip });
    expectPage(limited, 429, 'Too many registration attempts');
    // Counted in the database in 10-minute windows: retry when this one ends.
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(600);
    expect(dr.received).toHaveLength(0);
    expect((await register({})).status).toBe(403);
  });

  it('when the browser prefers Latvian, then the refusal page is in Latvian', async () => {
    const res = await register({}, { lang: 'lv,en;q=0.5' });
    expectPage(res, 403, 'Šai reģistrācijai vajadzīga reģistrācijas saite');
    expect(res.text).toContain('<html lang="lv">');
  });

  it('when /register is POSTed to, then a 404 page answers (not ltijs JSON)', async () => {
    const res = await supertest(h.tool.url).post('/register').type('form').send({ openid_configuration: dr.configurationUrl });
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/text\/html/);
  });
});

describe('auto-activation and limits of the service', () => {
  it('when auto-activation is on, then a new LMS is active at once and can launch', async () => {
    const lms2 = await MockLms.start({ toolUrl: h.tool.url });
    try {
      const service = createDynamicRegistrationService(h.tool.platforms, links, { publicUrl: h.tool.url, autoActivate: true, allowHttp: true, allowedHosts: ['127.0.0.1'] });
      const result = await service.register(await newRt(), new URL(lms2.dynamicRegistration.configurationUrl), lms2.dynamicRegistration.issueToken());
      expect(result).toMatchObject({ pending: false, productFamilyCode: 'moodle', platform: { status: 'active', clientId: lms2.clientId, deploymentIds: ['1'] } });
      const launched = await lms2.launch({ role: 'Learner', user: { id: 'dr-student' }, context: { id: 'dr-c2' }, resourceLink: { id: 'dr-rl2' } });
      expect(launched.status).toBe(200);
    } finally {
      await lms2.stop();
    }
  });

  it('when an LMS never answers, then the request gives up after the timeout', async () => {
    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const started = Date.now();
      await expect(fetchLimited(new URL(`http://127.0.0.1:${port}/cfg`), { method: 'GET', headers: {} }, { timeoutMs: 300, maxBytes: 1000 }, { mayReachPrivate: () => true }))
        .rejects.toMatchObject({ failure: 'unreachable', message: 'no answer within 0.3 s' });
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('when DYNREG_ENABLED is false, then /register shows the "not available" page', async () => {
    const app = express();
    app.set('views', join(__dirname, '..', '..', '..', 'views'));
    app.set('view engine', 'ejs');
    app.use(localeMiddleware('en'));
    app.use(registrationRouter({
      features: { now: () => new Date(), defaultTimezone: 'UTC', log: createLogger('silent'), lti: {} as never, publicUrl: 'http://tool.example', signingKey: Buffer.alloc(32) },
      platforms: h.tool.platforms,
      settings: { enabled: false, autoActivate: false, allowedHosts: [], requestsPer10Minutes: 10 },
      production: false,
    }));
    app.use(errorHandler(createLogger('silent')));
    const res = await supertest(app).get('/register').query(await withToken());
    expect(res.status).toBe(404);
    expect(dr.received).toHaveLength(0);
  });
});
