/**
 * Students and load for the cluster test: launches through the proxy with limited concurrency
 * (each student keeps the ltik and cookies of a real LTI launch), and a lean keep-alive https
 * client that keeps N check-ins in flight.
 */
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import type supertest from 'supertest';
import { runPool } from '../../../bench/support/http-load';
import type { LaunchOptions, MockLms } from '../../support/mock-lms';
import { parseAutoPostForm } from '../../support/mock-lms';

export interface StudentKey {
  userId: string;
  ltik: string;
  /** The Cookie header the student's browser would send to the tool. */
  cookie: string;
}

type Jar = { getCookies(access: { domain: string; path: string; secure: boolean; script: boolean }): { toValueString(): string } };

/** What the mock LMS keeps for a launch it is about to start (protected there; the browser flow's first step). */
type LaunchStarter = { registerPending(opts: LaunchOptions): string; loginUrl(hint: string): string };

const cookiesOf = (headers: Record<string, string | string[] | undefined>): string[] =>
  ([] as string[]).concat(headers['set-cookie'] ?? []).map((c) => c.split(';')[0] ?? '').filter((c) => c !== '');

/**
 * One student's launch through the proxy, as lean as the protocol allows: GET /login (the state
 * cookie), the LMS signs the id_token (/auth), POST it to /launch: the tool validates it and
 * answers with the ltik; GET that redirect (the tool records the launch). The home page it then
 * redirects to is not fetched (it adds nothing to the student's credentials). Keep-alive https, no supertest: the generator shares 2 cores.
 */
async function launchLean(lms: MockLms, client: HttpsClient, opts: LaunchOptions): Promise<{ ltik: string; cookie: string }> {
  const starter = lms as unknown as LaunchStarter;
  const login = new URL(starter.loginUrl(starter.registerPending(opts)));
  const first = await client.request('GET', login.pathname + login.search, {});
  if (first.status !== 302 || !first.location) throw new Error(`/login answered ${first.status}`);
  const cookies = cookiesOf(first.headers);
  const auth = await fetch(first.location, { redirect: 'manual' });
  const form = parseAutoPostForm(await auth.text());
  if (!form || form.fields.id_token === undefined) throw new Error(`the mock LMS refused the authentication request: ${auth.status}`);
  const body = new URLSearchParams({ id_token: form.fields.id_token, state: form.fields.state ?? '' }).toString();
  const post = await client.request('POST', new URL(form.action).pathname, { 'content-type': 'application/x-www-form-urlencoded', cookie: cookies.join('; ') }, body);
  const target = post.location ? new URL(post.location, form.action) : undefined;
  const ltik = target?.searchParams.get('ltik');
  if (!target || !ltik) throw new Error(`the id_token POST answered ${post.status} without an ltik`);
  // ltijs hands the launch to the tool on this GET (the tool records the student, then sends
  // them on to their home page, which is not fetched).
  const cookie = [...cookies, ...cookiesOf(post.headers)].join('; ');
  const landed = await client.request('GET', target.pathname + target.search, { cookie });
  if (landed.status !== 303 && landed.status !== 302 && landed.status !== 200) throw new Error(`the launch's landing answered ${landed.status}`);
  return { ltik, cookie: [cookie, ...cookiesOf(landed.headers)].filter((c) => c !== '').join('; ') };
}

/** Launches `count` students (ids `${prefix}-0001`…) through the proxy, `concurrency` at a time. */
export async function launchStudents(
  lms: MockLms, client: HttpsClient,
  opts: { count: number; concurrency: number; contextId: string; prefix: string },
): Promise<StudentKey[]> {
  const ids = Array.from({ length: opts.count }, (_, i) => `${opts.prefix}-${String(i + 1).padStart(4, '0')}`);
  const out: StudentKey[] = new Array(ids.length);
  await runPool(ids, opts.concurrency, async (userId, i) => {
    const r = await launchLean(lms, client, {
      role: 'Learner', context: { id: opts.contextId }, resourceLink: { id: 'rl1' }, user: { id: userId, givenName: 'Student', familyName: userId },
    });
    out[i] = { userId, ...r };
  });
  return out;
}

export interface StepUpstreams {
  /** The instance that answered /login, the id_token POST, and the first page the launch led to. */
  login: string; launch: string; page: string;
}

/**
 * One launch done step by step, so that each step's answer is seen: which instance served the
 * /login, the id_token POST and the page it leads to (X-Upstream from the test's nginx).
 */
