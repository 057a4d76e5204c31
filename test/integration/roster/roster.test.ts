import mongoose from 'mongoose';
import { activityKey, courseKey } from '../../../src/courses/keys';
import { LtiServiceError, type LtiServices } from '../../../src/lti/lti-services';
import { MemberModel } from '../../../src/roster/member.model';
import { RosterSyncModel } from '../../../src/roster/roster-sync.model';
import { syncRoster, syncRosterAfterTeacherLaunch } from '../../../src/roster/roster-sync.service';
import { loadRoster } from '../../../src/roster/roster.service';
import { createLogger } from '../../../src/shared/logger';
import type { FeatureDeps } from '../../../src/shared/feature-deps';
import { CLAIM, DEFAULT_TEACHER, makeUsers, SCOPE, type MockUser } from '../../support/mock-lms';
import { finalPath, startHarness, type TestHarness } from '../../support/tool';

let h: TestHarness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const ids = (contextId: string) => {
  const courseId = courseKey(h.lms.issuer, h.lms.clientId, contextId, 'rl-1');
  return { courseId, activityId: activityKey(courseId, 'rl-1') };
};

/** A teacher launch in the context; returns the agent, ltik and the roster page paths. */
async function teacherLaunch(contextId: string, opts: { claims?: Record<string, unknown> } = {}) {
  const r = await h.lms.launch({ role: 'Instructor', context: { id: contextId }, resourceLink: { id: 'rl-1' }, ...opts });
  expect(r.status).toBe(200);
  const ltik = r.ltik ?? '';
  const base = finalPath(r.res).split('?')[0] ?? '';
  return {
    agent: r.agent,
    ltik,
    rosterUrl: `${base}/roster?ltik=${encodeURIComponent(ltik)}`,
    refreshPath: `${base}/roster/refresh`,
  };
}

async function refresh(t: Awaited<ReturnType<typeof teacherLaunch>>) {
  const post = await t.agent.post(t.refreshPath).type('form').send({ ltik: t.ltik });
  expect(post.status).toBe(303);
  expect(post.headers.location).toContain('refreshed=1');
  return t.agent.get(String(post.headers.location));
}

const teacher: MockUser = { ...DEFAULT_TEACHER };
const deps = (lti: LtiServices): FeatureDeps => ({ now: () => new Date(), defaultTimezone: 'Europe/Riga', log: createLogger('silent'), lti, publicUrl: 'http://127.0.0.1', signingKey: Buffer.alloc(32, 1) });

