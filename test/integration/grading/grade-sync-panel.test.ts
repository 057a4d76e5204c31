import { ActivityModel } from '../../../src/courses/activity.model';
import { GradeSyncJobModel, gradeSyncJobId } from '../../../src/grading/grade-sync.model';
import { enqueueGradeSync } from '../../../src/grading/grade-sync.service';
import { withLtik } from '../../../src/shared/links';
import type { TestHarness } from '../../support/tool';
import { addSession, addStudents, takeForm, TakeCourse, visibleText } from '../attendance/take-helpers';
import { gradebookOf, type GradeSyncRunner, gradeSyncSuite, launchGradedTeacher } from './grade-sync-helpers';

/** The teacher's Grade sync panel: counts, buttons, and who may see it. */

const MIN = 60_000;
let h: TestHarness;
let run: GradeSyncRunner;
const { clock } = gradeSyncSuite((harness, worker) => { h = harness; run = worker; });

const STUDENTS = ['s1', 's2', 's3', 's4', 's5'].map((id, i) => ({ id, givenName: `Student`, familyName: `No${i + 1}` }));
const panelPath = (t: Pick<TakeCourse, 'activityId'>) => `/activity/${t.activityId}/teacher/grades`;
const get = (t: TakeCourse) => t.agent.get(withLtik(panelPath(t), t.ltik));
const post = (t: TakeCourse, action: 'retry' | 'resync', fields: Record<string, string> = {}) =>
  t.agent.post(`${panelPath(t)}/${action}`).type('form').send({ ltik: t.ltik, ...fields });

/** Five students: s1 done, s2 failing (next try in 6 h), s3 waiting for a retry later, s4 due now, s5 never enqueued. */
async function mixedCourse(contextId: string): Promise<TakeCourse> {
  const t = await launchGradedTeacher(h, contextId);
  await addStudents(t.courseId, STUDENTS);
  const session = await addSession(t);
  const res = await t.post(session, takeForm(['s1', 's2', 's3', 's4'].map((userId) => ({ userId, statusId: t.status.P }))));
  expect(res.status).toBe(303);
  await run();
  const job = (u: string) => ({ _id: gradeSyncJobId(t.activityId, u) });
  await GradeSyncJobModel.updateOne(job('s2'), { $set: { state: 'failed', attempts: 10, nextAttemptAt: new Date(clock.now().getTime() + 6 * 60 * MIN), lastError: 'unreachable', lastErrorAt: clock.now() } });
  await GradeSyncJobModel.updateOne(job('s3'), { $set: { state: 'pending', attempts: 2, nextAttemptAt: new Date(clock.now().getTime() + 10 * MIN), lastError: 'timeout', lastErrorAt: new Date(clock.now().getTime() - MIN) } });
  await GradeSyncJobModel.updateOne(job('s4'), { $set: { state: 'pending', attempts: 0, nextAttemptAt: clock.now() } });
  return t;
}

