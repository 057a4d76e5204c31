/**
 * The LMS simulator: a real LTI 1.3 platform (demo mode; the tests' mock LMS in
 * test/support/mock-lms.ts extends it with a programmatic launch()).
 *
 *   const lms = await LmsSimulator.start({ toolUrl });      // register lms.registration() in the tool
 *   lms.setMembers('course-1', [...]);
 *   open lms.embedUrl({ user: { id: 's1' } }) or lms.browserLaunchUrl(...) in a browser
 *
 * Endpoints: GET /jwks, GET|POST /auth (OIDC auth: answers an auto-submitting form_post page),
 * POST /token (client_credentials + tool-signed client_assertion checked against `${toolUrl}/keys`),
 * GET /nrps/<ctx>/memberships, AGS under /ags/<ctx>/lineitems?type_id=1 (see services.ts),
 * GET /return, POST /deeplinking/return, GET /start/<hint> (browser launch, see browserLaunchUrl),
 * GET /course/<hint> (a course page embedding the launch), plus `extraRoutes` (demo pages).
 */
import crypto, { type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type DeepLinkRequestRecord, type DeepLinkResponseRecord, MockDeepLinking } from './deep-linking';
import { DEFAULT_TEACHER, buildLaunchPayload } from './payload';
import { MockDynamicRegistration } from './registration';
import { type FailureKind, type GradebookRow, type ScoreRecord, type TokenRequestRecord, MockLmsServices } from './services';
import type { ExtraRoutes, LaunchOptions, LmsProfile, LmsSimulatorOptions, MockUser } from './types';
import { ALL_SCOPES, HttpError, escapeHtml, randomId, readForm, send, signJwt } from './util';

export type { ExtraRoutes, LaunchOptions, LmsSimulatorOptions, MockUser } from './types';
export type KeyPair = { privateKey: KeyObject; publicKey: KeyObject };

export class LmsSimulator {
  readonly url: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly deploymentId: string;
  readonly toolUrl: string;
  readonly profile: LmsProfile;
  /** LTI Dynamic Registration: configuration URL, registration tokens, what the tool sent. */
  readonly dynamicRegistration: MockDynamicRegistration;
  private readonly deepLinking: MockDeepLinking;
  private readonly extraRoutes: ExtraRoutes | undefined;
  private readonly services: MockLmsServices;
  protected readonly pending = new Map<string, { opts: LaunchOptions; loginHint: string }>();
  private otherKey: KeyObject | undefined;
  /** The id_token signing keys, newest (the one in use) last; `listed`: published at GET /jwks. */
  private readonly signingKeys: Array<{ kid: string; pair: KeyPair; listed: boolean }> = [];
  /** GET /jwks requests answered or held so far (tests count the tool's key fetches). */
  jwksFetches = 0;
  private jwksGate: Promise<void> | undefined;

  /** Use start() (or a subclass's start()): it binds the server first. */
  protected constructor(
    private readonly server: http.Server,
    private readonly keys: KeyPair,
    url: string,
    opts: LmsSimulatorOptions,
  ) {
    this.url = url;
    this.toolUrl = opts.toolUrl.replace(/\/+$/, '');
    this.issuer = opts.issuer ?? url;
    this.clientId = opts.clientId ?? randomId('client-', 4);
    this.deploymentId = opts.deploymentId ?? '1';
    this.signingKeys.push({ kid: randomId('mock-lms-', 8), pair: keys, listed: true });
    this.dynamicRegistration = new MockDynamicRegistration({ url, issuer: this.issuer, clientId: this.clientId, deploymentId: this.deploymentId });
    this.services = new MockLmsServices({
      baseUrl: url, clientId: this.clientId, toolUrl: this.toolUrl, tokenUrl: `${url}/token`, strictScores: opts.strictScores ?? false,
      profile: opts.profile,
    });
    this.profile = opts.profile ?? 'moodle';
    this.extraRoutes = opts.extraRoutes;
    this.deepLinking = new MockDeepLinking({
      issuer: this.issuer, clientId: this.clientId, verifyToolJwt: (token, options) => this.services.verifyToolJwt(token, options),
      profile: opts.profile,
    });
  }

  static async start(opts: LmsSimulatorOptions): Promise<LmsSimulator> {
    return LmsSimulator.listen(opts, (server, keys, url) => new LmsSimulator(server, keys, url, opts));
  }

