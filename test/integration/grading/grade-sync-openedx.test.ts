import { GradeSyncJobModel } from '../../../src/grading/grade-sync.model';
import { enqueueGradeSync } from '../../../src/grading/grade-sync.service';
import { LtiServiceError } from '../../../src/lti/lti-services';
import { syncRoster } from '../../../src/roster/roster-sync.service';
import { MemberModel } from '../../../src/roster/member.model';
import { createLtiServices } from '../../../src/lti/nrps.adapter';
import { withLtik } from '../../../src/shared/links';
import type { TestHarness } from '../../support/tool';
import { addSession, addStudents, type TakeCourse, visibleText } from '../attendance/take-helpers';
import { agsServices, ANN, BOB, gradebookOf, type GradeSyncRunner, gradeSyncSuite, jobOf, launchGradedTeacher, mark } from './grade-sync-helpers';

/**
 * Open edX (issue #15, item 1): after an admin rotates a block's key, every cached access token
 * is answered 403 {"detail": "Invalid token signature."}. A 401 or 403 gets one retry with a new
 * token; a genuine refusal keeps the grade queued, shown as failing with the LMS's own words.
 */

const MIN = 60_000;
const HOUR = 60 * MIN;
let h: TestHarness;
let run: GradeSyncRunner;
const { clock, captured } = gradeSyncSuite((harness, worker) => { h = harness; run = worker; }, { lms: { profile: 'openedx' } });

const panelPath = (t: TakeCourse) => `/activity/${t.activityId}/teacher/grades`;
const panel = async (t: TakeCourse) => visibleText((await t.agent.get(withLtik(panelPath(t), t.ltik))).text);
const okTokens = () => h.lms.tokenRequests.filter((r) => r.ok).length;

describe('Open edX rotates its key', () => {
  it('when the LMS rotates its key between two grade changes, then the next grade still arrives with one new token', async () => {
    const t = await launchGradedTeacher(h, 'ox-rotate');
    await addStudents(t.courseId, [ANN]);
    const session = await addSession(t);
    await mark(t, session, { ann: 'P' });
    expect(await run()).toMatchObject({ sent: 1 });
    expect(gradebookOf(h, 'ox-rotate')).toEqual({ ann: 100 });

    h.lms.rotateKeys();
    const before = okTokens();
    await mark(t, session, { ann: 'L' });
    expect(await run()).toMatchObject({ claimed: 1, sent: 1, retrying: 0, failed: 0 });
    expect(gradebookOf(h, 'ox-rotate')).toEqual({ ann: 50 });
    expect(okTokens()).toBe(before + 1);
    expect(await jobOf(t.activityId, 'ann')).toMatchObject({ state: 'done', attempts: 0 });
    expect(captured.messages()).not.toContain('grade sync: gave up on a grade');
  });

  it('when the LMS rotates its key, then the roster refresh (NRPS) gets a new token and succeeds', async () => {
    const teacher = { id: 'teacher-oxr', givenName: 'Terry', familyName: 'Teacher', roles: ['Instructor'] };
    h.lms.setMembers('ox-roster', [teacher, { id: 's1', givenName: 'Sam', familyName: 'One', roles: ['Learner'] }]);
    const t = await launchGradedTeacher(h, 'ox-roster'); // its roster refresh caches an NRPS token
    expect(await MemberModel.countDocuments({ courseId: t.courseId, userId: 's1' })).toBe(1);

    h.lms.rotateKeys();
    h.lms.setMembers('ox-roster', [teacher, { id: 's1', givenName: 'Sam', familyName: 'One', roles: ['Learner'] }, { id: 's2', givenName: 'Sue', familyName: 'Two', roles: ['Learner'] }]);
    const before = okTokens();
    const outcome = await syncRoster(t.courseId, t.activityId, { lti: createLtiServices({ timeoutMs: 5000 }), now: clock.now, log: captured.log });
    expect(outcome).toMatchObject({ status: 'ok' });
    expect(okTokens()).toBe(before + 1);
    expect(await MemberModel.countDocuments({ courseId: t.courseId, userId: 's2' })).toBe(1);
  });
});

