import { activityKey, courseKey } from '../../../src/courses/keys';
import { ActivityModel } from '../../../src/courses/activity.model';
import type { TeachingAssistantPolicy } from '../../../src/lti/roles';
import { MemberModel } from '../../../src/roster/member.model';
import { withLtik } from '../../../src/shared/links';
import { MockLms } from '../../support/mock-lms';
import { finalPath, startHarness, type TestHarness } from '../../support/tool';

/**
 * Issue #15 item 2: teaching assistants are a per-activity choice of the teacher. Canvas sends
 * TAs as the Instructor#TeachingAssistant sub-role without Learner; Open edX sends its forum
 * moderators (Community TA, Group Moderator) as Learner plus that sub-role; Moodle sends
 * non-editing teachers as plain Instructor.
 */

const M = 'http://purl.imsglobal.org/vocab/lis/v2/membership';
const I = 'http://purl.imsglobal.org/vocab/lis/v2/institution/person';
const TA = `${M}/Instructor#TeachingAssistant`;
/** As canvas-lms sends a TaEnrollment (Lti::SubstitutionsHelper LIS_V2_LTI_ADVANTAGE_ROLE_MAP): the sub-role and its principal role. */
const CANVAS_TA = [TA, `${M}#Instructor`, `${I}#Instructor`, 'http://purl.imsglobal.org/vocab/lis/v2/system/person#User'];
/** The TA sub-role alone (other platforms, and older Canvas launches). */
const TA_ONLY = [TA, `${I}#Instructor`];
const OPENEDX_MODERATOR = [`${M}#Learner`, TA];
const MOODLE_NON_EDITING_TEACHER = [`${M}#Instructor`];

let h: TestHarness;
/** A second LMS imitating Open edX (lti-consumer-xblock) for the forum moderators. */
let openedx: MockLms;

beforeAll(async () => {
  h = await startHarness();
  openedx = await MockLms.start({ toolUrl: h.tool.url, profile: 'openedx' });
  await h.tool.platforms.upsertPlatform(openedx.registration(), 'cli');
});
afterAll(async () => {
  await openedx?.stop();
  await h?.close();
});

const homeOf = (path: string) => /\/activity\/[^/?]+\/(teacher|student)/.exec(path)?.[1];

interface Launched {
  agent: Awaited<ReturnType<MockLms['launch']>>['agent'];
  ltik: string;
  home: string | undefined;
  text: string;
  activityBase: string;
  get(path: string): ReturnType<Awaited<ReturnType<MockLms['launch']>>['agent']['get']>;
}

async function launch(lms: MockLms, contextId: string, userId: string, roles: string[]): Promise<Launched> {
  const r = await lms.launch({ roles, context: { id: contextId }, resourceLink: { id: 'rl-ta' }, user: { id: userId, givenName: 'Pat', familyName: userId } });
  expect(r.status).toBe(200);
  const ltik = r.ltik ?? '';
  const courseId = courseKey(lms.issuer, lms.clientId, contextId, 'rl-ta');
  const activityBase = `/activity/${activityKey(courseId, 'rl-ta')}`;
  return { agent: r.agent, ltik, home: homeOf(finalPath(r.res)), text: r.res.text, activityBase, get: (path) => r.agent.get(withLtik(`${activityBase}${path}`, ltik)) };
}

const teacher = (lms: MockLms, contextId: string) => launch(lms, contextId, 'lead-teacher', [`${M}#Instructor`]);

/** Saves the setting through the roster page's form, as the teacher's browser would. */
async function choose(t: Launched, policy: string, version?: string) {
  const page = await t.get('/teacher/roster');
  const shown = version ?? /name="version" value="(\d+)"/.exec(page.text)?.[1] ?? '';
  return t.agent.post(`${t.activityBase}/teacher/roster/teaching-assistants`).type('form').send({ ltik: t.ltik, version: shown, policy });
}

async function setPolicy(lms: MockLms, contextId: string, policy: TeachingAssistantPolicy) {
  const t = await teacher(lms, contextId);
  const saved = await choose(t, policy);
  expect(saved.status).toBe(303);
  return t;
}

async function expectTeacherPagesRefused(l: Launched) {
  const denied = await l.get('/teacher');
  expect(denied.status).toBe(403);
  expect(denied.text).toContain('Not available for your role');
  expect((await l.get('/teacher/roster')).status).toBe(403);
}

