import { ActivityModel } from '../../../src/courses/activity.model';
import { subscribeAttendanceChanged } from '../../../src/grading/grade-hooks';
import { withLtik } from '../../../src/shared/links';
import { addStudents, launchTeacher, TakeCourse, visibleText } from '../attendance/take-helpers';
import { defaultSet, editForm } from '../status-sets/status-set-pages';
import { startHarness, TestHarness } from '../../support/tool';

let h: TestHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const pagePath = (t: Pick<TakeCourse, 'activityId'>) => `/activity/${t.activityId}/teacher/settings/grading`;

function page(t: TakeCourse) {
  return t.agent.get(withLtik(pagePath(t), t.ltik));
}

function save(t: TakeCourse, fields: Record<string, string>) {
  return t.agent.post(pagePath(t)).type('form').send({ ltik: t.ltik, ...fields });
}

const DEFAULTS = { type: 'points', maxGrade: '100', reportThreshold: '70' };

async function storedSettings(t: TakeCourse) {
  const a = await ActivityModel.findOne({ _id: t.activityId, courseId: t.courseId }, { grading: 1, reportThreshold: 1 }).lean();
  return { grading: { ...a?.grading }, reportThreshold: a?.reportThreshold };
}

/** Collects the grade hook's calls for one course; stop() unsubscribes. */
function listen(courseId: string) {
  const calls: string[][] = [];
  const stop = subscribeAttendanceChanged((c, _a, userIds) => {
    if (c === courseId) calls.push([...userIds].sort());
  });
  return { calls, stop };
}

describe('the Grades and reports page', () => {
  // Refused forms change nothing, so the bad-input cases share one course.
  let badInputCourse: Promise<TakeCourse> | undefined;

  it('when a new activity opens it, then the defaults are shown with hints naming the automatic and excused statuses', async () => {
    const t = await launchTeacher(h, 'gs-defaults');
    const res = await page(t);
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/name="type" value="points"[^>]* checked/);
    expect(res.text).not.toMatch(/name="type" value="none"[^>]* checked/);
    expect(res.text).toContain('name="maxGrade" size="8" autocomplete="off" value="100"');
    expect(res.text).toContain('value="70"');
    expect(res.text).not.toMatch(/name="countUnmarkedAsAuto" value="1"[^>]* checked/);
    expect(res.text).not.toMatch(/name="excludeExcused" value="1"[^>]* checked/);
    const text = visibleText(res.text);
    expect(text).toContain('None: nothing is ever sent to the LMS gradebook');
    expect(text).toContain('Count unmarked past sessions as the automatic status');
    expect(text).toContain('Automatic status: A Absent.');
    expect(text).toContain('Leave excused sessions out of the grade');
    expect(text).toContain('Excused statuses: E Excused.');
  });

  it('when the teacher saves new values, then they are stored, the page says so and shows them, and the Settings page sums them up', async () => {
    const t = await launchTeacher(h, 'gs-save');
    const res = await save(t, { type: 'none', maxGrade: '12,5', reportThreshold: '65.5', countUnmarkedAsAuto: '1', excludeExcused: '1' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`${withLtik(pagePath(t), t.ltik)}&saved=1`);
    expect(await storedSettings(t)).toEqual({
      grading: { type: 'none', maxGrade: 12.5, countUnmarkedAsAuto: true, excludeExcused: true }, reportThreshold: 65.5,
    });

    const after = await t.agent.get(res.headers.location ?? '');
    expect(after.text).toContain('<div class="alert alert--success" role="status"><p>Grade and report settings saved.</p></div>');
    expect(after.text).toMatch(/name="type" value="none"[^>]* checked/);
    expect(after.text).toContain('value="12.5"');
    expect(after.text).toContain('value="65.5"');
    expect(after.text).toMatch(/name="countUnmarkedAsAuto" value="1"[^>]* checked/);
    expect(after.text).toMatch(/name="excludeExcused" value="1"[^>]* checked/);

    const settings = visibleText((await t.agent.get(withLtik(`/activity/${t.activityId}/teacher/settings`, t.ltik))).text);
    expect(settings).toContain('Grades and reports Setting Value Grade None (nothing is sent to the gradebook) Report threshold 65.5 % '
      + 'Unmarked past sessions count as the automatic status Yes Excused sessions are left out of the grade Yes Edit grade and report settings');
  });

  it('when points are chosen again, then the Settings page shows the maximum in the teacher\'s language', async () => {
    const t = await launchTeacher(h, 'gs-lv', { locale: 'lv' });
    expect((await save(t, { type: 'points', maxGrade: '7.5', reportThreshold: '70' })).status).toBe(303);
    const settings = visibleText((await t.agent.get(withLtik(`/activity/${t.activityId}/teacher/settings`, t.ltik))).text);
    expect(settings).toContain('Punkti, maksimums 7,5');
    expect(settings).toContain('Rediģēt vērtējumu un atskaišu iestatījumus');
  });

  it.each<[string, Record<string, string>, string, string]>([
    ['a maximum grade of 0', { maxGrade: '0' }, 'maxGrade', 'Enter a number greater than 0 and at most 10000.'],
    ['a negative maximum grade', { maxGrade: '-1' }, 'maxGrade', 'Enter a number greater than 0 and at most 10000.'],
    ['a maximum grade that is not a number', { maxGrade: 'abc' }, 'maxGrade', 'Enter a number.'],
    ['a maximum grade above 10000', { maxGrade: '10001' }, 'maxGrade', 'Enter a number greater than 0 and at most 10000.'],
    ['a maximum grade with 3 decimals', { maxGrade: '12.345' }, 'maxGrade', 'Use at most 2 decimals (for example 7.5 or 12.25).'],
    ['an empty maximum grade', { maxGrade: ' ' }, 'maxGrade', 'This field is required.'],
    ['a threshold of 101 %', { reportThreshold: '101' }, 'reportThreshold', 'Enter a percentage from 0 to 100.'],
    ['a negative threshold', { reportThreshold: '-5' }, 'reportThreshold', 'Enter a percentage from 0 to 100.'],
    ['an unknown grade type', { type: 'letters' }, 'type', 'Choose one of the offered options.'],
  ])('when the form has %s, then it comes back (400) with the message beside the field, the typed values, and nothing saved or announced', async (_name, bad, field, message) => {
    badInputCourse ??= launchTeacher(h, 'gs-bad');
    const t = await badInputCourse;
    const before = await storedSettings(t);
    const hook = listen(t.courseId);
    try {
      const res = await save(t, { ...DEFAULTS, countUnmarkedAsAuto: '1', ...bad });
      expect(res.status).toBe(400);
      expect(res.text).toContain('Please correct the marked fields and try again.');
      expect(res.text).toContain(`<p class="error" id="${field}-error">${message}</p>`);
      expect(res.text).toMatch(new RegExp(`aria-describedby="[^"]*${field}-error"`));
      expect(res.text).toContain('aria-invalid="true"');
      if (field !== 'type') expect(res.text).toContain(`value="${bad[field]}"`);
      // The other values stay as typed too.
      expect(res.text).toMatch(/name="countUnmarkedAsAuto" value="1"[^>]* checked/);
      expect(await storedSettings(t)).toEqual(before);
      expect(hook.calls).toEqual([]);
    } finally {
      hook.stop();
    }
  });
});

