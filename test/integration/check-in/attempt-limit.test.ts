import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import supertest from 'supertest';
import { deleteFreeAttempts, recentFailuresMs, releaseAttempt, reserveAttempt } from '../../../src/check-in/attempt-slots.service';
import { AttendanceSessionModel } from '../../../src/sessions/attendance-session.model';
import { StatusSetModel } from '../../../src/status-sets/status-set.model';
import { startHarness, TestHarness } from '../../support/tool';
import { launchTeacher, recordsOf, TakeCourse, visibleText } from '../attendance/take-helpers';

/**
 * Issue #12, item 5: the wrong-code limit (5 per student and session per 10 minutes) holds
 * under concurrency. A guess is "judged" when its answer tells right from wrong: the wrong-code
 * page ("N attempts left") or an accepted check-in. Every other answer to a guess must be the
 * lock-out page (or "already recorded", which does not depend on the code). Attempts are counted
 * in the responses and in the database. The tool's clock is `clock`, which tests move.
 */

let clock = new Date();
let h: TestHarness;
beforeAll(async () => { h = await startHarness({ now: () => clock }); }, 60_000);
afterAll(async () => { await h.close(); });

const PASSWORD = 'ACDEFG';
const MIN = 60_000;
const FORM = { enabled: '1', password: PASSWORD, statusMode: 'auto', lateAfterMinutes: '10', opensMinutesBefore: '0', allowedCidrs: '', rotateSeconds: '15', graceSeconds: '5', action: 'save' };
type Student = { agent: supertest.Agent; ltik: string };

async function openSession(t: TakeCourse, settings: Record<string, string> = {}, startOffsetMin = -5): Promise<string> {
  const id = randomUUID();
  await AttendanceSessionModel.create({
    _id: id, courseId: t.courseId, activityId: t.activityId, startsAt: new Date(clock.getTime() + startOffsetMin * MIN), durationMinutes: 90,
    timezone: 'Europe/Riga', description: 'Lecture', audience: { kind: 'all' }, statusSetId: `${t.activityId}-default`, createdBy: 'teacher',
  });
  const res = await t.agent.post(`/activity/${t.activityId}/teacher/sessions/${id}/self-marking`).type('form').send({ ltik: t.ltik, ...FORM, ...settings });
  expect(res.status).toBe(303);
  return id;
}

async function student(contextId: string, userId: string): Promise<Student> {
  const r = await h.lms.launch({ role: 'Learner', context: { id: contextId }, resourceLink: { id: 'rl1' }, user: { id: userId, givenName: 'Sam', familyName: userId } });
  if (!r.ltik) throw new Error(`student launch failed ${r.status}`);
  return { agent: r.agent, ltik: r.ltik };
}

const path = (t: TakeCourse, id: string) => `/activity/${t.activityId}/student/sessions/${id}/check-in`;
const submit = (s: Student, p: string, fields: Record<string, string>) => s.agent.post(p).type('form').send({ ltik: s.ltik, ...fields });

type Answer = 'wrong' | 'locked' | 'accepted' | 'already' | 'other';
function answerOf(res: supertest.Response): Answer {
  if (res.status === 303) return 'accepted';
  const text = visibleText(res.text);
  if (res.status === 409 && text.includes('Your attendance is already recorded')) return 'already';
  // "Wrong password/code. N attempts left.", or for the last one "Wrong …. Too many wrong attempts. Try again after …".
  if (res.status === 400 && /Wrong (password|code)\. (\d attempts? left|Too many wrong attempts\. Try again after)/.test(text)) return 'wrong';
  if (res.status === 403 && text.includes('Too many wrong attempts. Try again after')) return 'locked';
  return 'other';
}
const tally = (answers: Answer[]) => answers.reduce<Record<Answer, number>>((n, a) => ({ ...n, [a]: n[a] + 1 }), { wrong: 0, locked: 0, accepted: 0, already: 0, other: 0 });

/** The wrong codes still counted against the student, as stored (the lock-out's only record). */
const heldAttempts = (sessionId: string, userId: string) =>
  mongoose.connection.collection('check_in_attempts').countDocuments({ sessionId, userId, until: { $gt: clock } });

