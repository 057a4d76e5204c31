/**
 * Issue #13 item 2: recovery without a human. The tool runs as `npm start` runs it on the
 * embedded default: the offline stand-in persisting to DATA_DIR, supervised (startDatabase with
 * `supervise`). During a burst of password check-ins the database process is killed with
 * SIGKILL. Every check-in ends as recorded (303) or as the calm 503; the supervisor restarts the
 * database on the same data and port; /readyz goes 503 → 200 by itself; the retries succeed; no
 * student has two records, and every acknowledged check-in is still there. Meanwhile a teacher
 * saves the take page of another session over and over (one more student each time): every save
 * answered 303 is still there after the crash.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import supertest from 'supertest';
import { AttendanceRecordModel } from '../../../src/attendance/attendance-record.model';
import { startDatabase } from '../../../src/db/database';
import type { StartedStandin } from '../../../src/db/standin';
import type { SupervisedDatabase } from '../../../src/db/supervisor';
import { AttendanceSessionModel } from '../../../src/sessions/attendance-session.model';
import type { Tool } from '../../../src/server';
import type { MockLms } from '../../support/mock-lms';
import { startHarness, TestHarness } from '../../support/tool';
import { formFromPage, launchTeacher, rowIndex } from '../attendance/take-helpers';
import { checkInPath, openPasswordSession, PASSWORD } from '../check-in/password-session';

jest.setTimeout(180_000);

const projectRoot = path.resolve(__dirname, '..', '..', '..');
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const STUDENTS = 60;

let dir: string;
let db: SupervisedDatabase<StartedStandin>;
let h: TestHarness;
let tool: Tool;
let lms: MockLms;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'la-crash-'));
  db = (await startDatabase({ embedded: 'standin', dataDir: dir, projectRoot, supervise: {} }, quiet)) as SupervisedDatabase<StartedStandin>;
  h = await startHarness({ mongoUri: db.uri });
  ({ tool, lms } = h);
});
afterAll(async () => {
  await h?.close();
  await db?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('when the embedded database is killed during a check-in burst', () => {
  it('then every check-in is recorded or a calm 503, the database comes back by itself, and retries succeed without duplicates', async () => {
    const t = await launchTeacher(h, 'crash-course');
    const sessionId = await openPasswordSession(t);
    const students: Array<{ id: string; agent: supertest.Agent; ltik: string }> = [];
    for (let i = 0; i < STUDENTS; i++) {
      const id = `crash-s${i}`;
      const r = await lms.launch({ role: 'Learner', context: { id: 'crash-course' }, resourceLink: { id: 'rl1' }, user: { id } });
      if (!r.ltik) throw new Error(`student launch failed: ${r.status}`);
      students.push({ id, agent: r.agent, ltik: r.ltik });
    }
    // The teacher's stream: load the take page, mark the next student P, save; again and again.
    const takenSession = randomUUID();
    await AttendanceSessionModel.create({
      _id: takenSession, courseId: t.courseId, activityId: t.activityId, startsAt: new Date(Date.now() - 5 * 60_000), durationMinutes: 90,
      timezone: 'Europe/Riga', description: 'Seminar', audience: { kind: 'all' }, statusSetId: `${t.activityId}-default`, createdBy: 'teacher',
    });
    const savedByTeacher: string[] = [];
    const saveAnswers = new Set<number>();
    let stopSaving = false;
    const saving = (async () => {
      while (!stopSaving && savedByTeacher.length < STUDENTS) {
        const page = await t.get(takenSession);
        saveAnswers.add(page.status);
        if (page.status !== 200) {
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        const next = students[savedByTeacher.length]!.id;
        const form = formFromPage(page.text);
        form[`s${rowIndex(page.text, next)}`] = t.status.P;
        const res = await t.post(takenSession, form);
        saveAnswers.add(res.status);
        if (res.status === 303) savedByTeacher.push(next);
      }
    })();
    while (savedByTeacher.length < 2) await new Promise((r) => setTimeout(r, 5));

    const checkIn = (s: (typeof students)[number]) =>
      s.agent.post(checkInPath(t, sessionId)).type('form').send({ ltik: s.ltik, code: PASSWORD });

    const killedPid = db.current().pid;
    const outcomes = new Map<string, number>();
    let sent = 0;
    const burst = students.map(async (s, i) => {
      await new Promise((r) => setTimeout(r, i * 10));
      sent++;
      outcomes.set(s.id, (await checkIn(s)).status);
    });
    while (sent < STUDENTS / 3) await new Promise((r) => setTimeout(r, 2));
    process.kill(killedPid, 'SIGKILL');
    const killedAt = Date.now();
    const sawDown = (async () => {
      for (let i = 0; i < 100; i++) {
        if ((await supertest(tool.url).get('/readyz')).status === 503) return true;
        await new Promise((r) => setTimeout(r, 50));
      }
      return false;
    })();
    await Promise.all(burst);
    expect(await sawDown).toBe(true);

    const statuses = [...outcomes.values()];
    expect(statuses.every((s) => s === 303 || s === 503)).toBe(true);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);

    // Back by itself: a new process on the same port, healthy within seconds.
    let healthy = false;
    for (let i = 0; i < 60 && !healthy; i++) {
      healthy = (await supertest(tool.url).get('/readyz')).status === 200;
      if (!healthy) await new Promise((r) => setTimeout(r, 500));
    }
    expect(healthy).toBe(true);
    const healthyAfterMs = Date.now() - killedAt;
    expect(db.restarts()).toBe(1);
    expect(db.current().pid).not.toBe(killedPid);

    // Every acknowledged check-in survived the crash.
    const acknowledged = [...outcomes].filter(([, s]) => s === 303).map(([id]) => id);
    const kept = new Set((await AttendanceRecordModel.find({ sessionId, userId: { $in: acknowledged } }, { userId: 1 }).lean()).map((r) => r.userId));
    expect(acknowledged.filter((id) => !kept.has(id))).toEqual([]);

    // The teacher's saves went on after the recovery; each one answered 303 survived the crash.
    const savedBeforeRecovery = savedByTeacher.length;
    while (savedByTeacher.length < savedBeforeRecovery + 3) await new Promise((r) => setTimeout(r, 20));
    stopSaving = true;
    await saving;
    expect([...saveAnswers].filter((s) => s !== 200 && s !== 303 && s !== 503)).toEqual([]);
    const count = (status: number) => statuses.filter((s) => s === status).length;
    console.info(`crash: /readyz 200 again ${healthyAfterMs} ms after the kill; check-ins ${count(303)} acknowledged, ${count(503)} refused with 503; teacher saves ${savedByTeacher.length} acknowledged (answers seen: ${[...saveAnswers].sort().join(', ')})`);
    const marked = await AttendanceRecordModel.find({ sessionId: takenSession }, { userId: 1, statusId: 1 }).lean();
    const markedP = new Set(marked.filter((r) => r.statusId === t.status.P).map((r) => r.userId));
    expect(savedByTeacher.filter((id) => !markedP.has(id))).toEqual([]);

    // The students who saw the 503 try again: recorded now, or "already recorded" if theirs had
    // been saved just before the answer was lost.
    const retried = await Promise.all(students.filter((s) => outcomes.get(s.id) === 503).map((s) => checkIn(s)));
    expect(retried.map((r) => r.status).filter((s) => s !== 303 && s !== 409)).toEqual([]);
    const records = await AttendanceRecordModel.find({ sessionId }, { userId: 1 }).lean();
    expect(records).toHaveLength(STUDENTS);
    expect(new Set(records.map((r) => r.userId)).size).toBe(STUDENTS);
  });
});