describe('grades are announced when the rule changes', () => {
  it('when a rule option changes, then every student of the course is announced once; unchanged or threshold-only saves announce nothing', async () => {
    const t = await launchTeacher(h, 'gs-hook');
    await addStudents(t.courseId, [
      { id: 'stu-a', givenName: 'Ann', familyName: 'A' },
      { id: 'stu-b', givenName: 'Bob', familyName: 'B' },
      { id: 'stu-c', givenName: 'Cid', familyName: 'C', active: false }, // keeps records, so grades change too
      { id: 'tea-2', givenName: 'Tia', familyName: 'T', role: 'teacher' },
    ]);
    const hook = listen(t.courseId);
    try {
      expect((await save(t, { ...DEFAULTS, excludeExcused: '1' })).status).toBe(303);
      expect(hook.calls).toEqual([['stu-a', 'stu-b', 'stu-c']]);

      expect((await save(t, { ...DEFAULTS, excludeExcused: '1' })).status).toBe(303); // nothing changed
      expect((await save(t, { ...DEFAULTS, excludeExcused: '1', reportThreshold: '50' })).status).toBe(303); // threshold only
      expect(hook.calls).toHaveLength(1);

      expect((await save(t, { ...DEFAULTS, reportThreshold: '50', excludeExcused: '1', countUnmarkedAsAuto: '1' })).status).toBe(303);
      expect(hook.calls).toHaveLength(2);
      // A new maximum changes every grade sent to the LMS as well.
      expect((await save(t, { ...DEFAULTS, maxGrade: '10', reportThreshold: '50', excludeExcused: '1', countUnmarkedAsAuto: '1' })).status).toBe(303);
      expect(hook.calls).toEqual([['stu-a', 'stu-b', 'stu-c'], ['stu-a', 'stu-b', 'stu-c'], ['stu-a', 'stu-b', 'stu-c']]);
    } finally {
      hook.stop();
    }
  });

  it('when a grade listener fails, then the settings are still saved and the teacher sees the success', async () => {
    const t = await launchTeacher(h, 'gs-hook-fails');
    await addStudents(t.courseId, [{ id: 'stu-x', givenName: 'Xia', familyName: 'X' }]);
    const stop = subscribeAttendanceChanged((c) => {
      if (c === t.courseId) throw new Error('LMS down');
    });
    try {
      const res = await save(t, { ...DEFAULTS, countUnmarkedAsAuto: '1' });
      expect(res.status).toBe(303);
      expect((await storedSettings(t)).grading.countUnmarkedAsAuto).toBe(true);
    } finally {
      stop();
    }
  });
});

