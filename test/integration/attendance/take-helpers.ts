import { randomUUID } from 'node:crypto';
import supertest from 'supertest';
import { AttendanceRecordModel } from '../../../src/attendance/attendance-record.model';
import { AuditEntryModel } from '../../../src/attendance/audit-entry.model';
import { activityKey, courseKey } from '../../../src/courses/keys';
import { GroupModel } from '../../../src/groups/group.model';
import { MemberModel } from '../../../src/roster/member.model';
import { AttendanceSessionModel } from '../../../src/sessions/attendance-session.model';
import { withLtik } from '../../../src/shared/links';
import type { LaunchOptions } from '../../support/mock-lms';
import type { TestHarness } from '../../support/tool';

export type Fields = Record<string, string>;

export interface Student {
  id: string;
  givenName: string;
  familyName: string;
  email?: string;
  active?: boolean;
  role?: 'student' | 'teacher';
}

export interface TakeCourse {
  agent: supertest.Agent;
  ltik: string;
  userId: string;
  courseId: string;
  activityId: string;
  /** Status ids of the default set by acronym. */
  status: { P: string; L: string; E: string; A: string };
  takePath(sessionId: string): string;
  get(sessionId: string, query?: string): Promise<supertest.Response>;
  post(sessionId: string, fields: Fields): Promise<supertest.Response>;
  history(sessionId: string, userId?: string): Promise<supertest.Response>;
}

/** A teacher launch into its own course (one per contextId); the mock LMS has no roster, so a sync changes nothing. */
export async function launchTeacher(
  h: TestHarness, contextId: string,
  opts: { userId?: string; name?: [string, string]; locale?: string; title?: string; mutate?: LaunchOptions['mutate'] } = {},
): Promise<TakeCourse> {
  const userId = opts.userId ?? `teacher-${contextId}`;
  const [givenName, familyName] = opts.name ?? ['Terry', 'Teacher'];
  const r = await h.lms.launch({
    role: 'Instructor', context: { id: contextId }, resourceLink: { id: 'rl1', ...(opts.title ? { title: opts.title } : {}) },
    user: { id: userId, givenName, familyName }, ...(opts.locale ? { locale: opts.locale } : {}),
    ...(opts.mutate ? { mutate: opts.mutate } : {}),
  });
  if (!r.ltik) throw new Error(`teacher launch failed: ${r.status}`);
  const ltik = r.ltik;
  const courseId = courseKey(h.lms.issuer, h.lms.clientId, contextId, 'rl1');
  const activityId = activityKey(courseId, 'rl1');
  const id = (a: string) => `${activityId}-default-${a}`;
  const takePath = (sessionId: string) => `/activity/${activityId}/teacher/sessions/${encodeURIComponent(sessionId)}/take`;
  return {
    agent: r.agent, ltik, userId, courseId, activityId,
    status: { P: id('P'), L: id('L'), E: id('E'), A: id('A') },
    takePath,
    get: (sessionId, query) => r.agent.get(withLtik(`${takePath(sessionId)}${query ? `?${query}` : ''}`, ltik)),
    post: (sessionId, fields) => r.agent.post(takePath(sessionId)).type('form').send(new URLSearchParams({ ltik, ...fields }).toString()),
    history: (sessionId, userId) => r.agent.get(withLtik(`${takePath(sessionId)}/history${userId === undefined ? '' : `/${encodeURIComponent(userId)}`}`, ltik)),
  };
}

export async function addStudents(courseId: string, students: Student[]): Promise<void> {
  await MemberModel.insertMany(
    students.map((s) => ({
      courseId, userId: s.id, givenName: s.givenName, familyName: s.familyName, name: `${s.givenName} ${s.familyName}`,
      email: s.email ?? `${s.id}@example.com`, role: s.role ?? 'student', active: s.active ?? true, ltiRoles: ['Learner'],
    })),
  );
}

export async function addGroup(courseId: string, name: string, memberIds: string[]): Promise<string> {
  const id = randomUUID();
  await GroupModel.create({ _id: id, courseId, name, nameKey: name.toLowerCase(), memberIds });
  return id;
}

