import { randomUUID } from 'node:crypto';
import { runAutoMark } from '../../../src/attendance/auto-mark.service';
import { ActivityModel } from '../../../src/courses/activity.model';
import { onAttendanceChanged } from '../../../src/grading/grade-hooks';
import { GradeSyncJobModel, gradeSyncJobId } from '../../../src/grading/grade-sync.model';
import { enqueueGradeSync } from '../../../src/grading/grade-sync.service';
import { AttendanceSessionModel } from '../../../src/sessions/attendance-session.model';
import { acquireLease, releaseLease } from '../../../src/shared/job-lease.service';
import type { TestHarness } from '../../support/tool';
import { addSession, addStudents } from '../attendance/take-helpers';
import { defaultSet, editForm } from '../status-sets/status-set-pages';
import { activityOf, agsServices, ANN, BOB, CID, gradebookOf, type GradeSyncRunner, gradeSyncSuite, jobOf, launchGradedTeacher, mark, runner, scoresOf } from './grade-sync-helpers';

let h: TestHarness;
let run: GradeSyncRunner;
const { clock, captured } = gradeSyncSuite((harness, worker) => { h = harness; run = worker; });


/** Three sessions: Ann P, L, A → (2+1+0)/6 × 100 = 50; Bob P, P, E → (2+2+1)/6 × 100 = 83.33. */
async function craftedCase(contextId: string, opts: Parameters<typeof launchGradedTeacher>[2] = {}) {
  const t = await launchGradedTeacher(h, contextId, opts);
  await addStudents(t.courseId, [ANN, BOB, CID]);
  const sessions = [await addSession(t, { kind: 'all' }, 'One'), await addSession(t, { kind: 'all' }, 'Two'), await addSession(t, { kind: 'all' }, 'Three')];
  await mark(t, sessions[0] ?? '', { ann: 'P', bob: 'P' });
  await mark(t, sessions[1] ?? '', { ann: 'L', bob: 'P' });
  await mark(t, sessions[2] ?? '', { ann: 'A', bob: 'E' });
  return { t, sessions };
}

/** Score bodies in student order (a run sends several at once, in no particular order). */
const byUser = (bodies: Array<Record<string, unknown>>) => [...bodies].sort((a, b) => String(a.userId).localeCompare(String(b.userId)));

const scoreBody = (userId: string, scoreGiven: number, scoreMaximum = 100) => ({
  userId, scoreGiven, scoreMaximum, activityProgress: 'Completed', gradingProgress: 'FullyGraded', timestamp: clock.now().toISOString(),
});