describe('the Grade sync panel', () => {
  it('when the teacher opens it from the overview, then it shows the counts, the last error and the last success', async () => {
    const t = await mixedCourse('panel-counts');
    const overview = await t.agent.get(withLtik(`/activity/${t.activityId}/teacher`, t.ltik));
    expect(overview.text).toContain(`href="${withLtik(panelPath(t), t.ltik).replace(/&/g, '&amp;')}"`);
    expect(visibleText(overview.text)).toContain('Grade sync with the LMS gradebook');

    const res = await get(t);
    expect(res.status).toBe(200);
    const text = visibleText(res.text);
    expect(text).toContain('Grade sync');
    expect(text).toContain('Waiting to be sent: 2 Failing: 1 Up to date: 1');
    expect(text).toMatch(/Last grade delivered: .+\./);
    // The newest error among jobs not yet through: s2's.
    expect(text).toContain('Last error: The LMS could not be reached.');
    expect(text).toContain('Student No2');
    expect(text).toContain('Gradebook column: the one the LMS made for this activity.');
    expect(text).toContain('Grades failing to reach the LMS');
    expect(text).toMatch(/Student Reason Last try Next try Attempts Actions Student No2 Failing The LMS could not be reached\. \S.+ \S.+ 10 Retry for Student No2/);
    expect(res.text).toContain('<button type="submit" class="button" aria-describedby="retry-help">Retry now</button>');
    expect(res.text).toContain('Resync everyone');
  });

  it('when "Retry now" is pressed, then failed and waiting grades are sent at once', async () => {
    const t = await mixedCourse('panel-retry');
    const res = await post(t, 'retry');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`${withLtik(panelPath(t), t.ltik)}&retried=3`);
    expect(visibleText((await t.agent.get(String(res.headers.location))).text)).toContain('3 grades will be sent within a few seconds.');
    expect(await run()).toMatchObject({ claimed: 3, sent: 3 });
    expect(visibleText((await get(t)).text)).toContain('Waiting to be sent: 0 Failing: 0 Up to date: 4');
  });

  it('when "Resync everyone" is pressed, then every student of the course is sent again (those without a grade get none)', async () => {
    const t = await mixedCourse('panel-resync');
    const before = h.lms.scores.length;
    const res = await post(t, 'resync');
    expect(res.status).toBe(303);
    expect(visibleText((await t.agent.get(String(res.headers.location))).text)).toContain('The grades of 5 students will be sent again.');
    expect(await GradeSyncJobModel.countDocuments({ activityId: t.activityId, state: 'pending', nextAttemptAt: { $lte: clock.now() } })).toBe(5);
    expect(await run()).toMatchObject({ claimed: 5, sent: 4, skipped: 1 });
    expect(h.lms.scores.length - before).toBe(4);
    expect(gradebookOf(h, 'panel-resync')).toEqual({ s1: 100, s2: 100, s3: 100, s4: 100 });
  });

  it('when the teacher reads it in Latvian, then it is Latvian', async () => {
    const t = await launchGradedTeacher(h, 'panel-lv', { locale: 'lv' });
    const text = visibleText((await get(t)).text);
    expect(text).toContain('Vērtējumu sinhronizācija');
    expect(text).toContain('Gaida nosūtīšanu: 0');
    expect(text).toContain('Neviens vērtējums vēl nav nosūtīts.');
  });

  it('when the grade type is none, then the panel says that nothing is sent', async () => {
    const t = await launchGradedTeacher(h, 'panel-none');
    await ActivityModel.updateOne({ _id: t.activityId }, { $set: { 'grading.type': 'none' } });
    expect(visibleText((await get(t)).text)).toContain('The grade type of this activity is None: nothing is sent to the LMS gradebook.');
  });
});

describe('who may use the panel', () => {
  it('when a student opens it or presses its buttons, then they are refused (403) and nothing changes', async () => {
    const t = await mixedCourse('panel-student');
    const s = await h.lms.launch({ role: 'Learner', context: { id: 'panel-student' }, resourceLink: { id: 'rl1' }, user: { id: 's1' } });
    expect((await s.agent.get(withLtik(panelPath(t), s.ltik ?? ''))).status).toBe(403);
    expect((await s.agent.post(`${panelPath(t)}/retry`).type('form').send({ ltik: s.ltik })).status).toBe(403);
    expect((await s.agent.post(`${panelPath(t)}/resync`).type('form').send({ ltik: s.ltik })).status).toBe(403);
    expect(await GradeSyncJobModel.countDocuments({ activityId: t.activityId, state: 'failed' })).toBe(1);
  });

  it('when a teacher of another course uses its activity or its students, then they are refused and nothing changes', async () => {
    const a = await mixedCourse('panel-a');
    const b = await mixedCourse('panel-b');
    // B's panel with A's launch: the activity is not A's.
    expect((await a.agent.get(withLtik(panelPath(b), a.ltik))).status).toBe(403);
    // A's panel asked to retry a student whose job exists only in B: not found.
    await addStudents(b.courseId, [{ id: 'only-in-b', givenName: 'Bea', familyName: 'B' }]);
    await enqueueGradeSync(b.courseId, b.activityId, ['only-in-b'], clock.now());
    await GradeSyncJobModel.updateOne({ _id: gradeSyncJobId(b.activityId, 'only-in-b') }, { $set: { state: 'failed', attempts: 10 } });
    const res = await post(a, 'retry', { userId: 'only-in-b' });
    expect(res.status).toBe(404);
    expect(await GradeSyncJobModel.findOne({ _id: gradeSyncJobId(b.activityId, 'only-in-b') }).lean()).toMatchObject({ state: 'failed', attempts: 10 });
    expect(await GradeSyncJobModel.countDocuments({ activityId: a.activityId, state: 'failed' })).toBe(1);
  });

  it('when the retry form is tampered with (a 300-character id), then the panel comes back with a message (400) and nothing changes', async () => {
    const t = await mixedCourse('panel-bad');
    const res = await post(t, 'retry', { userId: 'x'.repeat(300) });
    expect(res.status).toBe(400);
    expect(res.text).toContain('<div class="alert alert--error" role="alert"><p>Please correct the marked fields and try again.</p></div>');
    expect(await GradeSyncJobModel.countDocuments({ activityId: t.activityId, state: 'failed' })).toBe(1);
  });
});