describe('under the default setting (TAs take attendance, students with a TA role are students)', () => {
  it('when a Canvas TA (TA sub-role with or without plain Instructor, no Learner) launches, then they get the teacher pages', async () => {
    await teacher(h.lms, 'ta-default');
    const ta = await launch(h.lms, 'ta-default', 'canvas-ta', CANVAS_TA);
    expect(ta.home).toBe('teacher');
    expect((await ta.get('/teacher/sessions')).status).toBe(200);
    expect((await launch(h.lms, 'ta-default', 'ta-only', TA_ONLY)).home).toBe('teacher');
  });

  it('when an Open edX forum moderator (Learner + TA sub-role) launches, then they get the student pages and every teacher route is refused', async () => {
    await teacher(openedx, 'ta-default-edx');
    const mod = await launch(openedx, 'ta-default-edx', 'moderator', OPENEDX_MODERATOR);
    expect(mod.home).toBe('student');
    expect(mod.text).toContain('Signed in as Pat moderator · Student');
    await expectTeacherPagesRefused(mod);
    const post = await mod.agent.post(`${mod.activityBase}/teacher/roster/teaching-assistants`).type('form').send({ ltik: mod.ltik, version: '0', policy: 'all' });
    expect(post.status).toBe(403);
    // Still a student of the course: on the take list and in the grades.
    const courseId = courseKey(openedx.issuer, openedx.clientId, 'ta-default-edx', 'rl-ta');
    expect(await MemberModel.findOne({ courseId, userId: 'moderator' }).lean()).toMatchObject({ role: 'student' });
  });

  it('when a Moodle non-editing teacher (plain Instructor) launches, then they get the teacher pages and may change the setting', async () => {
    await teacher(h.lms, 'ta-moodle');
    const net = await launch(h.lms, 'ta-moodle', 'non-editing', MOODLE_NON_EDITING_TEACHER);
    expect(net.home).toBe('teacher');
    const page = await net.get('/teacher/roster');
    expect(page.text).toContain('name="policy"');
    expect((await choose(net, 'none')).status).toBe(303);
  });
});

describe('when the teacher lets all teaching assistants take attendance', () => {
  it('then an Open edX forum moderator gets the teacher pages, and stays a student on the course roster', async () => {
    await setPolicy(openedx, 'ta-all-edx', 'all');
    const mod = await launch(openedx, 'ta-all-edx', 'moderator', OPENEDX_MODERATOR);
    expect(mod.home).toBe('teacher');
    expect((await mod.get('/teacher/sessions')).status).toBe(200);
    const courseId = courseKey(openedx.issuer, openedx.clientId, 'ta-all-edx', 'rl-ta');
    expect(await MemberModel.findOne({ courseId, userId: 'moderator' }).lean()).toMatchObject({ role: 'student' });
  });

  it('then a Canvas TA gets the teacher pages', async () => {
    await setPolicy(h.lms, 'ta-all', 'all');
    const ta = await launch(h.lms, 'ta-all', 'canvas-ta', CANVAS_TA);
    expect(ta.home).toBe('teacher');
  });
});

describe('when the teacher treats teaching assistants as students', () => {
  it('then a Canvas TA gets the student pages and every teacher route is refused', async () => {
    await setPolicy(h.lms, 'ta-none', 'none');
    const ta = await launch(h.lms, 'ta-none', 'canvas-ta', CANVAS_TA);
    expect(ta.home).toBe('student');
    await expectTeacherPagesRefused(ta);
    const taOnly = await launch(h.lms, 'ta-none', 'ta-only', TA_ONLY);
    expect(taOnly.home).toBe('student');
  });

  it('then an Open edX forum moderator gets the student pages', async () => {
    await setPolicy(openedx, 'ta-none-edx', 'none');
    const mod = await launch(openedx, 'ta-none-edx', 'moderator', OPENEDX_MODERATOR);
    expect(mod.home).toBe('student');
    await expectTeacherPagesRefused(mod);
  });

  it('then a Moodle non-editing teacher (plain Instructor) still gets the teacher pages', async () => {
    await setPolicy(h.lms, 'ta-none-moodle', 'none');
    const net = await launch(h.lms, 'ta-none-moodle', 'non-editing', MOODLE_NON_EDITING_TEACHER);
    expect(net.home).toBe('teacher');
  });

  it('then the setting applies to another activity of the same course not at all', async () => {
    await setPolicy(h.lms, 'ta-per-activity', 'none');
    const r = await h.lms.launch({ roles: CANVAS_TA, context: { id: 'ta-per-activity' }, resourceLink: { id: 'rl-other' }, user: { id: 'canvas-ta' } });
    expect(homeOf(finalPath(r.res))).toBe('teacher');
  });
});

describe('a change of the setting', () => {
  it('when the teacher changes it while a TA is working, then it applies to the TA’s next request', async () => {
    const t = await teacher(h.lms, 'ta-live');
    const ta = await launch(h.lms, 'ta-live', 'canvas-ta', CANVAS_TA);
    expect((await ta.get('/teacher')).status).toBe(200);

    expect((await choose(t, 'none')).status).toBe(303);
    expect((await ta.get('/teacher')).status).toBe(403);
    expect((await ta.get('/student')).status).toBe(200);

    expect((await choose(t, 'except_students')).status).toBe(303);
    expect((await ta.get('/teacher')).status).toBe(200);
  });

  it('when a TA with teacher pages tries to change it, then it is refused and nothing changes', async () => {
    await teacher(h.lms, 'ta-self');
    const ta = await launch(h.lms, 'ta-self', 'canvas-ta', CANVAS_TA);
    const page = await ta.get('/teacher/roster');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Only the course&#39;s teachers can change this setting.');
    expect(page.text).not.toContain('name="policy"');
    const post = await choose(ta, 'all', '0');
    expect(post.status).toBe(403);
    const courseId = courseKey(h.lms.issuer, h.lms.clientId, 'ta-self', 'rl-ta');
    const activity = await ActivityModel.findById(activityKey(courseId, 'rl-ta')).lean();
    expect(activity?.teachingAssistants?.policy).toBeUndefined();
  });
});