export async function addSession(t: Pick<TakeCourse, 'courseId' | 'activityId'>, audience: { kind: 'all' | 'group'; groupId?: string } = { kind: 'all' }, description = 'Lecture'): Promise<string> {
  const id = randomUUID();
  await AttendanceSessionModel.create({
    _id: id, courseId: t.courseId, activityId: t.activityId, startsAt: new Date('2099-03-02T08:00:00Z'), durationMinutes: 90,
    timezone: 'Europe/Riga', description, audience, statusSetId: `${t.activityId}-default`, createdBy: 'teacher',
  });
  return id;
}

/** The form as the page posts it: rows u<i>/s<i>/r<i> plus count. */
export function takeForm(rows: Array<{ userId: string; statusId?: string; remark?: string }>, extra: Fields = {}): Fields {
  const fields: Fields = { count: String(rows.length), ...extra };
  rows.forEach((row, i) => {
    fields[`u${i}`] = row.userId;
    fields[`s${i}`] = row.statusId ?? '';
    fields[`r${i}`] = row.remark ?? '';
  });
  return fields;
}

/**
 * The rows of a rendered take page, in page order: what a browser would post back unchanged,
 * including the hidden per-row "as shown" values and a conflict row's checked choice.
 */
export function formFromPage(html: string): Fields {
  const fields: Fields = {};
  const count = /name="count" value="(\d+)"/.exec(html)?.[1] ?? '0';
  fields.count = count;
  const sort = /name="sort" value="([^"]*)"/.exec(html)?.[1];
  if (sort) fields.sort = sort;
  for (let i = 0; i < Number(count); i++) {
    fields[`u${i}`] = decode(new RegExp(`name="u${i}" value="([^"]*)"`).exec(html)?.[1] ?? '');
    fields[`s${i}`] = decode(new RegExp(`name="s${i}" [^>]*value="([^"]*)"[^>]* checked`).exec(html)?.[1] ?? '');
    fields[`r${i}`] = decode(new RegExp(`name="r${i}" value="([^"]*)"`).exec(html)?.[1] ?? '');
    const shown = new RegExp(`name="w${i}" value="([^"]*)"`).exec(html)?.[1];
    if (shown !== undefined) fields[`w${i}`] = decode(shown);
    const choice = new RegExp(`name="c${i}" [^>]*value="([^"]*)"[^>]* checked`).exec(html)?.[1];
    if (choice !== undefined) fields[`c${i}`] = decode(choice);
  }
  return fields;
}

/** The form index of a student's row on a rendered page (by LMS user id). */
export function rowIndex(html: string, userId: string): number {
  const m = new RegExp(`name="u(\\d+)" value="${userId}"`).exec(html);
  if (!m) throw new Error(`no row for ${userId}`);
  return Number(m[1]);
}

/** The visible text of the highlighted conflict rows, in page order. */
export function conflictTexts(html: string): string[] {
  return [...html.matchAll(/<tr class="take-conflict-row"[\s\S]*?<\/tr>/g)].map((m) => visibleText(m[0]).trim());
}

const decode = (s: string) => s.replace(/&#34;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** Page text without tags, whitespace collapsed: what a teacher reads. */
export function visibleText(html: string): string {
  return decode(html.replace(/<script[\s\S]*?<\/script>/g, ' ').replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');
}

/** Student names in the order the take form lists them. */
export function rowNames(html: string): string[] {
  return [...html.matchAll(/<span class="take-name__text">([^<]*)<\/span>/g)].map((m) => decode(m[1] ?? ''));
}

export async function recordsOf(sessionId: string) {
  return AttendanceRecordModel.find({ sessionId }).sort({ userId: 1 }).lean();
}

export async function auditOf(sessionId: string) {
  return AuditEntryModel.find({ sessionId }).sort({ at: 1, userId: 1 }).lean();
}

export async function follow(t: TakeCourse, res: supertest.Response): Promise<supertest.Response> {
  if (res.status !== 303) throw new Error(`expected 303, got ${res.status}: ${visibleText(res.text).slice(0, 400)}`);
  return t.agent.get(String(res.headers.location));
}
