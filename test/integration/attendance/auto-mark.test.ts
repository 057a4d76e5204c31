import { randomUUID } from 'node:crypto';
import supertest from 'supertest';
import { AttendanceRecordModel } from '../../../src/attendance/attendance-record.model';
import { AUTO_MARK_ACTOR } from '../../../src/attendance/auto-mark';
import { markUnmarked, runAutoMark } from '../../../src/attendance/auto-mark.service';
import { startAutoMarkWorker } from '../../../src/attendance/auto-mark.worker';
import { subscribeAttendanceChanged } from '../../../src/grading/grade-hooks';
import { AttendanceSessionModel } from '../../../src/sessions/attendance-session.model';
import { acquireLease, releaseLease } from '../../../src/shared/job-lease.service';
import { JobLeaseModel } from '../../../src/shared/job-lease.model';
import { createLogger } from '../../../src/shared/logger';
import { StatusSetModel } from '../../../src/status-sets/status-set.model';
import { setDuration } from '../../../src/sessions/sessions.service';
import { withLtik } from '../../../src/shared/links';
import { startHarness, TestHarness } from '../../support/tool';
import { addGroup, addStudents, auditOf, follow, launchTeacher, recordsOf, Student, TakeCourse, visibleText } from './take-helpers';

let clock = new Date('2030-03-02T08:00:00Z');
const deps = { now: () => clock, log: createLogger('silent') };
let h: TestHarness;
beforeAll(async () => {
  h = await startHarness({ now: () => clock, autoMarkIntervalMs: 0 });
}, 60_000);
afterAll(async () => {
  await h?.close();
});
// Every test starts with an empty queue: whatever earlier tests left open is closed.
beforeEach(async () => {
  await AttendanceSessionModel.updateMany({ 'autoMark.doneAt': null }, { $set: { autoMark: { doneAt: new Date(0), outcome: 'marked', inserted: 0 } } });
});

const HOUR = 3_600_000;
const CLASS: Student[] = [
  { id: 'am-anna', givenName: 'Anna', familyName: 'Bērziņa' },
  { id: 'am-janis', givenName: 'Jānis', familyName: 'Kalniņš' },
  { id: 'am-liga', givenName: 'Līga', familyName: 'Ozola' },
  { id: 'am-zane', givenName: 'Zane', familyName: 'Čakste' },
];

/** A session 10:00–11:30 UTC on 2 March 2030 (or as given), created a week before unless said otherwise. */
async function seedSession(t: Pick<TakeCourse, 'courseId' | 'activityId'>, opts: { startsAt?: Date; durationMinutes?: number; createdAt?: Date; audience?: { kind: 'all' | 'group'; groupId?: string } } = {}): Promise<string> {
  const id = randomUUID();
  const startsAt = opts.startsAt ?? new Date('2030-03-02T10:00:00Z');
  await AttendanceSessionModel.create({
    _id: id, courseId: t.courseId, activityId: t.activityId, startsAt, durationMinutes: opts.durationMinutes ?? 90, timezone: 'Europe/Riga',
    description: 'Lecture', audience: opts.audience ?? { kind: 'all' }, statusSetId: `${t.activityId}-default`, createdBy: 'teacher',
    createdAt: opts.createdAt ?? new Date(startsAt.getTime() - 7 * 24 * HOUR),
  });
  return id;
}

async function seedRecord(t: TakeCourse, sessionId: string, userId: string, statusId: string, source: 'teacher' | 'self') {
  await AttendanceRecordModel.create({ courseId: t.courseId, activityId: t.activityId, sessionId, userId, statusSetId: `${t.activityId}-default`, statusId, source, updatedBy: source === 'self' ? userId : t.userId });
}

const autoMarkPath = (t: TakeCourse, sessionId: string) => `${t.takePath(sessionId)}/auto-mark`;
const trigger = (agent: supertest.Agent, ltik: string, path: string) => agent.post(path).type('form').send({ ltik });
const byUser = <T extends { userId: string }>(rows: T[]) => [...rows].sort((a, b) => a.userId.localeCompare(b.userId));
const doneOf = async (id: string) => (await AttendanceSessionModel.findById(id).lean())?.autoMark;

