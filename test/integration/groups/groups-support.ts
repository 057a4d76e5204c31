import type supertest from 'supertest';
import { courseKey } from '../../../src/courses/keys';
import { MemberModel } from '../../../src/roster/member.model';
import type { MockUser } from '../../support/mock-lms';
import { finalPath, TestHarness } from '../../support/tool';

export interface Student {
  id: string;
  givenName: string;
  familyName: string;
  email?: string;
  username?: string;
}

export interface TeacherCourse {
  agent: supertest.Agent;
  ltik: string;
  courseId: string;
  activityId: string;
  /** /activity/<id>/teacher/groups */
  base: string;
  /** GET path with the ltik. */
  url(rest?: string): string;
  /** POST a form (repeated keys for arrays, as a browser sends checkboxes). */
  post(rest: string, fields: Record<string, string | string[]>): supertest.Test;
}

/**
 * A course whose students are known to the tool: registered with the mock LMS (so a roster
 * sync agrees) and recorded as members directly (fast, no launch per student).
 */
export async function teacherCourse(h: TestHarness, contextId: string, students: Student[] = []): Promise<TeacherCourse> {
  const teacherId = `teacher-${contextId}`;
  const lmsMembers: MockUser[] = [
    { id: teacherId, givenName: 'Terry', familyName: 'Teacher', email: `${teacherId}@example.com`, roles: ['Instructor'] },
    ...students.map((s) => ({ ...s, roles: ['Learner'] })),
  ];
  h.lms.setMembers(contextId, lmsMembers);
  const r = await h.lms.launch({ role: 'Instructor', context: { id: contextId }, resourceLink: { id: 'rl1' }, user: { id: teacherId } });
  if (r.status !== 200 || !r.ltik) throw new Error(`teacher launch failed: ${r.status}`);
  const activityId = /\/activity\/([^/?]+)\//.exec(finalPath(r.res))?.[1] ?? '';
  const courseId = courseKey(h.lms.issuer, h.lms.clientId, contextId, 'rl1');
  await addStudents(courseId, students);
  const base = `/activity/${activityId}/teacher/groups`;
  const ltik = r.ltik;
  return {
    agent: r.agent,
    ltik,
    courseId,
    activityId,
    base,
    url: (rest = '') => `${base}${rest}${rest.includes('?') ? '&' : '?'}ltik=${encodeURIComponent(ltik)}`,
    post: (rest, fields) => r.agent.post(`${base}${rest}`).type('form').send(formBody({ ltik, ...fields })),
  };
}

export async function addStudents(courseId: string, students: Student[], role: 'student' | 'teacher' = 'student'): Promise<void> {
  if (students.length === 0) return;
  await MemberModel.bulkWrite(
    students.map((s) => ({
      updateOne: {
        filter: { courseId, userId: s.id },
        update: { $set: { givenName: s.givenName, familyName: s.familyName, name: `${s.givenName} ${s.familyName}`, email: s.email, username: s.username, role, active: true } },
        upsert: true,
      },
    })),
  );
}

export function formBody(fields: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) {
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
  }
  return params.toString();
}

/** Follows a 303 from a form POST with the same agent. */
export async function follow(agent: supertest.Agent, res: supertest.Response): Promise<supertest.Response> {
  if (res.status !== 303) throw new Error(`expected a 303 redirect, got ${res.status}: ${res.text.slice(0, 500)}`);
  return agent.get(String(res.headers.location));
}

/** Page text without tags and with collapsed spaces, for readable assertions. */
export function textOf(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#34;|&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

/** The group id in the path of the page a create redirect landed on. */
export function groupIdFrom(res: object): string {
  const id = /\/groups\/([^/?]+)/.exec(finalPath(res))?.[1];
  if (!id) throw new Error(`no group id in ${finalPath(res)}`);
  return id;
}
