/**
 * A real HTTP mock LMS (LTI 1.3 platform side) for integration tests and demo mode.
 *
 *   const lms = await MockLms.start({ toolUrl });          // register lms.registration() in the tool
 *   lms.setMembers('course-1', [...]);
 *   const { agent, ltik, status } = await lms.launch({ role: 'Learner', user: { id: 's1' } });
 *   ...
 *   await lms.stop();
 *
 * Endpoints: GET /jwks, GET|POST /auth (OIDC auth: answers an auto-submitting form_post page),
 * POST /token (client_credentials + tool-signed client_assertion checked against `${toolUrl}/keys`),
 * GET /nrps/<ctx>/memberships, AGS under /ags/<ctx>/lineitems?type_id=1 (see mock-lms-services.ts),
 * GET /return, POST /deeplinking/return, GET /start/<hint> (browser launch, see browserLaunchUrl).
 */
import crypto, { type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import supertest from 'supertest';
import { type DeepLinkRequestRecord, type DeepLinkResponseRecord, MockDeepLinking } from './mock-lms-deep-linking';
import { DEFAULT_TEACHER, buildLaunchPayload } from './mock-lms-payload';
import { MockDynamicRegistration } from './mock-lms-registration';
import { type FailureKind, type GradebookRow, type ScoreRecord, type TokenRequestRecord, MockLmsServices } from './mock-lms-services';
import {
  ALL_SCOPES, HttpError, decodeJwt, escapeHtml, parseAutoPostForm, randomId, readForm, send, signJwt, str,
} from './mock-lms-util';

export { DEFAULT_CONTEXT, DEFAULT_RESOURCE_LINK, DEFAULT_TEACHER } from './mock-lms-payload';
export { CLAIM, LIS_MEMBERSHIP, SCOPE, fullRole, shortRole, parseAutoPostForm, decodeJwt } from './mock-lms-util';
export type { FailureKind, GradebookRow, ScoreRecord, TokenRequestRecord } from './mock-lms-services';
export type { DeepLinkRequestRecord, DeepLinkResponseRecord } from './mock-lms-deep-linking';

export interface MockUser {
  id: string; givenName: string; familyName: string; email?: string; username?: string; sourcedId?: string;
  roles: string[]; status?: 'Active' | 'Inactive';
}
export interface LaunchOptions {
  /** default: teacher 'teacher-1'; missing fields come from the context's member with that id, if any */
  user?: Partial<MockUser> & { id?: string };
  /** 'Instructor' | 'Learner' | 'Mentor' | full URI | '' (gives [""]) */
  role?: string;
  /** exact roles claim; null = claim omitted */
  roles?: string[] | null;
  context?: { id: string; label?: string; title?: string } | null;
  resourceLink?: { id: string; title?: string; description?: string } | null;
  locale?: string;
  deploymentId?: string;
  messageType?: string;
  custom?: Record<string, string>;
  /** merged over the payload (a value of undefined deletes the claim) */
  claims?: Record<string, unknown>;
  mutate?: (payload: Record<string, unknown>) => void;
  header?: { kid?: string | null; alg?: string };
  signWith?: 'platform' | 'otherKey';
  iatOffsetSeconds?: number;
  nonce?: string;
  /** (extra) target_link_uri for /login and the id_token; default `${toolUrl}/launch` */
  targetLinkUri?: string;
  /** (extra) overrides of the /login query (iss, client_id, login_hint, ...); null removes a parameter */
  login?: Record<string, string | null>;
}
export interface PostResult {
  agent: supertest.Agent; status: number; res: supertest.Response; ltik?: string; location?: string;
}
export interface LaunchResult extends PostResult {
  idToken: string; payload: Record<string, unknown>; state?: string; nonce?: string;
}
export interface LoginStart {
  agent: supertest.Agent; res: supertest.Response; state: string; nonce: string; redirectUri: string;
  authUrl: string; messageHint: string;
}
export interface MockLmsOptions {
  toolUrl: string; clientId?: string; deploymentId?: string; issuer?: string;
  /** (extra) listen port/host, default 0 / 127.0.0.1 */
  port?: number; host?: string;
  /** (extra) reject scores (422, like Canvas) for users who are not Learner members of the context */
  strictScores?: boolean;
}

/** `count` users `${prefix}-1..n` with the given role, e.g. makeUsers(7) -> 7 learners. */
export function makeUsers(count: number, role = 'Learner', prefix = 'student'): MockUser[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-${i + 1}`, givenName: `${prefix[0]?.toUpperCase() ?? ''}${prefix.slice(1)}`, familyName: `Number${i + 1}`,
    email: `${prefix}${i + 1}@example.com`, username: `${prefix}${i + 1}`, sourcedId: `ID-${prefix}${i + 1}`, roles: [role],
    status: 'Active' as const,
  }));
}

const isRedirect = (r: supertest.Response): boolean => r.status >= 300 && r.status < 400 && typeof r.headers.location === 'string';

export class MockLms {
  readonly url: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly deploymentId: string;
  readonly kid: string;
  readonly toolUrl: string;
  /** LTI Dynamic Registration: configuration URL, registration tokens, what the tool sent. */
  readonly dynamicRegistration: MockDynamicRegistration;
  private readonly deepLinking: MockDeepLinking;
  private readonly services: MockLmsServices;
  private readonly pending = new Map<string, { opts: LaunchOptions; loginHint: string }>();
  private otherKey: KeyObject | undefined;

  private constructor(
    private readonly server: http.Server,
    private readonly keys: { privateKey: KeyObject; publicKey: KeyObject },
    url: string,
    opts: MockLmsOptions,
  ) {
    this.url = url;
    this.toolUrl = opts.toolUrl.replace(/\/+$/, '');
    this.issuer = opts.issuer ?? url;
    this.clientId = opts.clientId ?? randomId('client-', 4);
    this.deploymentId = opts.deploymentId ?? '1';
    this.kid = randomId('mock-lms-', 8);
    this.dynamicRegistration = new MockDynamicRegistration({ url, issuer: this.issuer, clientId: this.clientId, deploymentId: this.deploymentId });
    this.services = new MockLmsServices({
      baseUrl: url, clientId: this.clientId, toolUrl: this.toolUrl, tokenUrl: `${url}/token`, strictScores: opts.strictScores ?? false,
    });
    this.deepLinking = new MockDeepLinking({
      issuer: this.issuer, clientId: this.clientId, verifyToolJwt: (token, options) => this.services.verifyToolJwt(token, options),
    });
  }

  static async start(opts: MockLmsOptions): Promise<MockLms> {
    const keys = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const holder: { lms?: MockLms } = {};
    const server = http.createServer((req, res) => {
      if (holder.lms) void holder.lms.route(req, res);
      else send(res, 503, { error: 'starting' });
    });
    const host = opts.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    holder.lms = new MockLms(server, keys, `http://${host}:${port}`, opts);
    return holder.lms;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // ---------------------------------------------------------------- platform data
  registration(): { issuer: string; clientId: string; name: string; authUrl: string; tokenUrl: string; jwksUrl: string; deploymentIds: string[] } {
    return {
      issuer: this.issuer, clientId: this.clientId, name: 'Mock LMS', authUrl: `${this.url}/auth`, tokenUrl: `${this.url}/token`,
      jwksUrl: `${this.url}/jwks`, deploymentIds: [this.deploymentId],
    };
  }
  jwks(): { keys: object[] } {
    return { keys: [{ ...this.keys.publicKey.export({ format: 'jwk' }), kid: this.kid, alg: 'RS256', use: 'sig' }] };
  }
  setMembers(contextId: string, members: MockUser[], context?: { label?: string; title?: string }): void {
    this.services.rememberContext({ id: contextId, ...context });
    this.services.members.set(contextId, members.map((m) => ({ ...m, roles: [...m.roles] })));
  }
  addMember(contextId: string, member: MockUser): void {
    this.setMembers(contextId, [...(this.services.members.get(contextId) ?? []).filter((m) => m.id !== member.id), member]);
  }
  members(contextId: string): MockUser[] {
    return [...(this.services.members.get(contextId) ?? [])];
  }
  get tokenRequests(): TokenRequestRecord[] {
    return this.services.tokenRequests;
  }
  get scores(): ScoreRecord[] {
    return this.services.scores;
  }
  /** Line items (AGS JSON with `id` URL) of one context, or of all contexts. */
  lineItems(contextId?: string): Array<Record<string, unknown>> {
    return this.services.lineItems(contextId);
  }
  /** Latest result per user and line item; resultScore scaled to the line item's scoreMaximum like Moodle. */
  gradebook(contextId: string): GradebookRow[] {
    return this.services.gradebook(contextId);
  }
  /** A bearer token for calling the service endpoints directly (default: every scope). */
  issueAccessToken(scopes: string | string[] = ALL_SCOPES): string {
    return this.services.issueAccessToken(typeof scopes === 'string' ? scopes.split(' ') : scopes);
  }
  /** Make the next `times` calls of a service answer `status` (e.g. 503) to test the tool's error handling. */
  failNext(kind: FailureKind, status = 503, times = 1): void {
    this.services.failNext(kind, status, times);
  }
  /** Make the next `times` calls of a service ('ags' | 'scores') wait `ms` before answering (timeouts). */
  stallNext(kind: FailureKind, ms = 1000, times = 1): void {
    this.services.stallNext(kind, ms, times);
  }
  /** Deep linking responses POSTed back by the tool to deep_link_return_url, checked (see DeepLinkResponseRecord). */
  get deepLinkResponses(): DeepLinkResponseRecord[] {
    return this.deepLinking.responses;
  }
  /** Deep linking requests this LMS signed (deployment id and `data`): responses must match one. */
  get deepLinkRequests(): DeepLinkRequestRecord[] {
    return this.deepLinking.requests;
  }
  /** Empties tokenRequests, scores and deepLinkResponses. */
  resetTraffic(): void {
    this.services.tokenRequests.length = 0;
    this.services.scores.length = 0;
    this.deepLinkResponses.length = 0;
  }

  // ---------------------------------------------------------------- id_tokens
  buildPayload(opts: LaunchOptions & { nonce: string }): Record<string, unknown> {
    return buildLaunchPayload(
      { url: this.url, issuer: this.issuer, clientId: this.clientId, deploymentId: this.deploymentId, toolUrl: this.toolUrl, services: this.services },
      opts,
    );
  }
  signIdToken(payload: Record<string, unknown>, header?: LaunchOptions['header'], signWith: 'platform' | 'otherKey' = 'platform'): string {
    const h: Record<string, unknown> = { alg: header?.alg ?? 'RS256', typ: 'JWT' };
    if (header?.kid !== null) h.kid = header?.kid ?? this.kid;
    if (signWith === 'otherKey') this.otherKey ??= crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const key = signWith === 'otherKey' && this.otherKey ? this.otherKey : this.keys.privateKey;
    return signJwt(payload, h, key, this.keys.publicKey);
  }

  // ---------------------------------------------------------------- browser-like flows (tool side)
  /** Full launch: /login -> real GET /auth -> POST id_token+state -> follow the ltik redirect. */
  async launch(opts: LaunchOptions = {}, agent?: supertest.Agent): Promise<LaunchResult> {
    const login = await this.loginStep(agent, opts);
    if (!login.authUrl) return { agent: login.agent, status: login.res.status, res: login.res, idToken: '', payload: {} };
    const authRes = await fetch(login.authUrl, { redirect: 'manual' });
    const html = await authRes.text();
    const form = authRes.status === 200 ? parseAutoPostForm(html) : null;
    const idToken = form?.fields.id_token;
    if (!form || idToken === undefined) {
      throw new Error(`mock LMS /auth refused the tool's authentication request (${authRes.status}): ${html}`);
    }
    const state = form.fields.state;
    const post = await this.postIdToken(login.agent, idToken, state, form.action);
    const payload = decodeJwt(idToken).payload;
    return { ...post, idToken, payload, state, nonce: str(payload.nonce) };
  }

  /** Only the /login step: returns the state/nonce/redirect_uri the tool sent to /auth (which is not called). */
  async startLogin(agent?: supertest.Agent, opts: LaunchOptions = {}): Promise<LoginStart> {
    const login = await this.loginStep(agent, opts);
    const q = login.authUrl ? new URL(login.authUrl).searchParams : undefined;
    const state = q?.get('state'), nonce = q?.get('nonce'), redirectUri = q?.get('redirect_uri');
    if (!login.authUrl || !state || !nonce || !redirectUri) {
      throw new Error(`tool /login did not redirect to ${this.url}/auth with state, nonce and redirect_uri: ${login.res.status} ${login.res.headers.location ?? login.res.text}`);
    }
    return { agent: login.agent, res: login.res, state, nonce, redirectUri, authUrl: login.authUrl, messageHint: login.messageHint };
  }

  /** POSTs id_token (+ state unless undefined) to `action` (default `${toolUrl}/launch`) and follows an ltik redirect. */
  async postIdToken(agent: supertest.Agent | undefined, idToken: string, state?: string, action?: string): Promise<PostResult> {
    const a = agent ?? supertest.agent(this.toolUrl);
    const target = action ?? `${this.toolUrl}/launch`;
    const form: Record<string, string> = { id_token: idToken };
    if (state !== undefined) form.state = state;
    const res = await this.request(a, 'post', target).type('form').send(form);
    const location = isRedirect(res) ? String(res.headers.location) : undefined;
    if (location === undefined || !/[?&]ltik=/.test(location)) return { agent: a, status: res.status, res, location };
    let current = new URL(location, target);
    const ltik = current.searchParams.get('ltik') ?? undefined;
    const toolOrigin = new URL(this.toolUrl).origin;
    let final = await this.request(a, 'get', current.href);
    for (let hops = 0; hops < 5 && isRedirect(final); hops++) {
      const next = new URL(String(final.headers.location), current);
      if (next.origin !== toolOrigin) break;
      current = next;
      final = await this.request(a, 'get', current.href);
    }
    return { agent: a, status: final.status, res: final, ltik, location };
  }

  /** A URL to open in a real browser: it starts an LMS-initiated launch of the tool (demo mode). */
  browserLaunchUrl(opts: LaunchOptions = {}): string {
    const hint = this.registerPending(opts);
    return `${this.url}/start/${hint}`;
  }

  /** A course page of the mock LMS that embeds the launch in an iframe, as Moodle does. */
  embedUrl(opts: LaunchOptions = {}): string {
    const hint = this.registerPending(opts);
    return `${this.url}/course/${hint}`;
  }

  // ---------------------------------------------------------------- internals
  private registerPending(opts: LaunchOptions): string {
    const hint = randomId('hint-', 12);
    this.pending.set(hint, { opts, loginHint: opts.user?.id ?? DEFAULT_TEACHER.id });
    return hint;
  }
  private loginUrl(hint: string): string {
    const entry = this.pending.get(hint);
    const opts = entry?.opts ?? {};
    const q: Record<string, string> = {
      iss: this.issuer, login_hint: entry?.loginHint ?? DEFAULT_TEACHER.id, target_link_uri: opts.targetLinkUri ?? `${this.toolUrl}/launch`,
      client_id: this.clientId, lti_deployment_id: opts.deploymentId ?? this.deploymentId, lti_message_hint: hint,
    };
    for (const [k, v] of Object.entries(opts.login ?? {})) {
      if (v === null) delete q[k];
      else q[k] = v;
    }
    return `${this.toolUrl}/login?${new URLSearchParams(q).toString()}`;
  }
  private async loginStep(agent: supertest.Agent | undefined, opts: LaunchOptions): Promise<{ agent: supertest.Agent; res: supertest.Response; authUrl?: string; messageHint: string }> {
    const a = agent ?? supertest.agent(this.toolUrl);
    const messageHint = this.registerPending(opts);
    const loginUrl = this.loginUrl(messageHint);
    const res = await this.request(a, 'get', loginUrl);
    if (!isRedirect(res)) return { agent: a, res, messageHint };
    const auth = new URL(String(res.headers.location), loginUrl);
    const isAuth = auth.origin === new URL(this.url).origin && auth.pathname === '/auth';
    return { agent: a, res, authUrl: isAuth ? auth.href : undefined, messageHint };
  }
  /** A request through the agent's cookie jar to an absolute URL (the agent is bound to a base URL). */
  private request(agent: supertest.Agent, method: 'get' | 'post', target: string): supertest.Test {
    const app = (agent as unknown as { app?: unknown }).app;
    const base = typeof app === 'string' ? app : this.toolUrl;
    if (target.startsWith(base) && /^([/?#]|$)/.test(target.slice(base.length))) return agent[method](target.slice(base.length));
    const u = new URL(target);
    const t = new supertest.Test(u.origin, method.toUpperCase(), u.pathname + u.search);
    const jar = agent as unknown as { _attachCookies(r: unknown): void; _saveCookies(r: unknown): void };
    t.on('response', (r: unknown) => jar._saveCookies(r));
    jar._attachCookies(t);
    return t;
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    try {
      if (url.pathname === '/jwks' && req.method === 'GET') return send(res, 200, this.jwks());
      if (url.pathname === '/auth') return await this.authEndpoint(req, res, url);
      if (url.pathname === '/return') return send(res, 200, '<!doctype html><title>Mock LMS</title><p>Returned to LMS.</p>', 'text/html');
      if (url.pathname === '/deeplinking/return' && req.method === 'POST') return await this.deepLinking.handleReturn(req, res);
      const course = /^\/course\/([\w-]+)$/.exec(url.pathname);
      if (course?.[1] !== undefined && this.pending.has(course[1])) {
        const page =
          '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Mock LMS course</title></head>' +
          '<body><h1>ATT101 course page</h1>' +
          `<iframe id="tool" title="LTI Attendance" src="/start/${course[1]}" style="width:100%;height:640px;border:1px solid #ccc"></iframe>` +
          '</body></html>';
        return send(res, 200, page, 'text/html');
      }
      const start = /^\/start\/([\w-]+)$/.exec(url.pathname);
      if (start?.[1] !== undefined && this.pending.has(start[1])) {
        res.writeHead(302, { Location: this.loginUrl(start[1]) });
        return void res.end();
      }
      if (await this.services.handle(req, res, url)) return;
      if (await this.dynamicRegistration.handle(req, res, url)) return;
      throw new HttpError(404, { error: 'not_found' });
    } catch (e) {
      if (res.headersSent) return void res.end();
      if (e instanceof HttpError) send(res, e.status, e.body);
      else send(res, 500, { error: 'server_error', error_description: (e as Error).message });
    }
  }

  /** OIDC authentication endpoint: validates the tool's request and answers the form_post page. */
  private async authEndpoint(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const p = req.method === 'POST' ? await readForm(req) : url.searchParams;
    const get = (k: string): string => p.get(k) ?? '';
    const problems: string[] = [];
    if (get('response_type') !== 'id_token') problems.push('response_type must be id_token');
    if (!get('scope').split(' ').includes('openid')) problems.push('scope must be openid');
    if (get('response_mode') !== 'form_post') problems.push('response_mode must be form_post');
    if (get('prompt') !== 'none') problems.push('prompt must be none');
    if (get('client_id') !== this.clientId) problems.push(`unknown client_id ${get('client_id')}`);
    const redirectUri = get('redirect_uri');
    if (!redirectUri) problems.push('redirect_uri missing');
    else if (!URL.canParse(redirectUri) || new URL(redirectUri).origin !== new URL(this.toolUrl).origin) problems.push('redirect_uri not registered');
    if (!get('state')) problems.push('state missing');
    if (!get('nonce')) problems.push('nonce missing');
    const pending = this.pending.get(get('lti_message_hint'));
    if (!pending) problems.push('lti_message_hint does not match a pending launch');
    else if (get('login_hint') !== pending.loginHint) problems.push('login_hint does not match the launching user');
    if (problems.length > 0 || !pending) throw new HttpError(400, { error: 'invalid_request', error_description: problems.join('; ') });
    const { opts } = pending;
    const payload = this.buildPayload({ ...opts, nonce: opts.nonce ?? get('nonce') });
    this.deepLinking.rememberRequest(payload);
    const idToken = this.signIdToken(payload, opts.header, opts.signWith);
    const html =
      '<!doctype html><html><head><title>Mock LMS launch</title></head><body>' +
      `<form id="lti_launch" method="post" action="${escapeHtml(redirectUri)}">` +
      `<input type="hidden" name="id_token" value="${escapeHtml(idToken)}">` +
      `<input type="hidden" name="state" value="${escapeHtml(get('state'))}">` +
      '<noscript><button type="submit">Continue</button></noscript></form>' +
      "<script>document.getElementById('lti_launch').submit();</script></body></html>";
    send(res, 200, html, 'text/html');
  }
}
