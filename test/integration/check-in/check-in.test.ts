import { randomUUID } from 'node:crypto';
import supertest from 'supertest';
import { AttendanceSessionModel } from '../../../src/sessions/attendance-session.model';
import { StatusSetModel } from '../../../src/status-sets/status-set.model';
import { subscribeAttendanceChanged } from '../../../src/grading/grade-hooks';
import { withLtik } from '../../../src/shared/links';
import { startHarness, TestHarness } from '../../support/tool';
import { addGroup, addStudents, auditOf, launchTeacher, recordsOf, TakeCourse, visibleText } from '../attendance/take-helpers';

let h: TestHarness;
beforeAll(async () => { h = await startHarness(); }, 60_000);
afterAll(async () => { await h.close(); });

const settingsPath = (t: TakeCourse, id: string) => `/activity/${t.activityId}/teacher/sessions/${id}/self-marking`;
const checkInPath = (t: TakeCourse, id: string) => `/activity/${t.activityId}/student/sessions/${id}/check-in`;
const FORM = { enabled: '1', password: 'ACDEFG', statusMode: 'auto', lateAfterMinutes: '10', opensMinutesBefore: '0', allowedCidrs: '', rotateSeconds: '15', graceSeconds: '5', action: 'save' };

async function addSession(t: TakeCourse, startOffsetMin: number, audience: { kind: 'all' | 'group'; groupId?: string } = { kind: 'all' }): Promise<string> {
  const id = randomUUID();
  await AttendanceSessionModel.create({
    _id: id, courseId: t.courseId, activityId: t.activityId, startsAt: new Date(Date.now() + startOffsetMin * 60_000), durationMinutes: 90,
    timezone: 'Europe/Riga', description: 'Lecture', audience, statusSetId: `${t.activityId}-default`, createdBy: 'teacher',
  });
  return id;
}

async function enable(t: TakeCourse, id: string, extra: Record<string, string> = {}) {
  const res = await t.agent.post(settingsPath(t, id)).type('form').send({ ltik: t.ltik, ...FORM, ...extra });
  expect(res.status).toBe(303);
}

async function student(contextId: string, userId: string): Promise<{ agent: supertest.Agent; ltik: string }> {
  const r = await h.lms.launch({ role: 'Learner', context: { id: contextId }, resourceLink: { id: 'rl1' }, user: { id: userId, givenName: 'Sam', familyName: userId } });
  if (!r.ltik) throw new Error(`student launch failed ${r.status}`);
  return { agent: r.agent, ltik: r.ltik };
}

const submit = (s: { agent: supertest.Agent; ltik: string }, path: string, fields: Record<string, string>) => s.agent.post(path).type('form').send({ ltik: s.ltik, ...fields });

describe('teacher self-marking settings', () => {
  it('saves, refuses bad input with values kept, 404 for another course, 403 for a student', async () => {
    const t = await launchTeacher(h, 'ci-set-a');
    const id = await addSession(t, 60);
    const form = await t.agent.get(withLtik(settingsPath(t, id), t.ltik));
    expect(form.status).toBe(200);
    expect(form.text).toMatch(/name="password" value="[A-Z0-9]{6}"/);
    expect(visibleText(form.text)).toContain('show the code in the room with the projector view');

    const bad = await t.agent.post(settingsPath(t, id)).type('form').send({ ltik: t.ltik, ...FORM, password: 'ab', allowedCidrs: '10.0.0.0/8\nnope', lateAfterMinutes: 'x' });
    expect(bad.status).toBe(400);
    const badText = visibleText(bad.text);
    expect(badText).toContain('at least 6 characters');
    expect(badText).toContain('Not a valid network');
    expect(bad.text).toContain('nope');
    expect((await AttendanceSessionModel.findById(id).lean())?.selfMarking).toBeUndefined();

    expect(form.text).not.toContain('data-testid="projector-link"');
    await enable(t, id);
    const reopened = await t.agent.get(withLtik(settingsPath(t, id), t.ltik));
    expect(reopened.text).toMatch(new RegExp(`href="[^"]*/sessions/${id}/projector\\?ltik=[^"]*"[^>]*data-testid="projector-link"`));
    const saved = await AttendanceSessionModel.findById(id).lean();
    expect(saved?.selfMarking).toMatchObject({ enabled: true, password: 'ACDEFG', statusMode: 'auto' });
    expect(Buffer.from(saved?.checkInSecret ?? '', 'base64')).toHaveLength(32);
    const list = await t.agent.get(withLtik(`/activity/${t.activityId}/teacher/sessions`, t.ltik));
    expect(list.text).toContain(`/sessions/${id}/self-marking`);
    expect(visibleText(list.text)).toContain('Self-marking on'); // the badge of an enabled session

    const b = await launchTeacher(h, 'ci-set-b', { userId: 'teacher-ci-set-a' });
    const other = await addSession(b, 60);
    expect((await t.agent.get(withLtik(settingsPath(t, other), t.ltik))).status).toBe(404);

    const s = await student('ci-set-a', 'ci-s0');
    expect((await s.agent.get(withLtik(settingsPath(t, id), s.ltik))).status).toBe(403);
  });
});