describe('the wrong-code limit under concurrency', () => {
  let t: TakeCourse;
  beforeAll(async () => { clock = new Date(); t = await launchTeacher(h, 'al-burst'); });

  it('when one student sends 100 wrong passwords at once, then 5 are judged and 95 are locked out; the right password is then refused too', async () => {
    const id = await openSession(t);
    const s = await student('al-burst', 'al-s1');
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => submit(s, path(t, id), { code: `WRONG${i}` })));
    expect(tally(results.map(answerOf))).toEqual({ wrong: 5, locked: 95, accepted: 0, already: 0, other: 0 });
    expect(await heldAttempts(id, 'al-s1')).toBe(5);

    const right = await submit(s, path(t, id), { code: PASSWORD });
    expect(answerOf(right)).toBe('locked');
    expect(await recordsOf(id)).toHaveLength(0);
    expect(await heldAttempts(id, 'al-s1')).toBe(5);

    // Ten minutes later the expired attempts are won again, still by 5 requests only.
    clock = new Date(clock.getTime() + 10 * MIN);
    const again = await Promise.all(Array.from({ length: 100 }, (_, i) => submit(s, path(t, id), { code: `AGAIN${i}` })));
    expect(tally(again.map(answerOf))).toEqual({ wrong: 5, locked: 95, accepted: 0, already: 0, other: 0 });
    expect(await heldAttempts(id, 'al-s1')).toBe(5);
  });

  it('when one student sends 100 wrong rotating codes at once, then 5 are judged; the limit is per student and session', async () => {
    const id = await openSession(t, { showQr: '1' });
    const s = await student('al-burst', 'al-s2');
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => submit(s, path(t, id), { code: String(100000 + i) })));
    expect(tally(results.map(answerOf))).toEqual({ wrong: 5, locked: 95, accepted: 0, already: 0, other: 0 });
    expect(await heldAttempts(id, 'al-s2')).toBe(5);

    // Another student of the same session, and the same student in another session, are not locked out.
    const other = await student('al-burst', 'al-s3');
    expect(answerOf(await submit(other, path(t, id), { code: '000000' }))).toBe('wrong');
    const next = await openSession(t);
    expect(answerOf(await submit(s, path(t, next), { code: PASSWORD }))).toBe('accepted');
  });

  it('when a burst of wrong and right passwords arrives together, then at most 5 wrong ones are judged and nothing else gets past the lock-out', async () => {
    const id = await openSession(t);
    const s = await student('al-burst', 'al-s4');
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => submit(s, path(t, id), { code: i % 10 === 9 ? PASSWORD : `WRONG${i}` })));
    const counts = tally(results.map(answerOf));
    expect(counts.other).toBe(0);
    expect(counts.wrong).toBeLessThanOrEqual(5);
    expect(counts.accepted).toBeLessThanOrEqual(1);
    expect(await heldAttempts(id, 'al-s4')).toBe(counts.wrong);
    expect(await recordsOf(id)).toHaveLength(counts.accepted);
  });
});

