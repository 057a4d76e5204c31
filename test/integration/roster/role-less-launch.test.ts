import { activityKey, courseKey } from '../../../src/courses/keys';
import { MemberModel } from '../../../src/roster/member.model';
import { withLtik } from '../../../src/shared/links';
import { addSession } from '../attendance/take-helpers';
import { DEFAULT_TEACHER, type MockUser } from '../../support/mock-lms';
import { finalPath, startHarness, type TestHarness } from '../../support/tool';

/**
 * Issue #15 item 3: a launch with an empty or unknown role list decides only what that one
 * launch may see; it never downgrades the course role NRPS or earlier launches established.
 */

const M = 'http://purl.imsglobal.org/vocab/lis/v2/membership';
let h: TestHarness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const sam: MockUser = { id: 'sam', givenName: 'Sam', familyName: 'Student', email: 'sam@example.com', roles: ['Learner'], status: 'Active' };

function ids(contextId: string) {
  const courseId = courseKey(h.lms.issuer, h.lms.clientId, contextId, 'rl-1');
  return { courseId, activityId: activityKey(courseId, 'rl-1') };
}

async function teacherLaunch(contextId: string) {
  const r = await h.lms.launch({ role: 'Instructor', context: { id: contextId }, resourceLink: { id: 'rl-1' } });
  expect(r.status).toBe(200);
  const ltik = r.ltik ?? '';
  const base = finalPath(r.res).split('?')[0] ?? '';
  return {
    roster: () => r.agent.get(withLtik(`${base}/roster`, ltik)),
    refresh: () => r.agent.post(`${base}/roster/refresh`).type('form').send({ ltik }),
    take: (sessionId: string) => r.agent.get(withLtik(`${base}/sessions/${sessionId}/take`, ltik)),
  };
}

const launchAs = (contextId: string, userId: string, roles: string[]) =>
  h.lms.launch({ roles, context: { id: contextId }, resourceLink: { id: 'rl-1' }, user: { id: userId } });

describe('a launch without a known role does not change anyone’s course role', () => {
  it.each([
    ['an empty role list ([""])', ['']],
    ['an unknown role', ['http://example.com/roles#Wizard']],
    ['no roles at all ([])', []],
  ])('when a student known from NRPS launches once with %s, then that launch gets the limited view and the roster and take list still show them as a student', async (_name, roles) => {
    const contextId = `roleless-${Math.random().toString(36).slice(2, 8)}`;
    h.lms.setMembers(contextId, [{ ...DEFAULT_TEACHER }, sam]);
    const t = await teacherLaunch(contextId);
    const { courseId, activityId } = ids(contextId);
    expect(await MemberModel.findOne({ courseId, userId: 'sam' }).lean()).toMatchObject({ role: 'student' });

    const guest = await launchAs(contextId, 'sam', roles);
    expect(guest.status).toBe(200);
    expect(guest.res.text).toContain('You are viewing as a guest');

    const member = await MemberModel.findOne({ courseId, userId: 'sam' }).lean();
    expect(member).toMatchObject({ role: 'student', active: true });
    expect(member?.ltiRoles).toEqual(['Learner']);
    expect(member?.lastLaunchAt).toBeInstanceOf(Date);

    const roster = await t.roster();
    expect(roster.text).toContain('Active students: <strong>1</strong>');
    expect(roster.text).not.toContain('Guests (view only)');
    const sessionId = await addSession({ courseId, activityId });
    const take = await t.take(sessionId);
    expect(take.status).toBe(200);
    expect(take.text).toContain('Student, Sam');
  });

  it('when a student known only from an earlier launch (no NRPS) launches with an empty role list, then they stay a student', async () => {
    const contextId = 'roleless-launch-only';
    await launchAs(contextId, 'lena', [`${M}#Learner`]);
    await launchAs(contextId, 'lena', ['']);
    const { courseId } = ids(contextId);
    expect(await MemberModel.findOne({ courseId, userId: 'lena' }).lean()).toMatchObject({ role: 'student', ltiRoles: [`${M}#Learner`] });
  });

  it('when someone’s first launch has an empty role list, then they are recorded as a guest, and a later real launch makes them a student', async () => {
    const contextId = 'roleless-first';
    const { courseId } = ids(contextId);
    await launchAs(contextId, 'newcomer', ['']);
    expect(await MemberModel.findOne({ courseId, userId: 'newcomer' }).lean()).toMatchObject({ role: 'limited' });
    await launchAs(contextId, 'newcomer', [`${M}#Learner`]);
    expect(await MemberModel.findOne({ courseId, userId: 'newcomer' }).lean()).toMatchObject({ role: 'student', ltiRoles: [`${M}#Learner`] });
  });

  it('when a student’s role really changes (a launch as Instructor), then the course role follows', async () => {
    const contextId = 'roleless-promoted';
    const { courseId } = ids(contextId);
    await launchAs(contextId, 'riley', [`${M}#Learner`]);
    await launchAs(contextId, 'riley', ['']);
    await launchAs(contextId, 'riley', [`${M}#Instructor`]);
    expect(await MemberModel.findOne({ courseId, userId: 'riley' }).lean()).toMatchObject({ role: 'teacher', ltiRoles: [`${M}#Instructor`] });
  });

  it('when NRPS later reports another role for a member a role-less launch left alone, then the sync updates it', async () => {
    const contextId = 'roleless-nrps';
    h.lms.setMembers(contextId, [{ ...DEFAULT_TEACHER }, sam]);
    const t = await teacherLaunch(contextId);
    await launchAs(contextId, 'sam', ['']);
    const { courseId } = ids(contextId);
    expect(await MemberModel.findOne({ courseId, userId: 'sam' }).lean()).toMatchObject({ role: 'student' });

    h.lms.setMembers(contextId, [{ ...DEFAULT_TEACHER }, { ...sam, roles: ['Mentor'] }]);
    const refreshed = await t.refresh();
    expect(refreshed.status).toBe(303);
    expect(await MemberModel.findOne({ courseId, userId: 'sam' }).lean()).toMatchObject({ role: 'limited', ltiRoles: ['Mentor'] });

    h.lms.setMembers(contextId, [{ ...DEFAULT_TEACHER }, { ...sam, roles: ['Instructor'] }]);
    await t.refresh();
    expect(await MemberModel.findOne({ courseId, userId: 'sam' }).lean()).toMatchObject({ role: 'teacher', ltiRoles: ['Instructor'] });
  });
});
