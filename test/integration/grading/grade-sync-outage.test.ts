import { ActivityModel } from '../../../src/courses/activity.model';
import { GradeSyncJobModel } from '../../../src/grading/grade-sync.model';
import { withLtik } from '../../../src/shared/links';
import type { TestHarness } from '../../support/tool';
import { addSession, addStudents, TakeCourse, visibleText } from '../attendance/take-helpers';
import { agsServices, ANN, BOB, gradebookOf, type GradeSyncRunner, gradeSyncSuite, jobOf, launchGradedTeacher, mark, runner, scoresOf } from './grade-sync-helpers';

/** LMS outages: 5xx, timeouts, refused tokens, and the backoff that never gives up but shows a long failure as "failing". */

const MIN = 60_000;
const HOUR = 60 * MIN;
let h: TestHarness;
let run: GradeSyncRunner;
const { clock, captured } = gradeSyncSuite((harness, worker) => { h = harness; run = worker; });


const panelPath = (t: TakeCourse) => `/activity/${t.activityId}/teacher/grades`;
const panel = async (t: TakeCourse) => visibleText((await t.agent.get(withLtik(panelPath(t), t.ltik))).text);

describe('an LMS outage', () => {
  it('when the LMS answers 500 for a while, then the grades wait with backoff, merge new changes, and all arrive once it recovers', async () => {
    const t = await launchGradedTeacher(h, 'out-500');
    await addStudents(t.courseId, [ANN, BOB]);
    const session = await addSession(t);
    await mark(t, session, { ann: 'P', bob: 'L' });
    h.lms.failNext('scores', 500, 4);

    expect(await run()).toMatchObject({ claimed: 2, sent: 0, retrying: 2 });
    expect(await jobOf(t.activityId, 'ann')).toMatchObject({ state: 'pending', attempts: 1, lastError: 'lms_error', lastErrorStatus: 500, nextAttemptAt: new Date(clock.now().getTime() + MIN) });
    const waiting = await panel(t);
    expect(waiting).toContain('Waiting to be sent: 2');
    expect(waiting).toContain('Last error: The LMS answered with an error. (HTTP 500)');
    expect(waiting).toContain('No grade has been delivered yet.');

    // The teacher changes Ann's mark during the outage: same job, same schedule (no extra hammering).
    await mark(t, session, { ann: 'A', bob: 'L' });
    expect(await GradeSyncJobModel.countDocuments({ activityId: t.activityId })).toBe(2);
    expect(await run()).toMatchObject({ claimed: 0 });

    clock.advance(MIN);
    expect(await run()).toMatchObject({ claimed: 2, retrying: 2 }); // the 3rd and 4th 500
    expect(await jobOf(t.activityId, 'bob')).toMatchObject({ attempts: 2, nextAttemptAt: new Date(clock.now().getTime() + 2 * MIN) });

    clock.advance(2 * MIN);
    expect(await run()).toMatchObject({ claimed: 2, sent: 2 });
    // Every grade arrived, each student has one result, and Ann's is the newest (A → 0).
    expect(gradebookOf(h, 'out-500')).toEqual({ ann: 0, bob: 50 });
    expect(scoresOf(h, 'out-500')).toHaveLength(2);
    expect(await jobOf(t.activityId, 'ann')).toMatchObject({ state: 'done', attempts: 0 });
    const after = await panel(t);
    expect(after).toContain('Waiting to be sent: 0');
    expect(after).toContain('Failing: 0');
    expect(after).toContain('Up to date: 2');
    expect(after).toContain('No errors.');
    expect(after).toMatch(/Last grade delivered: .+\./);
  });

  it('when the LMS does not answer in time, then the attempt counts as a timeout and a later retry delivers (a late duplicate changes nothing)', async () => {
    const t = await launchGradedTeacher(h, 'out-slow');
    await addStudents(t.courseId, [ANN]);
    await mark(t, await addSession(t), { ann: 'L' });
    h.lms.stallNext('scores', 700, 1);
    const impatient = runner(clock, captured.log, agsServices(200));

    expect(await impatient()).toMatchObject({ retrying: 1 });
    expect(await jobOf(t.activityId, 'ann')).toMatchObject({ state: 'pending', attempts: 1, lastError: 'timeout' });

    clock.advance(MIN);
    expect(await impatient()).toMatchObject({ sent: 1 });
    // Let the stalled first request reach the LMS too: the newer score still wins.
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(gradebookOf(h, 'out-slow')).toEqual({ ann: 50 });
    expect(h.lms.gradebook('out-slow')).toHaveLength(1);
  });

  it('when the LMS no longer accepts the cached access token (401), then a fresh token is fetched and the score goes through at once', async () => {
    const t = await launchGradedTeacher(h, 'out-token');
    await addStudents(t.courseId, [ANN]);
    await mark(t, await addSession(t), { ann: 'P' });
    await run(); // caches a token
    const tokensBefore = h.lms.tokenRequests.filter((r) => r.ok).length;
    await mark(t, await addSession(t), { ann: 'A' });
    h.lms.failNext('scores', 401, 1);
    expect(await run()).toMatchObject({ sent: 1, retrying: 0 });
    expect(h.lms.tokenRequests.filter((r) => r.ok).length).toBe(tokensBefore + 1);
    expect(gradebookOf(h, 'out-token')).toEqual({ ann: 50 });
  });

  // Changed with issue #15: a grade is never given up. After 10 failures the job shows as failing
  // (it used to stop as "failed" and wait for a person); it is still retried at the 6-hour cap.
  it('when every retry fails, then after 10 attempts the job shows as failing, keeps being retried every 6 hours, and "Retry now" delivers it', async () => {
    const t = await launchGradedTeacher(h, 'out-fail');
    await addStudents(t.courseId, [ANN, BOB]);
    await mark(t, await addSession(t), { ann: 'P' });
    h.lms.failNext('scores', 503, 11);
    for (let attempt = 1; attempt <= 10; attempt++) {
      expect(await run()).toMatchObject({ claimed: 1, ...(attempt < 10 ? { retrying: 1 } : { failed: 1 }) });
      clock.advance(7 * HOUR);
    }
    expect(await jobOf(t.activityId, 'ann')).toMatchObject({ state: 'failed', attempts: 10, lastError: 'lms_error', lastErrorStatus: 503 });
    expect(await run()).toMatchObject({ claimed: 1, failed: 1 }); // a failing job is still retried
    const job = await jobOf(t.activityId, 'ann');
    expect(job).toMatchObject({ state: 'failed', attempts: 11, nextAttemptAt: new Date(clock.now().getTime() + 6 * HOUR) });
    expect(captured.lines.filter((l) => l.msg === 'grade sync: delivery failing; will keep retrying' && l.activityId === t.activityId)).toHaveLength(1);
    expect(captured.lines.filter((l) => l.msg === 'grade sync: gave up on a grade')).toHaveLength(0);

    const page = await panel(t);
    expect(page).toContain('Failing: 1');
    expect(page).toMatch(/Student Reason Last try Next try Attempts Actions Ann Abele Failing The LMS answered with an error\. \(HTTP 503\) The LMS said: “mock LMS simulated a scores failure” .+ 11 Retry for Ann Abele/);

    const retry = await t.agent.post(`${panelPath(t)}/retry`).type('form').send({ ltik: t.ltik });
    expect(retry.status).toBe(303);
    expect(retry.headers.location).toBe(`${withLtik(panelPath(t), t.ltik)}&retried=1`);
    const flashed = visibleText((await t.agent.get(String(retry.headers.location))).text);
    expect(flashed).toContain('1 grade will be sent within a few seconds.');
    expect(flashed).toContain('Waiting to be sent: 1');
    expect(await run()).toMatchObject({ sent: 1 });
    expect(gradebookOf(h, 'out-fail')).toEqual({ ann: 100 });
    expect(await panel(t)).toContain('Failing: 0');
  });

  // Changed with issue #15: a refused score stays queued (with a next attempt) instead of failing for good.
  it('when the LMS refuses a score outright (422), then the job shows as failing at once but stays queued, and the row\'s own retry sends it', async () => {
    const t = await launchGradedTeacher(h, 'out-422');
    await addStudents(t.courseId, [ANN, BOB]);
    await mark(t, await addSession(t), { ann: 'L', bob: 'P' });
    h.lms.failNext('scores', 422, 1);
    expect(await run()).toMatchObject({ claimed: 2, sent: 1, failed: 1 });
    const failed = await GradeSyncJobModel.findOne({ activityId: t.activityId, state: 'failed' }).lean();
    expect(failed).toMatchObject({ attempts: 1, lastError: 'rejected', lastErrorStatus: 422, nextAttemptAt: new Date(clock.now().getTime() + MIN) });
    expect(await panel(t)).toContain('The LMS refused the grade. (HTTP 422)');

    const res = await t.agent.post(`${panelPath(t)}/retry`).type('form').send({ ltik: t.ltik, userId: failed?.userId });
    expect(res.status).toBe(303);
    expect(await run()).toMatchObject({ sent: 1 });
    expect(gradebookOf(h, 'out-422')).toEqual({ ann: 50, bob: 100 });
  });

  it('when the activity has no AGS endpoints (the LMS did not grant grades), then the jobs show as failing with an explanation', async () => {
    const t = await launchGradedTeacher(h, 'out-noags', {});
    await ActivityModel.updateOne(
      { _id: t.activityId }, { $unset: { 'services.agsLineItemUrl': 1, 'services.agsLineItemsUrl': 1 } },
    );
    await addStudents(t.courseId, [ANN]);
    await mark(t, await addSession(t), { ann: 'P' });
    expect(await run()).toMatchObject({ failed: 1 });
    expect(await panel(t)).toContain('The LMS did not enable grade services (AGS) for this activity.');
    expect(scoresOf(h, 'out-noags')).toEqual([]);
  });
});