describe('what uses up an attempt, and when it comes back', () => {
  let t: TakeCourse;
  beforeAll(async () => { clock = new Date(); t = await launchTeacher(h, 'al-rules'); });

  it('when a student gets 4 wrong and then the right password, then the check-in is recorded and the right one used no attempt', async () => {
    const id = await openSession(t);
    const s = await student('al-rules', 'al-r1');
    for (let i = 0; i < 4; i++) expect(answerOf(await submit(s, path(t, id), { code: `WRONG${i}` }))).toBe('wrong');
    expect(visibleText((await submit(s, path(t, id), { code: 'WRONG4' })).text)).toContain('Wrong password. Too many wrong attempts. Try again after');
    expect(await heldAttempts(id, 'al-r1')).toBe(5);

    const id2 = await openSession(t);
    for (let i = 0; i < 4; i++) await submit(s, path(t, id2), { code: `WRONG${i}` });
    expect(answerOf(await submit(s, path(t, id2), { code: PASSWORD }))).toBe('accepted');
    expect(await heldAttempts(id2, 'al-r1')).toBe(4);
  });

  it('when 10 right passwords arrive at once, then one is recorded and none is left counted as an attempt', async () => {
    const id = await openSession(t);
    const s = await student('al-rules', 'al-r2');
    const results = await Promise.all(Array.from({ length: 10 }, () => submit(s, path(t, id), { code: PASSWORD })));
    expect(results.filter((r) => r.status === 303)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(9);
    expect(await heldAttempts(id, 'al-r2')).toBe(0);
  });

  it('when a student changes the chosen status many times with the right password, then no attempt is used up', async () => {
    // Its own course: students may pick P and L here, which the other tests' default set does not allow.
    const c = await launchTeacher(h, 'al-choose');
    for (const status of [c.status.P, c.status.L]) {
      await StatusSetModel.updateOne({ _id: `${c.activityId}-default`, 'statuses._id': status }, { $set: { 'statuses.$.studentPick': { mode: 'always' } } });
    }
    const id = await openSession(c, { statusMode: 'choose', allowChange: '1' });
    const s = await student('al-choose', 'al-r3');
    const form = await s.agent.get(`${path(c, id)}?ltik=${encodeURIComponent(s.ltik)}`);
    const statuses = [...form.text.matchAll(/name="statusId" value="([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(statuses.length).toBeGreaterThanOrEqual(2);
    for (let i = 0; i < 7; i++) expect(answerOf(await submit(s, path(c, id), { code: PASSWORD, statusId: statuses[i % 2] ?? '' }))).toBe('accepted');
    expect(await heldAttempts(id, 'al-r3')).toBe(0);
  });

  it('when the code is not looked at (closed, already recorded), then no attempt is used up', async () => {
    const ended = await openSession(t, {}, -200);
    const s = await student('al-rules', 'al-r4');
    for (let i = 0; i < 7; i++) expect((await submit(s, path(t, ended), { code: `WRONG${i}` })).status).toBe(403);
    expect(await heldAttempts(ended, 'al-r4')).toBe(0);

    const id = await openSession(t);
    expect(answerOf(await submit(s, path(t, id), { code: PASSWORD }))).toBe('accepted');
    for (let i = 0; i < 7; i++) {
      const again = await submit(s, path(t, id), { code: `WRONG${i}` });
      expect(again.status).toBe(409);
      expect(visibleText(again.text)).toContain('already recorded');
    }
    expect(await heldAttempts(id, 'al-r4')).toBe(0);
  });

  it('when locked out, then the page says when to try again, and from then on one attempt is back', async () => {
    const start = clock;
    const id = await openSession(t);
    const s = await student('al-rules', 'al-r5');
    for (let i = 0; i < 5; i++) {
      clock = new Date(start.getTime() + i * MIN);
      await submit(s, path(t, id), { code: `WRONG${i}` });
    }
    clock = new Date(start.getTime() + 9 * MIN);
    const locked = await submit(s, path(t, id), { code: PASSWORD });
    expect(answerOf(locked)).toBe('locked');
    // The first wrong code leaves the window 10 minutes after it was typed (shown in Riga time, UTC+2/+3).
    const retry = new Date(start.getTime() + 10 * MIN);
    const hhmm = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Riga', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(retry);
    expect(visibleText(locked.text)).toContain(hhmm);

    clock = new Date(start.getTime() + 10 * MIN);
    expect(visibleText((await submit(s, path(t, id), { code: 'WRONG5' })).text)).toContain('Wrong password. Too many wrong attempts. Try again after');
    expect(answerOf(await submit(s, path(t, id), { code: PASSWORD }))).toBe('locked');
    clock = new Date(start.getTime() + 11 * MIN);
    expect(answerOf(await submit(s, path(t, id), { code: PASSWORD }))).toBe('accepted');
    clock = new Date();
  });
});

describe('attempt slots (the atomic step itself)', () => {
  const t0 = new Date('2030-03-01T09:00:00Z');
  const later = (ms: number) => new Date(t0.getTime() + ms);
  const scope = () => ({ courseId: 'c1', activityId: 'a1', sessionId: randomUUID(), userId: 'u|1' });

  it('when a slot expired and was won by another request, then the first holder\'s late give-back leaves it held', async () => {
    const sc = scope();
    const policy = { limit: 1, windowMs: MIN };
    const first = await reserveAttempt(sc, t0, policy);
    expect(first).toBeDefined();
    expect(await reserveAttempt(sc, later(MIN - 1), policy)).toBeUndefined();
    const second = await reserveAttempt(sc, later(MIN), policy);
    expect(second).toBeDefined();
    if (first) await releaseAttempt(first);
    expect(await reserveAttempt(sc, later(MIN), policy)).toBeUndefined();
    if (second) await releaseAttempt(second);
    expect(await reserveAttempt(sc, later(MIN), policy)).toBeDefined();
  });

  it('when 50 requests race for expired slots, then each slot goes to exactly one', async () => {
    const sc = scope();
    for (let i = 0; i < 5; i++) expect(await reserveAttempt(sc, t0)).toBeDefined();
    const won = await Promise.all(Array.from({ length: 50 }, () => reserveAttempt(sc, later(10 * MIN))));
    expect(won.filter(Boolean)).toHaveLength(5);
    expect(new Set(won.filter(Boolean).map((w) => w?.id)).size).toBe(5);
  });

  it('reports the held slots as failure times, and the cleanup deletes only slots long free', async () => {
    const sc = scope();
    await reserveAttempt(sc, t0);
    const given = await reserveAttempt(sc, later(1000));
    await reserveAttempt(sc, later(2000));
    if (given) await releaseAttempt(given);
    expect((await recentFailuresMs(sc, later(3000))).sort()).toEqual([t0.getTime(), t0.getTime() + 2000]);
    expect(await recentFailuresMs({ ...sc, courseId: 'other-course' }, later(3000))).toEqual([]);

    const slots = mongoose.connection.collection('check_in_attempts');
    await deleteFreeAttempts(later(10 * MIN + 30_000));
    expect(await slots.countDocuments({ sessionId: sc.sessionId })).toBe(2);
    await deleteFreeAttempts(later(10 * MIN + 2000 + 60_000));
    expect(await slots.countDocuments({ sessionId: sc.sessionId })).toBe(0);
  });
});
