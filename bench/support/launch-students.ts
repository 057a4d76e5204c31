/**
 * Launches many students through the real LTI 1.3 flow (tool /login → mock LMS /auth signs the
 * id_token → tool /launch validates it → student home) and keeps what a browser would keep:
 * the ltik and the cookies of that launch, each student in its own cookie jar.
 */
import type { MockLms } from '../../test/support/mock-lms';
import { runPool } from './http-load';

export interface StudentCredentials {
  userId: string;
  ltik: string;
  /** The Cookie header the student's browser would send to the tool. */
  cookie: string;
}

/** superagent's jar (cookiejar): a plain access-info object is what CookieAccessInfo builds. */
type Jar = { getCookies(access: { domain: string; path: string; secure: boolean; script: boolean }): { toValueString(): string } };

export async function launchStudents(
  lms: MockLms,
  opts: { count: number; concurrency: number; contextId: string; resourceLinkId: string; prefix: string; onProgress?: (done: number) => void },
): Promise<StudentCredentials[]> {
  const ids = Array.from({ length: opts.count }, (_, i) => `${opts.prefix}-${String(i + 1).padStart(4, '0')}`);
  const out: StudentCredentials[] = new Array(ids.length);
  const host = new URL(lms.toolUrl).hostname;
  let done = 0;
  await runPool(ids, opts.concurrency, async (userId, i) => {
    const r = await lms.launch({
      role: 'Learner', context: { id: opts.contextId }, resourceLink: { id: opts.resourceLinkId },
      user: { id: userId, givenName: 'Student', familyName: userId.slice(opts.prefix.length + 1) },
    });
    if (r.status !== 200 || !r.ltik) throw new Error(`launch of ${userId} failed: ${r.status} ${r.res.text?.slice(0, 300) ?? ''}`);
    const jar = (r.agent as unknown as { jar: Jar }).jar;
    const cookie = jar.getCookies({ domain: host, path: '/activity/', secure: false, script: false }).toValueString();
    if (!cookie) throw new Error(`launch of ${userId} left no cookie`);
    out[i] = { userId, ltik: r.ltik, cookie };
    done++;
    if (done % 100 === 0) opts.onProgress?.(done);
  });
  return out;
}