describe('scores after each kind of change', () => {
  it('when attendance is taken and edited on the take page, then each student gets the exact score, and only changed students are sent again', async () => {
    const { t, sessions } = await craftedCase('gs-take');
    // Three saves, one job per student (merged); Cid has no record and no job.
    expect(await GradeSyncJobModel.countDocuments({ activityId: t.activityId })).toBe(2);
    expect(await run()).toMatchObject({ claimed: 2, sent: 2, retrying: 0, failed: 0 });

    const launchLineItem = (await activityOf(t.activityId))?.services?.agsLineItemUrl;
    expect(launchLineItem).toMatch(/\/ags\/gs-take\/lineitems\/\d+\/lineitem\?type_id=1$/);
    expect(scoresOf(h, 'gs-take').map((s) => s.lineItemId)).toEqual([launchLineItem, launchLineItem]);
    expect(byUser(scoresOf(h, 'gs-take').map((s) => s.body))).toEqual([scoreBody('ann', 50), scoreBody('bob', 83.33)]);
    expect(gradebookOf(h, 'gs-take')).toEqual({ ann: 50, bob: 83.33 });
    // The launch's line item is used: the tool creates none.
    expect(h.lms.lineItems('gs-take')).toHaveLength(1);
    expect(await jobOf(t.activityId, 'ann')).toMatchObject({ state: 'done', attempts: 0, lastScore: 50, lastSentAt: clock.now(), lastSuccessAt: clock.now() });

    // Editing: Ann's A becomes P → (2+1+2)/6 = 83.33. Bob's row is posted unchanged.
    clock.advance(1000);
    await mark(t, sessions[2] ?? '', { ann: 'P', bob: 'E' });
    expect(await run()).toMatchObject({ claimed: 1, sent: 1 });
    expect(scoresOf(h, 'gs-take', 'ann').map((s) => s.body.scoreGiven)).toEqual([50, 83.33]);
    expect(scoresOf(h, 'gs-take', 'bob')).toHaveLength(1);
    expect(gradebookOf(h, 'gs-take')).toEqual({ ann: 83.33, bob: 83.33 });
    // Nothing left to do.
    expect(await run()).toMatchObject({ claimed: 0 });
  });

  it('when a student checks in with the password, then their score is sent', async () => {
    const t = await launchGradedTeacher(h, 'gs-checkin');
    const id = randomUUID();
    await AttendanceSessionModel.create({
      _id: id, courseId: t.courseId, activityId: t.activityId, startsAt: new Date(clock.now().getTime() - 5 * 60_000), durationMinutes: 90,
      timezone: 'Europe/Riga', description: 'Lecture', audience: { kind: 'all' }, statusSetId: `${t.activityId}-default`, createdBy: 'teacher',
    });
    const settings = await t.agent.post(`/activity/${t.activityId}/teacher/sessions/${id}/self-marking`).type('form').send({
      ltik: t.ltik, enabled: '1', password: 'ACDEFG', statusMode: 'auto', lateAfterMinutes: '10', opensMinutesBefore: '0', allowedCidrs: '', rotateSeconds: '15', graceSeconds: '5', action: 'save',
    });
    expect(settings.status).toBe(303);
    const s = await h.lms.launch({ role: 'Learner', context: { id: 'gs-checkin' }, resourceLink: { id: 'rl1', title: 'Lectures' }, user: { id: 'stud-1', givenName: 'Sam', familyName: 'Student' } });
    const checkIn = await s.agent.post(`/activity/${t.activityId}/student/sessions/${id}/check-in`).type('form').send({ ltik: s.ltik, code: 'ACDEFG' });
    expect(checkIn.status).toBe(303);

    expect(await run()).toMatchObject({ sent: 1 });
    expect(scoresOf(h, 'gs-checkin').map((x) => x.body)).toEqual([scoreBody('stud-1', 100)]);
  });

  it('when automatic marking gives the unmarked their status, then their (zero) score is sent', async () => {
    const t = await launchGradedTeacher(h, 'gs-auto');
    await addStudents(t.courseId, [ANN, BOB]);
    const id = randomUUID();
    await AttendanceSessionModel.create({
      _id: id, courseId: t.courseId, activityId: t.activityId, startsAt: new Date(clock.now().getTime() - 3 * 3600_000), durationMinutes: 90,
      timezone: 'Europe/Riga', description: 'Ended', audience: { kind: 'all' }, statusSetId: `${t.activityId}-default`, createdBy: 'teacher',
      createdAt: new Date(clock.now().getTime() - 7 * 24 * 3600_000), // planned before it ended (else it is closed unmarked)
    });
    await mark(t, id, { ann: 'P' });
    await run();
    expect(await runAutoMark({ now: clock.now, log: captured.log }, { holder: 'auto-mark-test' })).toMatchObject({ inserted: 1 });
    expect(await run()).toMatchObject({ claimed: 1, sent: 1 });
    expect(scoresOf(h, 'gs-auto').map((x) => x.body)).toEqual([scoreBody('ann', 100), scoreBody('bob', 0)]);
    expect(gradebookOf(h, 'gs-auto')).toEqual({ ann: 100, bob: 0 });
  });

  it('when a status\'s points are edited, then every student is recomputed; students without records get no score', async () => {
    const { t } = await craftedCase('gs-points');
    await run();
    const set = await defaultSet(t.activityId);
    const res = await t.agent.post(`/activity/${t.activityId}/teacher/status-sets/${set._id}`).type('form').send({ ltik: t.ltik, ...editForm(set, { L: { points: '1.5' } }) });
    expect(res.status).toBe(303);
    // Every student of the course is enqueued (Cid too); only those with a grade are sent.
    expect(await GradeSyncJobModel.countDocuments({ activityId: t.activityId, state: 'pending' })).toBe(3);
    expect(await run()).toMatchObject({ claimed: 3, sent: 2, skipped: 1 });
    // Ann (2+1.5+0)/6 = 58.33; Bob unchanged 83.33.
    expect(gradebookOf(h, 'gs-points')).toEqual({ ann: 58.33, bob: 83.33 });
    expect(scoresOf(h, 'gs-points', 'cid')).toEqual([]);
    expect(await jobOf(t.activityId, 'cid')).toMatchObject({ state: 'done' });
    expect((await jobOf(t.activityId, 'cid'))?.lastSentAt).toBeUndefined();
  });

  it('when sessions are deleted, then the students who had records are recomputed, and one left without records gets a clearing score', async () => {
    const { t, sessions } = await craftedCase('gs-delete');
    await run();
    const del = (id: string) => t.agent.post(`/activity/${t.activityId}/teacher/sessions/${id}/delete`).type('form').send({ ltik: t.ltik });
    expect((await del(sessions[2] ?? '')).status).toBe(303); // Ann's A and Bob's E go
    expect(await run()).toMatchObject({ claimed: 2, sent: 2 });
    expect(gradebookOf(h, 'gs-delete')).toEqual({ ann: 75, bob: 100 }); // Ann (2+1)/4, Bob (2+2)/4

    expect((await del(sessions[0] ?? '')).status).toBe(303);
    expect((await del(sessions[1] ?? '')).status).toBe(303);
    expect(await run()).toMatchObject({ claimed: 2, sent: 2 });
    // No session counts any more: the grades they had are cleared, not left behind.
    expect(scoresOf(h, 'gs-delete', 'ann').at(-1)?.body).toEqual({ userId: 'ann', activityProgress: 'Initialized', gradingProgress: 'NotReady', timestamp: clock.now().toISOString() });
    expect(gradebookOf(h, 'gs-delete')).toEqual({ ann: null, bob: null });
    expect(await jobOf(t.activityId, 'ann')).toMatchObject({ state: 'done', lastScore: null });
    // Cleared once is enough: a later recomputation sends nothing more.
    await enqueueGradeSync(t.courseId, t.activityId, ['ann'], clock.now());
    expect(await run()).toMatchObject({ claimed: 1, sent: 0, skipped: 1 });
  });

  it('when a grading option and the max grade change (announced through the hook), then scores use the new rule and maximum', async () => {
    const { t } = await craftedCase('gs-option');
    await run();
    await ActivityModel.updateOne({ _id: t.activityId }, { $set: { 'grading.excludeExcused': true, 'grading.maxGrade': 7.5 } });
    await onAttendanceChanged(t.courseId, t.activityId, ['ann', 'bob']);
    expect(await run()).toMatchObject({ sent: 2 });
    // Ann: 3/6 × 7.5 = 3.75. Bob without the excused session: 4/4 × 7.5 = 7.5.
    expect(byUser(scoresOf(h, 'gs-option').slice(-2).map((s) => s.body))).toEqual([scoreBody('ann', 3.75, 7.5), scoreBody('bob', 7.5, 7.5)]);
    // Moodle scales to its column's maximum (100).
    expect(gradebookOf(h, 'gs-option')).toEqual({ ann: 50, bob: 100 });
  });

  it('when the grade type is none, then nothing is ever sent', async () => {
    const t = await launchGradedTeacher(h, 'gs-none');
    await ActivityModel.updateOne({ _id: t.activityId }, { $set: { 'grading.type': 'none' } });
    await addStudents(t.courseId, [ANN]);
    await mark(t, await addSession(t), { ann: 'P' });
    expect(await run()).toMatchObject({ claimed: 1, sent: 0, skipped: 1 });
    expect(scoresOf(h, 'gs-none')).toEqual([]);
    expect(await jobOf(t.activityId, 'ann')).toMatchObject({ state: 'done' });
  });
});

