import { ActivityModel } from '../../../src/courses/activity.model';
import { CourseModel } from '../../../src/courses/course.model';
import { activityKey, courseKey } from '../../../src/courses/keys';
import { MemberModel } from '../../../src/roster/member.model';
import { finalPath, startHarness, TestHarness } from '../../support/tool';

const M = 'http://purl.imsglobal.org/vocab/lis/v2/membership';
let h: TestHarness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const homeOf = (location: string | undefined) => /\/activity\/[^/?]+\/(teacher|student)/.exec(location ?? '')?.[1];

describe('a launch from the LMS lands on the home page of the role', () => {
  it('when a teacher launches, then the teacher home shows the course and activity with an empty state', async () => {
    const r = await h.lms.launch({ role: 'Instructor' });
    expect(r.status).toBe(200);
    expect(r.res.text).toContain('<h1>Lectures</h1>');
    expect(r.res.text).toContain('ATT101 Attendance &amp; Tools');
    expect(r.res.text).toContain('No class meetings yet');
    expect(r.res.text).toContain('Signed in as Terry Teacher · Teacher');
    expect(finalPath(r.res)).toMatch(/^\/activity\/[A-Za-z0-9_-]{22}\/teacher\?ltik=/);
  });

  it('when a student launches, then the student home says nothing is planned yet and shows no teacher powers', async () => {
    const r = await h.lms.launch({ role: 'Learner', user: { id: 'student-1', givenName: 'Sam', familyName: 'Student' } });
    expect(r.status).toBe(200);
    expect(finalPath(r.res)).toContain('/student?ltik=');
    expect(r.res.text).toContain('No upcoming sessions');
    expect(r.res.text).toContain('Signed in as Sam Student · Student');
    expect(r.res.text).not.toContain('No class meetings yet');
  });

  it.each([
    ['a Canvas-style teaching assistant', [`${M}/Instructor#TeachingAssistant`, `${M}#Instructor`], 'teacher'],
    ['a TA sub-role alone', [`${M}/Instructor#TeachingAssistant`], 'teacher'],
    ['short role name Instructor', ['Instructor'], 'teacher'],
    ['short role name Learner', ['Learner'], 'student'],
    ['an institution administrator', ['http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator'], 'teacher'],
  ])('when %s launches, then they land on the %s home', async (_name, roles, home) => {
    const r = await h.lms.launch({ roles: roles as string[], user: { id: `u-${Math.random()}` } });
    expect(r.status).toBe(200);
    expect(homeOf(finalPath(r.res))).toBe(home === 'teacher' ? 'teacher' : 'student');
  });

  it.each([
    ['an observer (Mentor)', [`${M}#Mentor`]],
    ['an unknown role', ['http://example.com/roles#Wizard']],
    ['an empty role list ([""])', ['']],
    ['no roles ([])', []],
  ])('when %s launches, then the launch succeeds with a limited view and no teacher power', async (_name, roles) => {
    const r = await h.lms.launch({ roles: roles as string[], user: { id: `guest-${Math.random()}` } });
    expect(r.status).toBe(200);
    expect(r.res.text).toContain('You are viewing as a guest');
    expect(r.res.text).toContain('Guest (view only)');
    const teacherPath = finalPath(r.res).replace('/student?', '/teacher?');
    const denied = await r.agent.get(teacherPath);
    expect(denied.status).toBe(403);
    expect(denied.text).toContain('Not available for your role');
  });

  it('when the launch has no context claim, then it still launches and the resource link stands for the course', async () => {
    const r = await h.lms.launch({ role: 'Instructor', context: null, resourceLink: { id: 'rl-no-context', title: 'Standalone' } });
    expect(r.status).toBe(200);
    expect(r.res.text).toContain('<h1>Standalone</h1>');
    const course = await CourseModel.findById(courseKey(h.lms.issuer, h.lms.clientId, undefined, 'rl-no-context')).lean();
    expect(course).not.toBeNull();
    expect(course?.contextId).toBeUndefined();
  });

  it('when the launch locale is Latvian, then the pages are in Latvian', async () => {
    const r = await h.lms.launch({ role: 'Instructor', locale: 'lv-LV' });
    expect(r.status).toBe(200);
    expect(r.res.text).toContain('<html lang="lv">');
    expect(r.res.text).toContain('Nodarbību vēl nav');
  });
});

describe('content selection (deep linking)', () => {
  it('when a teacher adds the tool through the LMS content picker, then the form for a new activity opens (test/integration/courses/deep-linking.test.ts)', async () => {
    const r = await h.lms.launch({ role: 'Instructor', messageType: 'LtiDeepLinkingRequest' });
    expect(r.status).toBe(200);
    expect(finalPath(r.res)).toMatch(/^\/deep-linking\?ltik=/);
    expect(r.res.text).toContain('Add an attendance activity');
  });
});