describe('the Participants page shows the rule and the teaching assistants', () => {
  it('when a teacher opens it, then it states the rule in force, offers the three choices and names each TA by what they may do', async () => {
    const t = await teacher(openedx, 'ta-page');
    await launch(openedx, 'ta-page', 'moderator', OPENEDX_MODERATOR);
    await launch(openedx, 'ta-page', 'staff-ta', [TA]);
    const page = await t.get('/teacher/roster');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h2 id="teaching-assistants-title">Teaching assistants</h2>');
    expect(page.text).toMatch(/data-testid="teaching-assistants-rule">Teaching assistants may take attendance and see reports\. Students who also hold a teaching-assistant role \(such as Open edX forum moderators\) are treated as students\.</);
    expect(page.text).toContain('value="except_students" checked');
    expect(page.text).toContain('All teaching assistants may take attendance and see reports, also students who hold a teaching-assistant role.');
    expect(page.text).toContain('Teaching assistants are treated as students.');
    expect(page.text).toContain('Student (also a teaching assistant)');
    expect(page.text).toContain('Teaching assistant (takes attendance)');
    expect(page.text).toContain('Active students: <strong>1</strong>');
    expect(page.text).toContain('Teaching assistants: <strong>1</strong>');

    expect((await choose(t, 'all')).status).toBe(303);
    const after = await t.get('/teacher/roster?ta_saved=1');
    expect(after.text).toContain('The teaching-assistant setting was saved.');
    expect(after.text).toContain('value="all" checked');
    expect(after.text).toContain('Student and teaching assistant (takes attendance)');
  });

  it('when the form is sent without a valid choice, then it comes back with an error and nothing is saved', async () => {
    const t = await teacher(h.lms, 'ta-bad');
    const res = await choose(t, 'everyone');
    expect(res.status).toBe(400);
    expect(res.text).toContain('Choose one of the three options.');
    expect(res.text).toContain('name="policy"');
    expect(res.text).toContain('aria-invalid="true"');
    const missing = await t.agent.post(`${t.activityBase}/teacher/roster/teaching-assistants`).type('form').send({ ltik: t.ltik, version: '0' });
    expect(missing.status).toBe(400);
    const courseId = courseKey(h.lms.issuer, h.lms.clientId, 'ta-bad', 'rl-ta');
    expect((await ActivityModel.findById(activityKey(courseId, 'rl-ta')).lean())?.teachingAssistants).toBeUndefined();
  });

  it('when a form rendered before another teacher’s save is sent, then nothing is overwritten and both choices are shown', async () => {
    const t = await teacher(h.lms, 'ta-stale');
    const other = await launch(h.lms, 'ta-stale', 'co-teacher', [`${M}#Instructor`]);
    const stalePage = await t.get('/teacher/roster');
    const staleVersion = /name="version" value="(\d+)"/.exec(stalePage.text)?.[1];
    expect((await choose(other, 'none')).status).toBe(303);

    const res = await choose(t, 'all', staleVersion);
    expect(res.status).toBe(409);
    expect(res.text).toContain('data-testid="edit-conflict"');
    expect(res.text).toContain('Teaching assistants are treated as students.');
    expect(res.text).toContain('value="all" checked');
    const courseId = courseKey(h.lms.issuer, h.lms.clientId, 'ta-stale', 'rl-ta');
    expect((await ActivityModel.findById(activityKey(courseId, 'rl-ta')).lean())?.teachingAssistants?.policy).toBe('none');

    // "Keep mine" posts the page's form, which now carries the current version.
    const keepVersion = /name="version" value="(\d+)"/.exec(res.text)?.[1];
    expect((await choose(t, 'all', keepVersion)).status).toBe(303);
    expect((await ActivityModel.findById(activityKey(courseId, 'rl-ta')).lean())?.teachingAssistants?.policy).toBe('all');
  });

  it('when the page is in Latvian, then the rule is in Latvian', async () => {
    const r = await h.lms.launch({ roles: [`${M}#Instructor`], context: { id: 'ta-lv' }, resourceLink: { id: 'rl-ta' }, locale: 'lv-LV' });
    const base = finalPath(r.res).split('?')[0] ?? '';
    const page = await r.agent.get(withLtik(`${base}/roster`, r.ltik ?? ''));
    expect(page.text).toContain('Mācību asistenti drīkst atzīmēt apmeklējumu un skatīt pārskatus.');
  });
});