export async function launchStepByStep(lms: MockLms, agent: supertest.Agent, opts: LaunchOptions): Promise<{ ltik: string; page: supertest.Response; upstreams: StepUpstreams }> {
  const login = await lms.startLogin(agent, opts);
  const auth = await fetch(login.authUrl, { redirect: 'manual' });
  const form = parseAutoPostForm(await auth.text());
  const idToken = form?.fields.id_token;
  if (!form || idToken === undefined) throw new Error(`the mock LMS refused the authentication request: ${auth.status}`);
  const action = new URL(form.action);
  const post = await agent.post(action.pathname).type('form').send({ id_token: idToken, state: form.fields.state ?? '' });
  const location = String(post.headers.location ?? '');
  const ltik = new URL(location, action).searchParams.get('ltik');
  if (post.status !== 302 && post.status !== 303) throw new Error(`the id_token POST answered ${post.status}: ${post.text.slice(0, 300)}`);
  if (!ltik) throw new Error(`the id_token POST did not redirect with an ltik: ${location}`);
  // The redirect leads to the tool's entry page, which may redirect again (to the role's home).
  let target = new URL(location, action);
  const first = await agent.get(target.pathname + target.search);
  let page = first;
  for (let hops = 0; hops < 5 && page.status >= 300 && page.status < 400 && page.headers.location; hops++) {
    target = new URL(String(page.headers.location), target);
    page = await agent.get(target.pathname + target.search);
  }
  return {
    ltik, page,
    upstreams: { login: String(login.res.headers['x-upstream']), launch: String(post.headers['x-upstream']), page: String(first.headers['x-upstream']) },
  };
}

export interface Reply {
  status: number;
  location?: string;
  headers: Record<string, string | string[] | undefined>;
  /** nginx's X-Upstream: the instance(s) tried, e.g. "127.0.0.1:4001" or "127.0.0.1:4003, 127.0.0.1:4001". */
  upstream: string;
  /** Network error code when no HTTP answer came. */
  error?: string;
  ms: number;
}

export interface HttpsClient {
  request(method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: string): Promise<Reply>;
  post(path: string, headers: Record<string, string>, body: string): Promise<Reply>;
  close(): void;
}

/** node:https with keep-alive sockets (cheaper per request than supertest), trusting `ca`. */
export function httpsClient(baseUrl: string, ca: string, sockets: number): HttpsClient {
  const base = new URL(baseUrl);
  const agent = new https.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets, ca });
  const request: HttpsClient['request'] = (method, path, headers, body) => {
    const start = performance.now();
    const failed = (err: NodeJS.ErrnoException): Reply => ({ status: 0, headers: {}, upstream: '', error: err.code ?? String(err), ms: performance.now() - start });
    return new Promise((resolve) => {
      const req = https.request(
        { host: base.hostname, port: base.port, method, path, agent, headers: body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          res.on('end', () => resolve({
            status: res.statusCode ?? 0, location: res.headers.location, headers: res.headers, upstream: String(res.headers['x-upstream'] ?? ''), ms: performance.now() - start,
          }));
          res.on('error', (err: NodeJS.ErrnoException) => resolve(failed(err)));
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => resolve(failed(err)));
      req.end(body);
    });
  };
  return {
    request,
    post: (path, headers, body) => request('POST', path, headers, body),
    close: () => agent.destroy(),
  };
}

export interface CheckInRun {
  wallMs: number;
  replies: Reply[];
  /** Students whose first answer was not a 303 and who sent the form again. */
  retried: number;
}

/**
 * Every student POSTs the password form once, `inFlight` at a time. A student whose request got
 * no answer or a 502 (it died with an instance) sends it again, as a person would, up to 3 times.
 */
export async function checkInBurst(
  client: HttpsClient, students: readonly StudentKey[], path: string, code: string, inFlight: number,
  onSent?: (count: number) => void,
): Promise<CheckInRun> {
  const replies: Reply[] = new Array(students.length);
  let sent = 0;
  let retried = 0;
  const start = performance.now();
  await runPool(students, inFlight, async (s, i) => {
    const body = new URLSearchParams({ ltik: s.ltik, code }).toString();
    const headers = { 'content-type': 'application/x-www-form-urlencoded', cookie: s.cookie };
    let reply = await client.post(path, headers, body);
    onSent?.(++sent);
    for (let attempt = 1; attempt < 3 && (reply.status === 502 || reply.status === 0); attempt++) {
      if (attempt === 1) retried++;
      reply = await client.post(path, headers, body);
    }
    replies[i] = reply;
  });
  return { wallMs: performance.now() - start, replies, retried };
}