describe('the roster comes from the LMS (Names and Roles) at every teacher launch', () => {
  it('when a teacher launches, then every page of the LMS roster is listed, including students who never opened the activity', async () => {
    h.lms.setMembers('r-paging', [teacher, ...makeUsers(230)]);
    h.lms.resetTraffic();
    const t = await teacherLaunch('r-paging');

    expect(h.lms.tokenRequests.some((r) => r.ok && r.scope?.split(' ').includes(SCOPE.nrps))).toBe(true);
    const { courseId } = ids('r-paging');
    const students = await MemberModel.find({ courseId, role: 'student' }).lean();
    expect(students).toHaveLength(230); // 100 + 100 + 30: every Link rel="next" page was followed
    expect(students.every((s) => s.active && s.rosterStatus === 'active' && s.lastLaunchAt === undefined)).toBe(true);
    expect(await MemberModel.findOne({ courseId, userId: 'student-230' }).lean()).toMatchObject({
      givenName: 'Student', familyName: 'Number230', email: 'student230@example.com', username: 'student230', sourcedId: 'ID-student230',
    });

    const page = await t.agent.get(t.rosterUrl);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>Course roster</h1>');
    expect(page.text).toContain('Number230, Student');
    expect(page.text).toContain('Active students: <strong>230</strong>');
    expect(page.text).toContain('Teachers: <strong>1</strong>');
    expect(page.text).toMatch(/Last synced from the LMS: .+ \(just now\)/);
    expect(page.text).toContain('>never<');
    expect(page.text).toContain('Refresh roster');
    // Sorted by family name (numeric-aware): Number1 before Number2 before Number10 ... and Teacher last.
    const order = ['Number1, Student', 'Number2, Student', 'Number10, Student', 'Number230, Student', 'Teacher, Terry'].map((n) => page.text.indexOf(n));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('when the LMS drops a student or reports one inactive, then after Refresh they show as inactive and their records stay', async () => {
    const [s1, s2, s3] = makeUsers(3);
    h.lms.setMembers('r-remove', [teacher, s1!, s2!, s3!]);
    const t = await teacherLaunch('r-remove');
    const student = await h.lms.launch({ role: 'Learner', user: { id: 'student-3' }, context: { id: 'r-remove' }, resourceLink: { id: 'rl-1' } });
    expect(student.status).toBe(200);

    h.lms.setMembers('r-remove', [teacher, s1!, { ...s2!, status: 'Inactive' }]);
    const page = await refresh(t);
    expect(page.text).toContain('The roster was refreshed from the LMS. Active: 2, inactive: 2, new: 0.');
    expect(page.text).toMatch(/<tr class="muted">\s*<th scope="row">Number3, Student<\/th>[\s\S]*?Inactive<\/span> <span class="small">no longer in the LMS course/);
    expect(page.text).toMatch(/Number2, Student<\/th>[\s\S]*?Inactive<\/span> <span class="small">inactive in the LMS/);
    expect(page.text).toContain('Inactive students: <strong>2</strong>');

    const { courseId } = ids('r-remove');
    const gone = await MemberModel.findOne({ courseId, userId: 'student-3' }).lean();
    expect(gone).toMatchObject({ active: false, rosterStatus: 'absent', familyName: 'Number3' });
    expect(gone?.lastLaunchAt).toBeInstanceOf(Date);
    expect(await MemberModel.countDocuments({ courseId })).toBe(4);

    h.lms.setMembers('r-remove', [teacher, s1!, s2!, s3!]);
    await refresh(t);
    expect(await MemberModel.countDocuments({ courseId, active: true })).toBe(4);
  });

  it('when the LMS fails on Refresh, then the page says the sync failed and the previous roster is kept', async () => {
    h.lms.setMembers('r-fail', [teacher, ...makeUsers(4)]);
    const t = await teacherLaunch('r-fail');
    const { courseId } = ids('r-fail');
    const before = await MemberModel.find({ courseId }, { _id: 0, userId: 1, active: 1, familyName: 1 }).sort({ userId: 1 }).lean();

    h.lms.setMembers('r-fail', [teacher]); // would deactivate everyone if it were read
    h.lms.failNext('nrps', 503, 1); // the NRPS adapter does not retry a 503 (ltijs's HTTP client did, twice)
    const page = await refresh(t);
    expect(page.text).toContain('The roster could not be refreshed (the LMS answered with error 503). Nothing was changed');
    expect(page.text).toMatch(/The last refresh failed \(the LMS answered with error 503\) — showing the list from .+\(.+\)/);
    expect(page.text).toContain('Active students: <strong>4</strong>');
    expect(await MemberModel.find({ courseId }, { _id: 0, userId: 1, active: 1, familyName: 1 }).sort({ userId: 1 }).lean()).toEqual(before);
    expect(await RosterSyncModel.findById(courseId).lean()).toMatchObject({ status: 'failed', reason: 'lms_error', httpStatus: 503 });
  });

  it('when the LMS refuses the access token, then the page says so and nothing changes', async () => {
    h.lms.setMembers('r-token', [teacher, ...makeUsers(2)]);
    const t = await teacherLaunch('r-token');
    // ltijs caches the NRPS access token for an hour: drop it so the next call asks the token endpoint.
    await mongoose.connection.useDb(`${h.config.dbName}_ltijs`).collection('accesstokens').deleteMany({});
    h.lms.setMembers('r-token', [teacher]);
    h.lms.failNext('token', 401);
    const page = await refresh(t);
    expect(page.text).toContain('access request, error 401');
    expect(await MemberModel.countDocuments({ courseId: ids('r-token').courseId, active: true })).toBe(3);
  });

  it('when the LMS returns nobody at all, then nobody is deactivated and the page says why', async () => {
    h.lms.setMembers('r-empty', [teacher, ...makeUsers(2)]);
    const t = await teacherLaunch('r-empty');
    h.lms.setMembers('r-empty', []);
    const page = await refresh(t);
    expect(page.text).toContain('the LMS returned no members at all');
    expect(await MemberModel.countDocuments({ courseId: ids('r-empty').courseId, active: true })).toBe(3);
  });
});

describe('the roster page in Latvian', () => {
  it('when the launch locale is Latvian, then the page, the sync time and the roles are in Latvian', async () => {
    h.lms.setMembers('r-lv', [teacher, { ...makeUsers(1)[0]!, givenName: 'Līga', familyName: 'Ozoliņa' }]);
    const r = await h.lms.launch({ role: 'Instructor', locale: 'lv', context: { id: 'r-lv' }, resourceLink: { id: 'rl-1' } });
    const base = finalPath(r.res).split('?')[0] ?? '';
    const page = await r.agent.get(`${base}/roster?ltik=${encodeURIComponent(r.ltik ?? '')}`);
    expect(page.text).toContain('<h1>Kursa dalībnieki</h1>');
    expect(page.text).toMatch(/Pēdējā sinhronizācija ar LMS: .+ \(tikko\)/);
    expect(page.text).toContain('Ozoliņa, Līga');
    expect(page.text).toMatch(/<td data-label="Loma">Students<\/td>/);
    expect(page.text).toContain('Atjaunināt sarakstu');
  });
});

describe('without the Names and Roles service', () => {
  it('when the launch has no NRPS claim, then the page explains why and students appear as they launch', async () => {
    const noNrps = { claims: { [CLAIM.nrps]: undefined } };
    h.lms.setMembers('r-nonrps', [teacher, ...makeUsers(3)]);
    const t = await teacherLaunch('r-nonrps', noNrps);
    let page = await t.agent.get(t.rosterUrl);
    expect(page.text).toContain('This LMS did not offer the Names and Roles service for this activity, so students appear here as they open the activity.');
    expect(page.text).toContain('Ask the LMS administrator to enable “IMS LTI Names and Role Provisioning” for the tool.');
    expect(page.text).not.toContain('Refresh roster</button>');
    expect(page.text).not.toContain('Number2, Student');
    expect(await RosterSyncModel.findById(ids('r-nonrps').courseId).lean()).toMatchObject({ status: 'unavailable' });

    await h.lms.launch({ role: 'Learner', user: { id: 'student-2' }, context: { id: 'r-nonrps' }, resourceLink: { id: 'rl-1' }, ...noNrps });
    page = await t.agent.get(t.rosterUrl);
    expect(page.text).toContain('Number2, Student');
    expect(page.text).toContain('Active students: <strong>1</strong>');
  });
});

describe('who may see and refresh the roster', () => {
  it('when a student asks for the roster or a refresh, then they get 403', async () => {
    h.lms.setMembers('r-guard', [teacher, ...makeUsers(1)]);
    await teacherLaunch('r-guard');
    const s = await h.lms.launch({ role: 'Learner', user: { id: 'student-1' }, context: { id: 'r-guard' }, resourceLink: { id: 'rl-1' } });
    const base = (finalPath(s.res).split('?')[0] ?? '').replace(/\/student$/, '/teacher');
    const get = await s.agent.get(`${base}/roster?ltik=${encodeURIComponent(s.ltik ?? '')}`);
    expect(get.status).toBe(403);
    expect(get.text).not.toContain('Course roster');
    const post = await s.agent.post(`${base}/roster/refresh`).type('form').send({ ltik: s.ltik });
    expect(post.status).toBe(403);
  });

  it("when a teacher of course A uses course B's activity path, then it is refused and B is untouched", async () => {
    h.lms.setMembers('r-course-a', [teacher, ...makeUsers(1, 'Learner', 'alpha')]);
    h.lms.setMembers('r-course-b', [teacher, ...makeUsers(1, 'Learner', 'beta')]);
    const a = await teacherLaunch('r-course-a');
    await teacherLaunch('r-course-b');
    const A = ids('r-course-a');
    const B = ids('r-course-b');
    const bSyncBefore = await RosterSyncModel.findById(B.courseId).lean();

    const get = await a.agent.get(`/activity/${B.activityId}/teacher/roster?ltik=${encodeURIComponent(a.ltik)}`);
    expect(get.status).toBe(403);
    expect(get.text).not.toContain('Number1, Beta');
    const post = await a.agent.post(`/activity/${B.activityId}/teacher/roster/refresh`).type('form').send({ ltik: a.ltik });
    expect(post.status).toBe(403);
    expect(await RosterSyncModel.findById(B.courseId).lean()).toEqual(bSyncBefore);

    // The services refuse the mix on their own too (404), whatever the route does.
    await expect(loadRoster(A.courseId, B.activityId)).rejects.toMatchObject({ kind: 'not_found' });
    await expect(syncRoster(A.courseId, B.activityId, deps({ getMembers: async () => [] }))).rejects.toMatchObject({ kind: 'not_found' });
  });
});

describe('the refresh after a teacher launch', () => {
  it('when the LMS is slow, then the launch waits only for the bound and the refresh finishes on its own', async () => {
    h.lms.setMembers('r-slow', [teacher, ...makeUsers(1)]);
    await teacherLaunch('r-slow');
    const { courseId, activityId } = ids('r-slow');
    let release: () => void = () => undefined;
    const slow: LtiServices = {
      getMembers: () => new Promise((resolve) => (release = () => resolve([{ userId: 'late-1', roles: ['Learner'], status: 'Active', familyName: 'Late' }]))),
    };
    const started = Date.now();
    await syncRosterAfterTeacherLaunch(deps(slow), { courseId, activityId } as never, 150);
    expect(Date.now() - started).toBeLessThan(1000);

    release();
    await new Promise((r) => setTimeout(r, 300));
    expect(await MemberModel.findOne({ courseId, userId: 'late-1' }).lean()).toMatchObject({ active: true, familyName: 'Late' });
  });

  it('when the roster code breaks unexpectedly, then the launch step does not throw and the failure is recorded', async () => {
    h.lms.setMembers('r-broken', [teacher, ...makeUsers(1)]);
    await teacherLaunch('r-broken');
    const { courseId, activityId } = ids('r-broken');
    const broken: LtiServices = { getMembers: async () => { throw new TypeError('boom'); } };
    await expect(syncRosterAfterTeacherLaunch(deps(broken), { courseId, activityId } as never)).resolves.toBeUndefined();
    expect(await RosterSyncModel.findById(courseId).lean()).toMatchObject({ status: 'failed', reason: 'unknown' });

    const refused: LtiServices = { getMembers: async () => { throw new LtiServiceError('platform_inactive'); } };
    await syncRosterAfterTeacherLaunch(deps(refused), { courseId, activityId } as never);
    expect(await RosterSyncModel.findById(courseId).lean()).toMatchObject({ status: 'failed', reason: 'platform_inactive' });
    expect(await MemberModel.countDocuments({ courseId, active: true })).toBe(2);
  });
});