describe('jobs merge, and two workers never send the same grade at once', () => {
  it('when the same student is enqueued 10 times, then there is one job and one score', async () => {
    const t = await launchGradedTeacher(h, 'gs-merge');
    await addStudents(t.courseId, [ANN]);
    const session = await addSession(t);
    await mark(t, session, { ann: 'L' });
    await Promise.all(Array.from({ length: 5 }, () => enqueueGradeSync(t.courseId, t.activityId, ['ann'], clock.now())));
    for (let i = 0; i < 4; i++) await onAttendanceChanged(t.courseId, t.activityId, ['ann', 'ann']);
    const jobs = await GradeSyncJobModel.find({ activityId: t.activityId }).lean();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.generation).toBeGreaterThanOrEqual(10);
    expect(await run()).toMatchObject({ claimed: 1, sent: 1 });
    expect(scoresOf(h, 'gs-merge').map((s) => s.body.scoreGiven)).toEqual([50]);
  });

  it('when two workers process the same due jobs at the same moment, then every student gets exactly one score', async () => {
    const t = await launchGradedTeacher(h, 'gs-race');
    const students = Array.from({ length: 12 }, (_, i) => ({ id: `r${String(i).padStart(2, '0')}`, givenName: 'R', familyName: `Number ${i}` }));
    await addStudents(t.courseId, students);
    const session = await addSession(t);
    await mark(t, session, Object.fromEntries(students.map((s) => [s.id, 'P' as const])));
    for (let round = 1; round <= 3; round++) {
      if (round > 1) await enqueueGradeSync(t.courseId, t.activityId, students.map((s) => s.id), clock.now());
      const [a, b] = await Promise.all([run('worker-A'), run('worker-B')]);
      expect(a.claimed + b.claimed).toBe(12);
      expect(a.failed + b.failed + a.retrying + b.retrying).toBe(0);
      const perStudent = new Map<string, number>();
      for (const s of scoresOf(h, 'gs-race')) perStudent.set(String(s.body.userId), (perStudent.get(String(s.body.userId)) ?? 0) + 1);
      expect([...perStudent.values()]).toEqual(students.map(() => round));
    }
  });

  it('when another instance holds a job\'s lease, then this worker leaves the job alone until the lease is given back', async () => {
    const t = await launchGradedTeacher(h, 'gs-leased');
    await addStudents(t.courseId, [ANN]);
    await mark(t, await addSession(t), { ann: 'P' });
    const key = `grade-sync:${gradeSyncJobId(t.activityId, 'ann')}`;
    expect(await acquireLease(key, 'other-instance', 60_000, clock.now())).toBe(true);
    expect(await run()).toMatchObject({ claimed: 0 });
    expect(scoresOf(h, 'gs-leased')).toEqual([]);
    await releaseLease(key, 'other-instance');
    expect(await run()).toMatchObject({ claimed: 1, sent: 1 });
  });

  it('when a mark changes while its grade is being sent, then the job stays due and the newer grade follows', async () => {
    const t = await launchGradedTeacher(h, 'gs-midway');
    await addStudents(t.courseId, [ANN]);
    const session = await addSession(t);
    await mark(t, session, { ann: 'P' });
    const real = runner(clock, captured.log);
    let changed = false;
    const ags = { ...agsServices() };
    const postScore = ags.postScore;
    ags.postScore = async (endpoints, url, score) => {
      await postScore(endpoints, url, score);
      if (!changed) {
        changed = true; // the teacher saves a change while this score is on its way
        await mark(t, session, { ann: 'A' });
      }
    };
    expect(await runner(clock, captured.log, ags)()).toMatchObject({ sent: 1 });
    expect(await jobOf(t.activityId, 'ann')).toMatchObject({ state: 'pending', lastScore: 100 });
    expect(await real()).toMatchObject({ sent: 1 });
    expect(gradebookOf(h, 'gs-midway')).toEqual({ ann: 0 });
    expect(await jobOf(t.activityId, 'ann')).toMatchObject({ state: 'done', lastScore: 0 });
  });
});