  /** Binds the HTTP server, then builds the platform (of a subclass too) that answers on it. */
  protected static async listen<T extends LmsSimulator>(opts: LmsSimulatorOptions, make: (server: http.Server, keys: KeyPair, url: string) => T): Promise<T> {
    const keys = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const holder: { lms?: T } = {};
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
    holder.lms = make(server, keys, `http://${opts.publicHost ?? host}:${port}`);
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
    return {
      keys: this.signingKeys.filter((k) => k.listed).map((k) => ({ ...k.pair.publicKey.export({ format: 'jwk' }), kid: k.kid, alg: 'RS256', use: 'sig' })),
    };
  }
  /** The kid of the key that signs id_tokens now. */
  get kid(): string {
    return this.current.kid;
  }
  private get current(): { kid: string; pair: KeyPair; listed: boolean } {
    return this.signingKeys[this.signingKeys.length - 1] ?? { kid: '', pair: this.keys, listed: false };
  }
  /**
   * The LMS starts signing id_tokens with a new key pair. `keepOld` (default true, as real LMSs
   * do for a while): the previous keys stay published; false: only the new one is. `kid`: the
   * new key's kid (pass the current kid to change the key behind an unchanged kid). Returns it.
   */
  rotateSigningKey(opts: { keepOld?: boolean; kid?: string } = {}): string {
    const kid = opts.kid ?? randomId('mock-lms-', 8);
    for (const k of this.signingKeys) if (opts.keepOld === false || k.kid === kid) k.listed = false;
    this.signingKeys.push({ kid, pair: crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }), listed: true });
    return kid;
  }
  /** Stops publishing every key but the current one (the end of a rotation's overlap). */
  dropOldSigningKeys(): void {
    for (const k of this.signingKeys) k.listed = k === this.current;
  }
  /** GET /jwks waits until the returned function is called (to catch concurrent fetches). */
  holdJwks(): () => void {
    let release = (): void => undefined;
    this.jwksGate = new Promise<void>((resolve) => (release = resolve));
    return () => {
      this.jwksGate = undefined;
      release();
    };
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
  /** The platform's key changes: every access token issued so far is refused (Open edX: 403, Moodle: 401). */
  rotateKeys(): void {
    this.services.rotateKeys();
  }
  /** What the platform keeps of the last deep linking response (see MockDeepLinking.linkedItems). */
  get linkedItems(): Array<Record<string, unknown>> {
    return this.deepLinking.linkedItems;
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
      { url: this.url, issuer: this.issuer, clientId: this.clientId, deploymentId: this.deploymentId, toolUrl: this.toolUrl, services: this.services, profile: this.profile },
      opts,
    );
  }
  signIdToken(payload: Record<string, unknown>, header?: LaunchOptions['header'], signWith: 'platform' | 'otherKey' = 'platform'): string {
    const h: Record<string, unknown> = { alg: header?.alg ?? 'RS256', typ: 'JWT' };
    if (header?.kid !== null) h.kid = header?.kid ?? this.kid;
    if (signWith === 'otherKey') this.otherKey ??= crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    // A header kid naming one of this LMS's keys (an older one too) signs with that key; the newest (current) one under the same kid wins.
    const named = [...this.signingKeys].reverse().find((k) => k.kid === h.kid)?.pair ?? this.current.pair;
    const key = signWith === 'otherKey' && this.otherKey ? this.otherKey : named.privateKey;
    return signJwt(payload, h, key, named.publicKey);
  }

  // ---------------------------------------------------------------- browser launches
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
  protected registerPending(opts: LaunchOptions): string {
    const hint = randomId('hint-', 12);
    this.pending.set(hint, { opts, loginHint: opts.user?.id ?? DEFAULT_TEACHER.id });
    return hint;
  }
  protected loginUrl(hint: string): string {
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
  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    try {
      if (this.extraRoutes && (await this.extraRoutes(req, res, url))) return;
      if (url.pathname === '/jwks' && req.method === 'GET') {
        this.jwksFetches += 1;
        if (this.jwksGate) await this.jwksGate;
        return send(res, 200, this.jwks());
      }
      if (url.pathname === '/auth') return await this.authEndpoint(req, res, url);
      if (url.pathname === '/return') return send(res, 200, '<!doctype html><title>Mock LMS</title><p>Returned to LMS.</p>', 'text/html');
      if (url.pathname === '/deeplinking/return' && req.method === 'POST') return await this.deepLinking.handleReturn(req, res);
      const course = /^\/course\/([\w-]+)$/.exec(url.pathname);
      if (course?.[1] !== undefined && this.pending.has(course[1])) {
        const page =
          // The viewport meta, as every LMS theme has it: phones lay the page out at their own width.
          '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">' +
          '<title>Mock LMS course</title></head>' +
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