describe('who may use the page', () => {
  it('when a student opens or posts it, then they are refused (403) and nothing changes', async () => {
    const teacher = await launchTeacher(h, 'gs-student');
    const s = await h.lms.launch({ role: 'Learner', context: { id: 'gs-student' }, resourceLink: { id: 'rl1' }, user: { id: 'stu-1' } });
    const path = pagePath(teacher);
    expect((await s.agent.get(withLtik(path, s.ltik ?? ''))).status).toBe(403);
    const post = await s.agent.post(path).type('form').send({ ltik: s.ltik, ...DEFAULTS, type: 'none' });
    expect(post.status).toBe(403);
    expect((await storedSettings(teacher)).grading.type).toBe('points');
  });

  it('when a teacher of another course posts to this activity with their own launch, then it is refused and nothing changes', async () => {
    const a = await launchTeacher(h, 'gs-course-a');
    const b = await launchTeacher(h, 'gs-course-b');
    const res = await a.agent.post(pagePath(b)).type('form').send({ ltik: a.ltik, ...DEFAULTS, type: 'none' });
    expect(res.status).toBe(403); // the launch is for activity A only
    expect((await storedSettings(b)).grading.type).toBe('points');
  });
});

describe('the excused flag from the status-set editor', () => {
  it('when the teacher ticks "Excused" for L in the editor, then it is saved and the grading page names L and E as excused', async () => {
    const t = await launchTeacher(h, 'gs-excused');
    const set = await defaultSet(t.activityId);
    const statusSets = `/activity/${t.activityId}/teacher/status-sets`;
    const editor = await t.agent.get(withLtik(`${statusSets}/${set._id}`, t.ltik));
    expect(editor.text).toMatch(/name="statuses\.2\.excused" value="1"[^>]* checked/);

    const res = await t.agent.post(`${statusSets}/${set._id}`).type('form').send({ ltik: t.ltik, ...editForm(set, { L: { excused: '1' } }) });
    expect(res.status).toBe(303);
    const saved = await defaultSet(t.activityId);
    expect(saved.statuses.filter((s) => s.excused).map((s) => s.acronym)).toEqual(['L', 'E']);
    expect(visibleText((await page(t)).text)).toContain('Excused statuses: L Late; E Excused.');
  });

  it('when the activity has several status sets, then the hints say which set each status belongs to', async () => {
    const t = await launchTeacher(h, 'gs-two-sets');
    await t.agent.post(`/activity/${t.activityId}/teacher/status-sets`).type('form').send({ ltik: t.ltik, name: 'Labs' });
    const text = visibleText((await page(t)).text);
    expect(text).toContain('Automatic status: A Absent (set "Default statuses"); A Absent (set "Labs").');
    expect(text).toContain('Excused statuses: E Excused (set "Default statuses"); E Excused (set "Labs").');
  });

  it('when no status is flagged excused and no set has an automatic status, then the hints say the options change nothing yet', async () => {
    const t = await launchTeacher(h, 'gs-no-flags');
    const set = await defaultSet(t.activityId);
    const form = editForm(set, {}, { fields: { autoStatus: 'none' } });
    delete form['statuses.2.excused'];
    expect((await t.agent.post(`/activity/${t.activityId}/teacher/status-sets/${set._id}`).type('form').send({ ltik: t.ltik, ...form })).status).toBe(303);
    const text = visibleText((await page(t)).text);
    expect(text).toContain('No status set of this activity has an automatic status');
    expect(text).toContain('No status is flagged "Excused" yet');
  });
});
