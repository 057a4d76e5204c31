/**
 * Launches through the real LTI 1.3 flow with node:http keep-alive clients (no supertest, no
 * fetch: the generator shares the 2 cores with the tool, so each launch should cost it little).
 * A browser's four steps, cookies kept by hand per user (cookie-jar.ts):
 *   GET tool /login (state cookie) → GET LMS /auth (it signs the id_token and answers an
 *   auto-post form) → POST id_token + state to the tool's /launch (ltik redirect) → follow the
 *   redirect(s) on the tool to the role's home page, which must answer 200.
 */
import type { LaunchOptions } from '../../src/demo/lms-simulator/types';
import { parseAutoPostForm } from '../../src/demo/lms-simulator/util';
import type { BenchLms } from './bench-lms';
import { CookieJar } from './cookie-jar';
import type { HttpClient, Reply } from './http-load';

export interface StudentCredentials {
  userId: string;
  ltik: string;
  /** The Cookie header the user's browser sends to the tool's /activity/ pages. */
  cookie: string;
}

export interface Launcher {
  /** The tool, and the mock LMS (its /auth), each with keep-alive sockets. */
  tool: HttpClient;
  lmsClient: HttpClient;
  lms: BenchLms;
}

const isRedirect = (r: Reply) => r.status >= 300 && r.status < 400 && typeof r.location === 'string';
const pathOf = (u: URL) => u.pathname + u.search;

class LaunchError extends Error {
  constructor(step: string, r: Reply) {
    super(`${step} answered ${r.status} ${r.location ?? ''} ${r.body.replace(/\s+/g, ' ').slice(0, 200)}`);
  }
}

/** One launch; throws on any step that does not answer as the LTI flow requires. */
export async function launchLean(l: Launcher, userId: string, opts: LaunchOptions): Promise<StudentCredentials> {
  const jar = new CookieJar();
  const toolOrigin = new URL(l.lms.toolUrl).origin;
  const login = new URL(l.lms.loginUrlFor(opts));
  const first = await l.tool.request('GET', pathOf(login), {});
  jar.take(first.setCookie);
  const auth = isRedirect(first) ? new URL(first.location as string, login) : undefined;
  if (!auth || auth.origin !== new URL(l.lms.url).origin || auth.pathname !== '/auth') throw new LaunchError('tool /login', first);

  // The id_token (about 2 kB) must arrive whole: read the whole page.
  const authPage = await l.lmsClient.request('GET', pathOf(auth), {}, undefined, 64_000);
  const form = authPage.status === 200 ? parseAutoPostForm(authPage.body) : null;
  const idToken = form?.fields.id_token;
  if (!form || idToken === undefined) throw new LaunchError('mock LMS /auth', authPage);

  const action = new URL(form.action);
  const body = new URLSearchParams({ id_token: idToken, state: form.fields.state ?? '' }).toString();
  const post = await l.tool.request('POST', pathOf(action), { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header(action.pathname) }, body);
  jar.take(post.setCookie);
  let target = isRedirect(post) ? new URL(post.location as string, action) : undefined;
  const ltik = target?.searchParams.get('ltik');
  if (!target || !ltik) throw new LaunchError('tool /launch (id_token POST)', post);

  // ltijs hands the launch to the tool on the first GET; the tool records it and redirects to the role's home.
  let page = await l.tool.request('GET', pathOf(target), { cookie: jar.header(target.pathname) });
  for (let hops = 0; hops < 5 && isRedirect(page); hops++) {
    jar.take(page.setCookie);
    const next: URL = new URL(page.location as string, target);
    if (next.origin !== toolOrigin) break;
    target = next;
    page = await l.tool.request('GET', pathOf(target), { cookie: jar.header(target.pathname) });
  }
  jar.take(page.setCookie);
  if (page.status !== 200) throw new LaunchError(`the launch's landing (${target.pathname})`, page);
  const cookie = jar.header('/activity/');
  if (!cookie) throw new Error(`launch of ${userId} left no cookie for /activity/`);
  return { userId, ltik, cookie };
}

/** A learner's launch options (names as the LMS would send them). */
export const learner = (userId: string, contextId: string, resourceLinkId: string): LaunchOptions => ({
  role: 'Learner', context: { id: contextId, label: contextId.toUpperCase(), title: `Course ${contextId}` }, resourceLink: { id: resourceLinkId, title: 'Attendance' },
  user: { id: userId, givenName: 'Student', familyName: userId },
});

/** A launch as a Reply (status 200 when every step was right), so measure() can time and count it. */
export async function launchAsReply(l: Launcher, userId: string, opts: LaunchOptions, out: (c: StudentCredentials) => void): Promise<Reply> {
  const start = performance.now();
  try {
    out(await launchLean(l, userId, opts));
    return { status: 200, body: '', ms: performance.now() - start };
  } catch (err) {
    return { status: 0, body: `launch of ${userId}: ${err instanceof Error ? err.message : String(err)}`, ms: performance.now() - start };
  }
}