describe('when a session ends', () => {
  it('then the unmarked get the automatic status (source auto, no remark text), marks already given stay, and grading hears of exactly those students', async () => {
    const t = await launchTeacher(h, 'am-end');
    await addStudents(t.courseId, CLASS);
    const id = await seedSession(t);
    await seedRecord(t, id, 'am-anna', t.status.P, 'teacher');
    await seedRecord(t, id, 'am-zane', t.status.L, 'self');
    const calls: string[][] = [];
    const unsubscribe = subscribeAttendanceChanged((courseId, _a, userIds) => { if (courseId === t.courseId) calls.push([...userIds].sort()); });
    try {
      clock = new Date('2030-03-02T11:29:00Z'); // still running
      expect(await runAutoMark(deps, { holder: 'A' })).toMatchObject({ sessions: 0, inserted: 0 });
      expect(await recordsOf(id)).toHaveLength(2);

      clock = new Date('2030-03-02T11:30:20Z');
      expect(await runAutoMark(deps, { holder: 'A' })).toMatchObject({ sessions: 1, inserted: 2, failed: 0 });
    } finally {
      unsubscribe();
    }
    const records = byUser(await recordsOf(id));
    expect(records.map((r) => [r.userId, r.statusId, r.source, r.remark])).toEqual([
      ['am-anna', t.status.P, 'teacher', ''],
      ['am-janis', t.status.A, 'auto', ''],
      ['am-liga', t.status.A, 'auto', ''],
      ['am-zane', t.status.L, 'self', ''],
    ]);
    expect(records.find((r) => r.userId === 'am-janis')).toMatchObject({ updatedBy: AUTO_MARK_ACTOR, createdAt: clock });
    const audit = await auditOf(id);
    expect(byUser(audit).map((a) => [a.userId, a.source, a.actorId, a.from?.statusId, a.to?.statusId])).toEqual([
      ['am-janis', 'auto', AUTO_MARK_ACTOR, null, t.status.A],
      ['am-liga', 'auto', AUTO_MARK_ACTOR, null, t.status.A],
    ]);
    expect(calls).toEqual([['am-janis', 'am-liga']]);
    expect(await doneOf(id)).toMatchObject({ outcome: 'marked', inserted: 2, doneAt: clock });

    // Done means done: the next run leaves it alone.
    expect(await runAutoMark(deps, { holder: 'A' })).toMatchObject({ sessions: 0 });
    const page = visibleText((await t.get(id)).text);
    expect(page).toContain('After the session ended, 2 unmarked students got A · Absent automatically.');
    expect(page.match(/Auto-marked/g)).toHaveLength(2);
    expect(page).toContain('Everyone is marked');
    expect(page).not.toContain('Mark the unmarked as');
  });

  it('when the teacher reads the page in Latvian, then the label is Latvian (no English text is stored in the record)', async () => {
    const t = await launchTeacher(h, 'am-lv', { locale: 'lv' });
    await addStudents(t.courseId, CLASS.slice(0, 1));
    const id = await seedSession(t);
    clock = new Date('2030-03-02T12:00:00Z');
    await runAutoMark(deps, { holder: 'A' });
    const page = visibleText((await t.get(id)).text);
    expect(page).toContain('Atzīmēts automātiski');
    expect(page).not.toContain('Auto-marked');
  });

  it('when the set has no automatic status, then nothing is written and the session is closed', async () => {
    const t = await launchTeacher(h, 'am-none');
    await addStudents(t.courseId, CLASS);
    await StatusSetModel.updateOne({ _id: `${t.activityId}-default` }, { $set: { autoStatusId: null } });
    const id = await seedSession(t);
    clock = new Date('2030-03-02T12:00:00Z');
    expect(await runAutoMark(deps, { holder: 'A' })).toMatchObject({ sessions: 1, inserted: 0 });
    expect(await recordsOf(id)).toHaveLength(0);
    expect(await auditOf(id)).toHaveLength(0);
    expect(await doneOf(id)).toMatchObject({ outcome: 'no_auto_status', inserted: 0 });
    const page = await t.get(id);
    expect(visibleText(page.text)).toContain('has no automatic status: students left unmarked stay unmarked');
    expect(page.text).not.toContain('/auto-mark"');
    // A hand-made POST is refused with a message, and writes nothing.
    const res = await trigger(t.agent, t.ltik, autoMarkPath(t, id));
    expect(res.status).toBe(409);
    expect(visibleText(res.text)).toContain('has no automatic status');
    expect(await recordsOf(id)).toHaveLength(0);
  });

  it('when the session is for a group, then only its active members are marked', async () => {
    const t = await launchTeacher(h, 'am-group');
    await addStudents(t.courseId, [...CLASS, { id: 'am-left', givenName: 'Ivars', familyName: 'Aizgājis', active: false }]);
    const groupId = await addGroup(t.courseId, 'Lab A', ['am-anna', 'am-liga', 'am-left']);
    const id = await seedSession(t, { audience: { kind: 'group', groupId } });
    clock = new Date('2030-03-02T12:00:00Z');
    await runAutoMark(deps, { holder: 'A' });
    expect((await recordsOf(id)).map((r) => r.userId)).toEqual(['am-anna', 'am-liga']);
  });

  it('when a past session is added after it ended, then it is not marked automatically, but the teacher can still mark the unmarked', async () => {
    const t = await launchTeacher(h, 'am-late');
    await addStudents(t.courseId, CLASS);
    clock = new Date('2030-03-02T15:00:00Z');
    const id = await seedSession(t, { createdAt: clock }); // 10:00–11:30, entered at 15:00
    expect(await runAutoMark(deps, { holder: 'A' })).toMatchObject({ sessions: 0, closed: 1 });
    expect(await recordsOf(id)).toHaveLength(0);
    expect(await doneOf(id)).toMatchObject({ outcome: 'created_after_end' });
    const page = await t.get(id);
    expect(visibleText(page.text)).toContain('added after it ended, so nobody is marked automatically');
    const res = await trigger(t.agent, t.ltik, autoMarkPath(t, id));
    expect(visibleText((await follow(t, res)).text)).toContain('4 students marked A · Absent.');
    expect(await recordsOf(id)).toHaveLength(4);
  });
});

