import { randomUUID } from 'node:crypto';
import type supertest from 'supertest';
import { AttendanceSessionModel } from '../../../src/sessions/attendance-session.model';
import { withLtik } from '../../../src/shared/links';
import type { TestHarness } from '../../support/tool';
import { addStudents, formFromPage, launchTeacher, TakeCourse, visibleText } from '../attendance/take-helpers';
import { defaultSet, editForm } from '../status-sets/status-set-pages';

/** The data a backup must carry: a course built through the tool's own pages, as a teacher and a student would. */

export const STUDENTS = [
  { id: 'bk-s1', givenName: 'Jānis', familyName: 'Ķēniņš' },
  { id: 'bk-s2', givenName: 'Līga', familyName: 'Ozola' },
  { id: 'bk-s3', givenName: 'Ūna', familyName: 'Ļaviņa' },
];

const CHECK_IN_FORM = { enabled: '1', password: 'ACDEFG', statusMode: 'auto', lateAfterMinutes: '10', opensMinutesBefore: '0', allowedCidrs: '', rotateSeconds: '15', graceSeconds: '5', action: 'save' };

export async function addSessionAt(t: TakeCourse, startsAt: Date, description: string): Promise<string> {
  const id = randomUUID();
  await AttendanceSessionModel.create({
    _id: id, courseId: t.courseId, activityId: t.activityId, startsAt, durationMinutes: 90, timezone: 'Europe/Riga',
    description, audience: { kind: 'all' }, statusSetId: `${t.activityId}-default`, createdBy: t.userId,
  });
  return id;
}

function expectStatus(res: supertest.Response, status: number, what: string): void {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status}: ${visibleText(res.text ?? '').slice(0, 300)}`);
}

/** The take page as the teacher sees it, with `changes` (row user id → status/remark) made and saved. */
export async function saveTakePage(t: TakeCourse, sessionId: string, changes: Record<string, { status?: string; remark?: string }>): Promise<void> {
  const page = await t.get(sessionId);
  expectStatus(page, 200, 'take page');
  const fields = formFromPage(page.text);
  for (let i = 0; i < Number(fields.count); i++) {
    const change = changes[fields[`u${i}`] ?? ''];
    if (change?.status !== undefined) fields[`s${i}`] = change.status;
    if (change?.remark !== undefined) fields[`r${i}`] = change.remark;
  }
  expectStatus(await t.post(sessionId, fields), 303, 'take save');
}

/**
 * Course A: a teacher's launch, students, a renamed status in the default set, a lecture taken on
 * the take page, and a session with self-marking where a student checked in with the password.
 */
export async function buildCourse(h: TestHarness, contextId: string): Promise<{ course: TakeCourse; lecture: string }> {
  const t = await launchTeacher(h, contextId, { title: 'Fizika' });
  await addStudents(t.courseId, STUDENTS);

  const set = await defaultSet(t.activityId);
  const edited = await t.agent.post(`/activity/${t.activityId}/teacher/status-sets/${set._id}`).type('form')
    .send({ ltik: t.ltik, ...editForm(set, { L: { description: 'Late (bus)' } }) });
  expectStatus(edited, 303, 'status set edit');

  const lecture = await addSessionAt(t, new Date(Date.now() - 2 * 86_400_000), 'Ievads');
  await saveTakePage(t, lecture, {
    'bk-s1': { status: t.status.P }, 'bk-s2': { status: t.status.L, remark: 'bus, "again"' }, 'bk-s3': { status: t.status.A },
  });

  const lab = await addSessionAt(t, new Date(Date.now() - 5 * 60_000), 'Lab');
  expectStatus(await t.agent.post(`/activity/${t.activityId}/teacher/sessions/${lab}/self-marking`).type('form').send({ ltik: t.ltik, ...CHECK_IN_FORM }), 303, 'self-marking settings');
  const student = await h.lms.launch({ role: 'Learner', context: { id: contextId }, resourceLink: { id: 'rl1' }, user: { id: 'bk-s1', givenName: 'Jānis', familyName: 'Ķēniņš' } });
  if (!student.ltik) throw new Error(`student launch failed: ${student.status}`);
  const checkIn = await student.agent.post(`/activity/${t.activityId}/student/sessions/${lab}/check-in`).type('form').send({ ltik: student.ltik, code: 'ACDEFG' });
  expectStatus(checkIn, 303, 'check-in');
  return { course: t, lecture };
}

/** The CSV export of the whole course, as downloaded. */
export async function downloadCsv(agent: supertest.Agent, activityId: string, ltik: string): Promise<Buffer> {
  const res = await agent.get(withLtik(`/activity/${activityId}/teacher/report/export.csv`, ltik)).buffer(true).parse((r, done) => {
    const chunks: Buffer[] = [];
    r.on('data', (chunk: Buffer) => chunks.push(chunk));
    r.on('end', () => done(null, Buffer.concat(chunks)));
  });
  expectStatus(res, 200, 'CSV export');
  return res.body as Buffer;
}

/** The text of every table on the report page: what a teacher reads there. */
export async function reportTables(agent: supertest.Agent, activityId: string, ltik: string): Promise<string[]> {
  const res = await agent.get(withLtik(`/activity/${activityId}/teacher/report`, ltik));
  expectStatus(res, 200, 'report page');
  return [...res.text.matchAll(/<table[\s\S]*?<\/table>/g)].map((m) => visibleText(m[0]).trim());
}

/**
 * Saves on the take page of course B one after another, each changing one student's remark to
 * w<n> (student n mod 3), until `keepGoing` says stop. Every save is answered before the next.
 */
export function startWriter(t: TakeCourse, sessionId: string, keepGoing: () => boolean): { done: Promise<number>; count(): number; started(n: number): Promise<void> } {
  let count = 0;
  let failure: unknown;
  const done = (async () => {
    while (keepGoing()) {
      const student = STUDENTS[count % STUDENTS.length]?.id ?? '';
      await saveTakePage(t, sessionId, { [student]: { status: count % 2 ? t.status.P : t.status.L, remark: `w${count}` } });
      count++;
    }
    return count;
  })();
  done.catch((err: unknown) => (failure = err ?? new Error('writer failed')));
  /** Resolves once n saves were answered; rejects if the writer failed first. */
  const started = async (n: number) => {
    while (count < n) {
      if (failure) throw failure;
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { done, count: () => count, started };
}

/**
 * What the records of course B look like after the first `n` writes of startWriter: each student
 * shows the last remark written to them, or has no record yet.
 */
export function remarksAfter(n: number): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  STUDENTS.forEach((s, j) => {
    let last: number | undefined;
    for (let k = j; k < n; k += STUDENTS.length) last = k;
    out[s.id] = last === undefined ? undefined : `w${last}`;
  });
  return out;
}
