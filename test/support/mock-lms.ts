/**
 * The tests' mock LMS: the LMS simulator (src/demo/lms-simulator, a real LTI 1.3 platform that
 * demo mode ships too) plus a programmatic, supertest-driven launch() for integration tests.
 *
 *   const lms = await MockLms.start({ toolUrl });          // register lms.registration() in the tool
 *   lms.setMembers('course-1', [...]);
 *   const { agent, ltik, status } = await lms.launch({ role: 'Learner', user: { id: 's1' } });
 *   ...
 *   await lms.stop();
 *
 * Endpoints: see src/demo/lms-simulator/simulator.ts.
 */
import supertest from 'supertest';
import { LmsSimulator } from '../../src/demo/lms-simulator/simulator';
import type { LaunchOptions, LmsSimulatorOptions, MockUser } from '../../src/demo/lms-simulator/types';
import { decodeJwt, parseAutoPostForm, str } from '../../src/demo/lms-simulator/util';

export { DEFAULT_CONTEXT, DEFAULT_RESOURCE_LINK, DEFAULT_TEACHER } from '../../src/demo/lms-simulator/payload';
export { CLAIM, LIS_MEMBERSHIP, SCOPE, fullRole, shortRole, parseAutoPostForm, decodeJwt } from '../../src/demo/lms-simulator/util';
export type { FailureKind, GradebookRow, ScoreRecord, TokenRequestRecord } from '../../src/demo/lms-simulator/services';
export type { DeepLinkRequestRecord, DeepLinkResponseRecord } from '../../src/demo/lms-simulator/deep-linking';
export type { LaunchOptions, LmsProfile, MockUser } from '../../src/demo/lms-simulator/types';
export type MockLmsOptions = LmsSimulatorOptions;

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
/** `count` users `${prefix}-1..n` with the given role, e.g. makeUsers(7) -> 7 learners. */
export function makeUsers(count: number, role = 'Learner', prefix = 'student'): MockUser[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-${i + 1}`, givenName: `${prefix[0]?.toUpperCase() ?? ''}${prefix.slice(1)}`, familyName: `Number${i + 1}`,
    email: `${prefix}${i + 1}@example.com`, username: `${prefix}${i + 1}`, sourcedId: `ID-${prefix}${i + 1}`, roles: [role],
    status: 'Active' as const,
  }));
}

const isRedirect = (r: supertest.Response): boolean => r.status >= 300 && r.status < 400 && typeof r.headers.location === 'string';

export class MockLms extends LmsSimulator {
  static override async start(opts: MockLmsOptions): Promise<MockLms> {
    return LmsSimulator.listen(opts, (server, keys, url) => new MockLms(server, keys, url, opts));
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

  // ---------------------------------------------------------------- internals
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
}