describe('what a launch records', () => {
  it('when a teacher launches, then course, activity (with service URLs) and member are stored', async () => {
    await h.lms.launch({
      role: 'Instructor',
      context: { id: 'course-rec', label: 'REC1', title: 'Recording 101' },
      resourceLink: { id: 'rl-rec', title: 'Labs', description: 'Lab sessions' },
      user: { id: 'teacher-rec', givenName: 'Rita', familyName: 'Recorder', email: 'rita@example.com', sourcedId: 'SRC-1' },
      custom: { username: 'rrecorder' },
    });
    const courseId = courseKey(h.lms.issuer, h.lms.clientId, 'course-rec', 'rl-rec');
    const course = await CourseModel.findById(courseId).lean();
    expect(course).toMatchObject({ title: 'Recording 101', label: 'REC1', contextId: 'course-rec', lastDeploymentId: h.lms.deploymentId });

    const activity = await ActivityModel.findById(activityKey(courseId, 'rl-rec')).lean();
    expect(activity).toMatchObject({ courseId, resourceLinkId: 'rl-rec', title: 'Labs', description: 'Lab sessions', timezone: 'Europe/Riga' });
    expect(activity?.services?.agsLineItemUrl).toMatch(/\/lineitem\?type_id=1$/);
    expect(activity?.services?.agsLineItemsUrl).toContain('/lineitems?type_id=1');
    expect(activity?.services?.nrpsUrl).toContain('/memberships');
    expect(activity?.services?.deploymentId).toBe(h.lms.deploymentId);

    const member = await MemberModel.findOne({ courseId, userId: 'teacher-rec' }).lean();
    expect(member).toMatchObject({
      givenName: 'Rita', familyName: 'Recorder', name: 'Rita Recorder', email: 'rita@example.com',
      sourcedId: 'SRC-1', username: 'rrecorder', role: 'teacher', active: true,
    });
    expect(member?.ltiRoles).toEqual([`${M}#Instructor`]);
    expect(member?.lastLaunchAt).toBeInstanceOf(Date);
  });

  it('when the same person launches twice, then nothing is duplicated', async () => {
    const opts = { role: 'Learner', context: { id: 'course-twice' }, user: { id: 'twice-1' } };
    await h.lms.launch(opts);
    await h.lms.launch(opts);
    const courseId = courseKey(h.lms.issuer, h.lms.clientId, 'course-twice', 'rl-1');
    expect(await MemberModel.countDocuments({ courseId, userId: 'twice-1' })).toBe(1);
    expect(await ActivityModel.countDocuments({ courseId })).toBe(1);
  });

  it('when two activities exist in one course, then each launch gets its own activity', async () => {
    await h.lms.launch({ role: 'Instructor', context: { id: 'course-two' }, resourceLink: { id: 'lectures' } });
    await h.lms.launch({ role: 'Instructor', context: { id: 'course-two' }, resourceLink: { id: 'labs' } });
    const courseId = courseKey(h.lms.issuer, h.lms.clientId, 'course-two', 'x');
    expect(await ActivityModel.countDocuments({ courseId })).toBe(2);
  });
});

describe('scoping and authorisation after the launch', () => {
  it('when a student calls a teacher route, then it is refused with 403', async () => {
    const r = await h.lms.launch({ role: 'Learner', user: { id: 'nosy-student' } });
    const teacherPath = finalPath(r.res).replace('/student?', '/teacher?');
    const res = await r.agent.get(teacherPath);
    expect(res.status).toBe(403);
    expect(res.text).toContain('Not available for your role');
    expect(res.text).not.toContain('No class meetings yet');
  });

  it("when a teacher of course A opens course B's activity with A's launch, then it is refused", async () => {
    const b = await h.lms.launch({ role: 'Instructor', context: { id: 'course-B' }, resourceLink: { id: 'rl-B' }, user: { id: 'teacher-b' } });
    const a = await h.lms.launch({ role: 'Instructor', context: { id: 'course-A' }, resourceLink: { id: 'rl-A' }, user: { id: 'teacher-a' } });
    const bActivity = /\/activity\/([^/]+)\//.exec(finalPath(b.res))?.[1];
    const ltikA = a.ltik ?? '';
    const res = await a.agent.get(`/activity/${bActivity}/teacher?ltik=${encodeURIComponent(ltikA)}`);
    expect(res.status).toBe(403);
    expect(res.text).toContain('This page belongs to another activity');
    expect(res.text).not.toContain('rl-B');
  });

  it('when a teacher is a student in another course, then each launch keeps its own role', async () => {
    const asTeacher = await h.lms.launch({ role: 'Instructor', context: { id: 'course-T' }, user: { id: 'dual' } });
    const asStudent = await h.lms.launch({ role: 'Learner', context: { id: 'course-S' }, user: { id: 'dual' } }, asTeacher.agent);
    expect(homeOf(finalPath(asTeacher.res))).toBe('teacher');
    expect(homeOf(finalPath(asStudent.res))).toBe('student');
    const again = await asTeacher.agent.get(finalPath(asTeacher.res));
    expect(again.status).toBe(200);
  });

  it('when a request carries the ltik as a Bearer token from a script, then it is accepted', async () => {
    const r = await h.lms.launch({ role: 'Instructor' });
    const path = finalPath(r.res).split('?')[0] ?? '';
    const res = await r.agent.get(path).set('Authorization', `Bearer ${r.ltik}`);
    expect(res.status).toBe(200);
  });
});

describe('embedding in the LMS', () => {
  it('when a page is served, then only the registered LMS may frame it and nothing blocks the iframe', async () => {
    const r = await h.lms.launch({ role: 'Instructor' });
    const csp = String(r.res.headers['content-security-policy']);
    expect(csp).toContain(`frame-ancestors 'self' ${new URL(h.lms.url).origin}`);
    expect(r.res.headers['x-frame-options']).toBeUndefined();
    expect(r.res.headers['cross-origin-embedder-policy']).toBeUndefined();
    expect(r.res.headers['strict-transport-security']).toBeUndefined();
    expect(csp).toContain("script-src 'self'");
  });
});
