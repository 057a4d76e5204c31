import supertest from 'supertest';
import { activityKey, courseKey } from '../../../src/courses/keys';
import { withLtik } from '../../../src/shared/links';
import type { TestHarness } from '../../support/tool';

export type Fields = Record<string, string | string[]>;

/** Repeated keys (weekdays=1&weekdays=3) as browsers send them; superagent would add [0]. */
export function formBody(fields: Fields): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) p.append(k, one);
  return p.toString();
}

export interface TeacherPages {
  agent: supertest.Agent;
  ltik: string;
  courseId: string;
  activityId: string;
  base: string;
  get(path: string): Promise<supertest.Response>;
  post(path: string, fields: Fields): Promise<supertest.Response>;
}

/** A teacher launch into its own course, with helpers for the teacher pages under /activity/<id>/teacher. */
export async function launchTeacher(h: TestHarness, contextId: string, opts: { role?: string; userId?: string; locale?: string } = {}): Promise<TeacherPages> {
  const r = await h.lms.launch({
    role: opts.role ?? 'Instructor',
    context: { id: contextId },
    resourceLink: { id: 'rl1' },
    ...(opts.userId ? { user: { id: opts.userId } } : {}),
    ...(opts.locale ? { locale: opts.locale } : {}),
  });
  if (!r.ltik) throw new Error(`launch failed: ${r.status}`);
  const ltik = r.ltik;
  const courseId = courseKey(h.lms.issuer, h.lms.clientId, contextId, 'rl1');
  const activityId = activityKey(courseId, 'rl1');
  const base = `/activity/${activityId}/teacher`;
  return {
    agent: r.agent, ltik, courseId, activityId, base,
    get: (path) => r.agent.get(withLtik(`${base}${path}`, ltik)),
    post: (path, fields) => r.agent.post(`${base}${path}`).type('form').send(formBody({ ltik, ...fields })),
  };
}

/** Follows a 303 with the same agent. */
export async function follow(t: TeacherPages, res: supertest.Response): Promise<supertest.Response> {
  expect(res.status).toBe(303);
  const location = res.headers.location ?? '';
  return t.agent.get(location);
}

/** The page text without tags, whitespace collapsed: what a teacher reads. */
export function visibleText(html: string): string {
  return html.replace(/<script[\s\S]*?<\/script>/g, ' ').replace(/<[^>]+>/g, ' ').replace(/&amp;/g, '&').replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/\s+/g, ' ');
}

/**
 * A hidden field's value in a page (e.g. the version an edit form was rendered from); '' when the
 * page has none, which the tool reads like a form from before versions existed.
 */
export function hiddenValue(html: string, name: string): string {
  return new RegExp(`<input type="hidden" name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';
}