describe('student check-in with the password', () => {
  let t: TakeCourse;
  beforeAll(async () => {
    t = await launchTeacher(h, 'ci-flow');
    await addStudents(t.courseId, [{ id: 'ci-s1', givenName: 'Sam', familyName: 'One' }]);
  });

  it('records a self check-in, audits it, calls the grade hook; the take page shows it', async () => {
    const id = await addSession(t, -5);
    await enable(t, id);
    const calls: string[][] = [];
    const unsubscribe = subscribeAttendanceChanged((_c, _a, userIds) => { calls.push(userIds); });
    const s = await student('ci-flow', 'ci-s1');
    const home = await s.agent.get(withLtik(`/activity/${t.activityId}/student`, s.ltik));
    expect(visibleText(home.text)).toContain('Submit attendance');
    expect(home.text).toContain(checkInPath(t, id));

    const wrong = await submit(s, checkInPath(t, id), { code: 'WRONG1' });
    expect(wrong.status).toBe(400);
    expect(visibleText(wrong.text)).toContain('4 attempts left');
    expect(await recordsOf(id)).toHaveLength(0);

    const ok = await submit(s, checkInPath(t, id), { code: 'acd-efg' });
    expect(ok.status).toBe(303);
    const done = await s.agent.get(String(ok.headers.location));
    expect(visibleText(done.text)).toContain('Attendance recorded');
    expect(visibleText(done.text)).toContain('P · Present');
    unsubscribe();
    const records = await recordsOf(id);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ userId: 'ci-s1', source: 'self', statusId: t.status.P, updatedBy: 'ci-s1' });
    expect(records[0]?.selfRecordedAt).toBeInstanceOf(Date);
    const audit = await auditOf(id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: 'ci-s1', source: 'self' });
    expect(calls).toEqual([['ci-s1']]);

    const again = await submit(s, checkInPath(t, id), { code: 'ACDEFG' });
    expect(again.status).toBe(409);
    expect(visibleText(again.text)).toContain('already recorded: P · Present');
    expect(await auditOf(id)).toHaveLength(1);

    const take = await t.get(id);
    expect(visibleText(take.text)).toContain('Self-recorded');
    expect((await t.agent.get(withLtik(checkInPath(t, id), t.ltik))).status).toBe(403);
  });

  it('locks out after 5 wrong codes even with the right one', async () => {
    const id = await addSession(t, -5);
    await enable(t, id);
    const s = await student('ci-flow', 'ci-s2');
    for (let i = 0; i < 5; i++) await submit(s, checkInPath(t, id), { code: `WRONG${i}` });
    const res = await submit(s, checkInPath(t, id), { code: 'ACDEFG' });
    expect(res.status).toBe(403);
    expect(visibleText(res.text)).toContain('Too many wrong attempts');
    expect(await recordsOf(id)).toHaveLength(0);
  });

  it('refuses a student outside the group and a closed window', async () => {
    const group = await addGroup(t.courseId, 'G1', ['someone-else']);
    const groupSession = await addSession(t, -5, { kind: 'group', groupId: group });
    const ended = await addSession(t, -200);
    await enable(t, groupSession);
    await enable(t, ended);
    const s = await student('ci-flow', 'ci-s3');
    const a = await submit(s, checkInPath(t, groupSession), { code: 'ACDEFG' });
    expect(a.status).toBe(403);
    expect(visibleText(a.text)).toContain('not for you');
    const b = await submit(s, checkInPath(t, ended), { code: 'ACDEFG' });
    expect(b.status).toBe(403);
    expect(visibleText(b.text)).toContain('closed');
    expect(await recordsOf(groupSession)).toHaveLength(0);
    expect(await recordsOf(ended)).toHaveLength(0);
  });

  it("'choose' mode offers only the allowed statuses", async () => {
    const id = await addSession(t, -5);
    await enable(t, id, { statusMode: 'choose' });
    await StatusSetModel.updateOne({ _id: `${t.activityId}-default`, 'statuses._id': t.status.P }, { $set: { 'statuses.$.studentPick': { mode: 'always' } } });
    const s = await student('ci-flow', 'ci-s4');
    const form = await s.agent.get(withLtik(checkInPath(t, id), s.ltik));
    expect(form.text).toContain(`value="${t.status.P}"`);
    expect(form.text).not.toContain(`value="${t.status.A}"`);
    const refused = await submit(s, checkInPath(t, id), { code: 'ACDEFG', statusId: t.status.A });
    expect(refused.status).toBe(400);
    expect(await recordsOf(id)).toHaveLength(0);
    expect((await submit(s, checkInPath(t, id), { code: 'ACDEFG', statusId: t.status.P })).status).toBe(303);
  });

  it('concurrent double submit writes one record', async () => {
    const id = await addSession(t, -5);
    await enable(t, id);
    const s = await student('ci-flow', 'ci-s5');
    const results = await Promise.all([submit(s, checkInPath(t, id), { code: 'ACDEFG' }), submit(s, checkInPath(t, id), { code: 'ACDEFG' })]);
    expect(results.map((r) => r.status)).toContain(303);
    expect(await recordsOf(id)).toHaveLength(1);
    expect(await auditOf(id)).toHaveLength(1);
  });
});