describe('a genuine refusal', () => {
  it('when the LMS refuses a score twice with 403, then it stays queued as failing with the LMS\'s message and arrives once accepted', async () => {
    const t = await launchGradedTeacher(h, 'ox-403');
    await addStudents(t.courseId, [ANN, BOB]);
    await mark(t, await addSession(t), { ann: 'P' });
    h.lms.failNext('scores', 403, 2); // the first answer and the one retry with a new token
    const before = okTokens();

    expect(await run()).toMatchObject({ claimed: 1, sent: 0, failed: 1 });
    expect(okTokens()).toBe(before + 1); // one retry with a fresh token, no more
    const job = await jobOf(t.activityId, 'ann');
    expect(job).toMatchObject({
      state: 'failed', attempts: 1, lastError: 'rejected', lastErrorStatus: 403, lastErrorMessage: 'mock LMS simulated a scores failure',
      nextAttemptAt: new Date(clock.now().getTime() + MIN), failingSince: clock.now(),
    });
    const page = await panel(t);
    expect(page).toContain('Failing: 1');
    expect(page).toContain('The LMS refused the grade. (HTTP 403) The LMS said: “mock LMS simulated a scores failure”');
    expect(page).toMatch(/next try .+/);

    clock.advance(MIN);
    expect(await run()).toMatchObject({ sent: 1 });
    expect(gradebookOf(h, 'ox-403')).toEqual({ ann: 100 });
    expect(await jobOf(t.activityId, 'ann')).toMatchObject({ state: 'done', attempts: 0 });
    expect((await jobOf(t.activityId, 'ann'))?.failingSince).toBeUndefined();
    expect(await panel(t)).toContain('Failing: 0');
  });

  it('when the LMS keeps refusing (400) for days, then the grade is never given up: it is retried at the 6-hour cap and "Retry now" still works', async () => {
    const t = await launchGradedTeacher(h, 'ox-400');
    await addStudents(t.courseId, [ANN]);
    await mark(t, await addSession(t), { ann: 'L' });
    const started = clock.now();
    h.lms.failNext('scores', 400, 14);
    for (let attempt = 1; attempt <= 14; attempt++) {
      expect(await run()).toMatchObject({ claimed: 1, failed: 1 });
      clock.advance(7 * HOUR);
    }
    const job = await jobOf(t.activityId, 'ann');
    expect(job).toMatchObject({ state: 'failed', attempts: 14, lastError: 'rejected', lastErrorStatus: 400, failingSince: started });
    expect(job!.nextAttemptAt.getTime() - job!.lastAttemptAt!.getTime()).toBe(6 * HOUR);
    expect(captured.messages()).not.toContain('grade sync: gave up on a grade');

    const retry = await t.agent.post(`${panelPath(t)}/retry`).type('form').send({ ltik: t.ltik });
    expect(retry.status).toBe(303);
    expect(await run()).toMatchObject({ sent: 1 });
    expect(gradebookOf(h, 'ox-400')).toEqual({ ann: 50 });
  });

  it('when a 401 is followed by a 403 on the retry, then that second refusal counts: one failure, and the next run goes through', async () => {
    const t = await launchGradedTeacher(h, 'ox-twice');
    await addStudents(t.courseId, [ANN]);
    await mark(t, await addSession(t), { ann: 'P' });
    h.lms.failNext('scores', 401, 1);
    h.lms.failNext('scores', 403, 1);
    expect(await run()).toMatchObject({ claimed: 1, failed: 1 });
    expect(await jobOf(t.activityId, 'ann')).toMatchObject({ state: 'failed', lastError: 'rejected', lastErrorStatus: 403 });
    clock.advance(MIN);
    expect(await run()).toMatchObject({ sent: 1 });
    expect(await GradeSyncJobModel.countDocuments({ activityId: t.activityId, state: 'done' })).toBe(1);
  });

  it('when a new change arrives while a long-failing delivery is refused again, then the job is pending for the new change and tried a minute later', async () => {
    const t = await launchGradedTeacher(h, 'ox-race');
    await addStudents(t.courseId, [ANN]);
    await mark(t, await addSession(t), { ann: 'P' });
    await GradeSyncJobModel.updateOne({ activityId: t.activityId, userId: 'ann' }, { $set: { state: 'failed', attempts: 12, failingSince: clock.now() } });
    const real = agsServices();
    const refusedDuringChange = {
      ...real,
      postScore: async () => {
        await enqueueGradeSync(t.courseId, t.activityId, ['ann'], clock.now());
        throw new LtiServiceError('rejected', 400, 'Grading is closed.');
      },
    };
    expect(await run('worker-A', { ags: refusedDuringChange })).toMatchObject({ retrying: 1 });
    expect(await jobOf(t.activityId, 'ann')).toMatchObject({
      state: 'pending', attempts: 1, lastErrorMessage: 'Grading is closed.', nextAttemptAt: new Date(clock.now().getTime() + MIN),
    });
    clock.advance(MIN);
    expect(await run()).toMatchObject({ sent: 1 });
    expect(await jobOf(t.activityId, 'ann')).toMatchObject({ state: 'done' });
  });

  it('when the LMS\'s message holds markup, then the panel shows it as text, never as HTML', async () => {
    const t = await launchGradedTeacher(h, 'ox-markup');
    await addStudents(t.courseId, [ANN]);
    await mark(t, await addSession(t), { ann: 'P' });
    await GradeSyncJobModel.updateOne({ activityId: t.activityId, userId: 'ann' }, {
      $set: { state: 'failed', attempts: 1, lastError: 'rejected', lastErrorStatus: 400, lastErrorAt: clock.now(), lastErrorMessage: '<img src=x onerror=alert(1)> "bad"' },
    });
    const html = (await t.agent.get(withLtik(panelPath(t), t.ltik))).text;
    expect(html).toContain('The LMS said: “&lt;img src=x onerror=alert(1)&gt; &#34;bad&#34;”');
    expect(html).not.toContain('<img src=x');
  });
});