describe('when a marked session is moved or lengthened', () => {
  it('then it is marked again at its new end, for the students unmarked by then', async () => {
    const t = await launchTeacher(h, 'am-moved');
    await addStudents(t.courseId, CLASS.slice(0, 2));
    const id = await seedSession(t);
    clock = new Date('2030-03-02T11:31:00Z');
    expect(await runAutoMark(deps, { holder: 'A' })).toMatchObject({ sessions: 1, inserted: 2 });
    await AttendanceRecordModel.deleteMany({ sessionId: id, userId: 'am-janis' });
    await setDuration(t.courseId, t.activityId, [id], 180);
    expect(await doneOf(id)).toBeUndefined();
    expect(await runAutoMark(deps, { holder: 'A' })).toMatchObject({ sessions: 0 }); // ends 13:00 now
    clock = new Date('2030-03-02T13:00:30Z');
    expect(await runAutoMark(deps, { holder: 'A' })).toMatchObject({ sessions: 1, inserted: 1 });
    expect((await recordsOf(id)).map((r) => r.userId).sort()).toEqual(['am-anna', 'am-janis']);
  });
});

describe('catching up and running on several instances', () => {
  it('when several sessions ended hours ago (downtime), then runs mark them all, oldest first, a bounded batch per run', async () => {
    const t = await launchTeacher(h, 'am-catchup');
    await addStudents(t.courseId, CLASS.slice(0, 2));
    const day = Date.parse('2030-03-03T00:00:00Z');
    const ids = [];
    for (const hour of [13, 8, 10]) ids.push(await seedSession(t, { startsAt: new Date(day + hour * HOUR), durationMinutes: 60 }));
    const running = await seedSession(t, { startsAt: new Date(day + 17 * HOUR), durationMinutes: 120 });
    clock = new Date(day + 18 * HOUR);
    expect(await runAutoMark(deps, { holder: 'A', batchSize: 2 })).toMatchObject({ sessions: 2, inserted: 4, more: true });
    expect(await doneOf(ids[1] ?? '')).toBeDefined(); // 08:00
    expect(await doneOf(ids[2] ?? '')).toBeDefined(); // 10:00
    expect(await doneOf(ids[0] ?? '')).toBeUndefined(); // 13:00, next run
    expect(await runAutoMark(deps, { holder: 'A', batchSize: 2 })).toMatchObject({ sessions: 1, inserted: 2, more: false });
    for (const id of ids) expect(await recordsOf(id)).toHaveLength(2);
    expect(await recordsOf(running)).toHaveLength(0);
    expect(await doneOf(running)).toBeUndefined();
  });

  it('when two instances run at the same moment, then every student gets one record, one audit entry and one grade notification', async () => {
    const t = await launchTeacher(h, 'am-race');
    const students = Array.from({ length: 30 }, (_, i) => ({ id: `am-r${String(i).padStart(2, '0')}`, givenName: 'S', familyName: `R${i}` }));
    await addStudents(t.courseId, students);
    const ids = [await seedSession(t), await seedSession(t, { startsAt: new Date('2030-03-02T12:00:00Z') }), await seedSession(t, { startsAt: new Date('2030-03-02T14:00:00Z') })];
    const notified: string[] = [];
    const unsubscribe = subscribeAttendanceChanged((courseId, _a, userIds) => { if (courseId === t.courseId) notified.push(...userIds); });
    clock = new Date('2030-03-02T18:00:00Z');
    try {
      const [a, b] = await Promise.all([runAutoMark(deps, { holder: 'A' }), runAutoMark(deps, { holder: 'B' })]);
      expect(a.sessions + b.sessions).toBe(3);
      expect(a.inserted + b.inserted).toBe(90);
      // Even without the lease (a teacher's trigger racing the job), nothing is written twice.
      const extra = await seedSession(t, { startsAt: new Date('2030-03-02T16:00:00Z') });
      ids.push(extra);
      const [x, y] = await Promise.all([
        markUnmarked(t.courseId, t.activityId, extra, AUTO_MARK_ACTOR, deps),
        markUnmarked(t.courseId, t.activityId, extra, t.userId, deps),
      ]);
      expect(x.insertedUserIds.length + y.insertedUserIds.length).toBe(30);
    } finally {
      unsubscribe();
    }
    for (const id of ids) {
      expect(await recordsOf(id)).toHaveLength(30);
      const audit = await auditOf(id);
      expect(audit).toHaveLength(30);
      expect(new Set(audit.map((e) => e.userId)).size).toBe(30);
    }
    expect(notified).toHaveLength(120);
    expect(new Set(notified).size).toBe(30);
    expect(await JobLeaseModel.countDocuments({ _id: { $regex: '^auto-mark:' } })).toBe(0); // every claim given back
  });

  it('when an instance crashed holding a session, then another takes it over once the lease lapses', async () => {
    const t = await launchTeacher(h, 'am-crash');
    await addStudents(t.courseId, CLASS.slice(0, 1));
    const id = await seedSession(t);
    clock = new Date('2030-03-02T12:00:00Z');
    expect(await acquireLease(`auto-mark:${id}`, 'crashed', 120_000, clock)).toBe(true);
    expect(await runAutoMark(deps, { holder: 'B' })).toMatchObject({ sessions: 0, busy: 1 });
    expect(await recordsOf(id)).toHaveLength(0);
    clock = new Date(clock.getTime() + 121_000);
    expect(await runAutoMark(deps, { holder: 'B' })).toMatchObject({ sessions: 1, inserted: 1 });
    expect(await JobLeaseModel.findById(`auto-mark:${id}`).lean()).toBeNull();
  });

  it('leases: one holder at a time, renewable by the holder, released only by the holder', async () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const results = await Promise.all([acquireLease('test:x', 'A', 1000, now), acquireLease('test:x', 'B', 1000, now)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results[0] ? 'A' : 'B';
    const loser = winner === 'A' ? 'B' : 'A';
    expect(await acquireLease('test:x', winner, 1000, new Date(now.getTime() + 500))).toBe(true); // renewal
    expect(await acquireLease('test:x', loser, 1000, new Date(now.getTime() + 1000))).toBe(false); // renewed until 1.5 s
    await releaseLease('test:x', loser); // not theirs: no effect
    expect(await acquireLease('test:x', loser, 1000, new Date(now.getTime() + 1000))).toBe(false);
    await releaseLease('test:x', winner);
    expect(await acquireLease('test:x', loser, 1000, now)).toBe(true);
  });
});

describe('"mark the unmarked now" on the take page', () => {
  it('when the teacher confirms before the end, then the unmarked are marked at once, and the end-of-session run marks whoever is unmarked by then', async () => {
    const t = await launchTeacher(h, 'am-trigger');
    await addStudents(t.courseId, CLASS.slice(0, 3));
    const id = await seedSession(t);
    await seedRecord(t, id, 'am-anna', t.status.P, 'teacher');
    clock = new Date('2030-03-02T10:15:00Z');

    const page = await t.get(id);
    const text = visibleText(page.text);
    expect(text).toContain('When the session ends, students still unmarked get A · Absent automatically.');
    expect(text).toContain('This gives 2 unmarked students A · Absent. Marks already given stay as they are.');
    expect(text).toContain('Mark the unmarked as A · Absent now');
    expect(page.text).toContain(`action="${autoMarkPath(t, id)}"`);

    const res = await trigger(t.agent, t.ltik, autoMarkPath(t, id));
    expect(res.status).toBe(303);
    const after = await follow(t, res);
    expect(visibleText(after.text)).toContain('2 students marked A · Absent.');
    expect(after.text).toContain('role="status"');
    expect(after.text).not.toContain(`action="${autoMarkPath(t, id)}"`); // nobody left to mark
    const records = byUser(await recordsOf(id));
    expect(records.map((r) => [r.userId, r.source, r.statusId])).toEqual([
      ['am-anna', 'teacher', t.status.P], ['am-janis', 'auto', t.status.A], ['am-liga', 'auto', t.status.A],
    ]);
    const audit = await auditOf(id);
    expect(audit.map((a) => [a.actorId, a.source])).toEqual([[t.userId, 'auto'], [t.userId, 'auto']]);
    expect(await doneOf(id)).toBeUndefined(); // the session is left to the job

    // Sent again: nothing more to do, nothing written.
    expect(visibleText((await follow(t, await trigger(t.agent, t.ltik, autoMarkPath(t, id)))).text)).toContain('Nobody was left unmarked; nothing changed.');
    expect(await auditOf(id)).toHaveLength(2);

    // A student who joins the course before the end is still covered at the end.
    await addStudents(t.courseId, [CLASS[3] as Student]);
    clock = new Date('2030-03-02T11:31:00Z');
    expect(await runAutoMark(deps, { holder: 'A' })).toMatchObject({ sessions: 1, inserted: 1 });
    expect((await recordsOf(id)).find((r) => r.userId === 'am-zane')).toMatchObject({ source: 'auto', statusId: t.status.A });
  });

  it('refuses students (403) and sessions of another course (404)', async () => {
    const t = await launchTeacher(h, 'am-guard-a');
    await addStudents(t.courseId, CLASS.slice(0, 1));
    const own = await seedSession(t);
    const b = await launchTeacher(h, 'am-guard-b', { userId: 'teacher-am-guard-a' });
    await addStudents(b.courseId, CLASS.slice(0, 1));
    const other = await seedSession(b);
    clock = new Date('2030-03-02T10:15:00Z');

    const wrongCourse = await trigger(t.agent, t.ltik, autoMarkPath(t, other));
    expect(wrongCourse.status).toBe(404);
    expect(await recordsOf(other)).toHaveLength(0);

    const s = await h.lms.launch({ role: 'Learner', context: { id: 'am-guard-a' }, resourceLink: { id: 'rl1' }, user: { id: 'am-anna', givenName: 'Anna', familyName: 'Bērziņa' } });
    expect(s.ltik).toBeTruthy();
    const asStudent = await trigger(s.agent, s.ltik ?? '', autoMarkPath(t, own));
    expect(asStudent.status).toBe(403);
    expect((await s.agent.get(withLtik(t.takePath(own), s.ltik ?? ''))).status).toBe(403);
    expect(await recordsOf(own)).toHaveLength(0);
  });
});

describe('the worker', () => {
  it('when it runs on its own every 200 ms, then a session that ended is marked without anyone calling it', async () => {
    const t = await launchTeacher(h, 'am-worker');
    await addStudents(t.courseId, CLASS.slice(0, 2));
    const id = await seedSession(t);
    clock = new Date('2030-03-02T10:00:00Z');
    const worker = startAutoMarkWorker({ intervalMs: 200, log: deps.log, now: () => clock });
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await recordsOf(id)).toHaveLength(0); // not ended yet
      clock = new Date('2030-03-02T11:30:05Z');
      const deadline = Date.now() + 5000;
      while ((await recordsOf(id)).length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      await worker.stop();
    }
    expect((await recordsOf(id)).map((r) => r.source)).toEqual(['auto', 'auto']);
    expect(await doneOf(id)).toMatchObject({ outcome: 'marked' });
  });
});
