import { randomUUID } from 'node:crypto';
import { AttendanceRecordModel } from '../../../src/attendance/attendance-record.model';
import { ActivityModel } from '../../../src/courses/activity.model';
import { activityKey, courseKey } from '../../../src/courses/keys';
import { MemberModel } from '../../../src/roster/member.model';
import { AttendanceSessionModel } from '../../../src/sessions/attendance-session.model';
import { withLtik } from '../../../src/shared/links';
import { MockLms, type MockUser } from '../../support/mock-lms';
import { startHarness, type TestHarness } from '../../support/tool';
import { rowNames, visibleText } from '../attendance/take-helpers';
import { loadWorkbook, parseCsv, sheetRows } from '../reports/export-support';

/**
 * Issue #15, item 4: Open edX (lti-consumer-xblock 11.4.4) sends the name as one string (no
 * given_name/family_name, in the launch and in NRPS) and the username only as the OIDC claim
 * `preferred_username`; it leaves `$User.username` in custom parameters unsubstituted.
 */

let h: TestHarness;
let moodle: MockLms;

beforeAll(async () => {
  h = await startHarness({ lms: { profile: 'openedx' } });
  moodle = await MockLms.start({ toolUrl: h.tool.url, clientId: 'moodle-client' });
  await h.tool.platforms.upsertPlatform(moodle.registration(), 'cli');
});
afterAll(async () => {
  await moodle?.stop();
  await h?.close();
});

const TEACHER: MockUser = { id: 'oe-teacher', givenName: 'Terry', familyName: 'Teacher', username: 'terry_t', roles: ['Instructor'] };
// By family name: Ābele, Bērziņš, Zariņa. By the full name as given: Anna, Juris, Zane.
const STUDENTS: MockUser[] = [
  { id: 'oe-zane', givenName: 'Zane', familyName: 'Ābele', username: 'zane_a', email: 'zane@example.com', roles: ['Learner'] },
  { id: 'oe-anna', givenName: 'Anna', familyName: 'Zariņa', username: 'anna_z', email: 'anna@example.com', roles: ['Learner'] },
  { id: 'oe-juris', givenName: 'Juris', familyName: 'Bērziņš', username: 'juris_b', email: 'juris@example.com', roles: ['Learner'] },
];

interface Course { lms: MockLms; ltik: string; agent: Awaited<ReturnType<MockLms['launch']>>['agent']; courseId: string; activityId: string; sessionId: string }

/** A teacher launch (which syncs the LMS roster), one ended session with a mark for everybody. */
async function courseWithMarks(lms: MockLms, contextId: string): Promise<Course> {
  lms.setMembers(contextId, [TEACHER, ...STUDENTS]);
  const r = await lms.launch({ user: { id: TEACHER.id }, context: { id: contextId }, resourceLink: { id: 'rl1', title: 'Lectures' } });
  if (!r.ltik) throw new Error(`teacher launch failed: ${r.status}`);
  const courseId = courseKey(lms.issuer, lms.clientId, contextId, 'rl1');
  const activityId = activityKey(courseId, 'rl1');
  const sessionId = randomUUID();
  await AttendanceSessionModel.create({
    _id: sessionId, courseId, activityId, startsAt: new Date('2025-03-03T08:00:00Z'), durationMinutes: 90, timezone: 'Europe/Riga',
    description: 'Lecture', audience: { kind: 'all' }, statusSetId: `${activityId}-default`, createdBy: TEACHER.id,
  });
  await AttendanceRecordModel.insertMany(STUDENTS.map((s) => ({
    courseId, activityId, sessionId, userId: s.id, statusSetId: `${activityId}-default`, statusId: `${activityId}-default-P`, remark: '', source: 'teacher',
  })));
  return { lms, ltik: r.ltik, agent: r.agent, courseId, activityId, sessionId };
}

const takePage = (c: Course, sort = 'last') =>
  c.agent.get(withLtik(`/activity/${c.activityId}/teacher/sessions/${encodeURIComponent(c.sessionId)}/take?sort=${sort}`, c.ltik));
const reportPage = (c: Course) => c.agent.get(withLtik(`/activity/${c.activityId}/teacher/report`, c.ltik));
const reportNames = (html: string) => {
  const body = /<table class="data report-table[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  return [...body.matchAll(/<th scope="row" class="col-name">([^<]*)/g)].map((m) => visibleText(m[1] ?? '').trim());
};
async function exportCsv(c: Course, id: 'username' | 'email' | 'lmsid'): Promise<string[][]> {
  const res = await c.agent.get(withLtik(`/activity/${c.activityId}/teacher/report/export.csv?id=${id}`, c.ltik)).buffer(true);
  expect(res.status).toBe(200);
  return parseCsv(res.text.replace(/^\uFEFF/, ''));
}

const FULL_NAMES_NOTICE = /sends full names only/i;

describe('usernames the way Open edX sends them', () => {
  it('when an Open edX learner launches with `username=$User.username` unsubstituted, then the roster holds the username from preferred_username', async () => {
    const r = await h.lms.launch({
      role: 'Learner', user: { id: 'oe-learner', givenName: 'Līga', familyName: 'Ozola', username: 'liga_o' },
      context: { id: 'oe-user' }, resourceLink: { id: 'rl1' }, custom: { username: '$User.username', timezone: '$Person.address.timezone' },
    });
    expect(r.payload.preferred_username).toBe('liga_o');
    expect(r.payload.given_name).toBeUndefined();

    const member = await MemberModel.findOne({ userId: 'oe-learner' }).lean();
    expect(member).toMatchObject({ username: 'liga_o', name: 'Līga Ozola', givenName: '', familyName: '' });
  });

  it('when a teacher launches with `$…` custom values, then none of them is kept: the activity gets the default zone', async () => {
    await h.lms.launch({
      user: { id: 'oe-t-zone' }, context: { id: 'oe-zone' }, resourceLink: { id: 'rl1' },
      custom: { username: '$User.username', timezone: '$Person.address.timezone', grade_type: '$Custom.grade' },
    });
    const member = await MemberModel.findOne({ userId: 'oe-t-zone' }).lean();
    expect(member?.username).toBe('oe-t-zone');
    const activity = await ActivityModel.findById(activityKey(courseKey(h.lms.issuer, h.lms.clientId, 'oe-zone', 'rl1'), 'rl1')).lean();
    expect(activity?.timezone).toBe('Europe/Riga');
  });

  it('when an id_token carrying another preferred_username fails verification, then the roster keeps the verified username', async () => {
    await h.lms.launch({ role: 'Learner', user: { id: 'oe-victim', username: 'victim' }, context: { id: 'oe-forged' }, resourceLink: { id: 'rl1' } });
    const forged = await h.lms.launch({
      role: 'Learner', user: { id: 'oe-victim', username: 'mallory' }, context: { id: 'oe-forged' }, resourceLink: { id: 'rl1' }, signWith: 'otherKey',
    });
    expect(forged.ltik).toBeUndefined();
    expect((await MemberModel.findOne({ userId: 'oe-victim' }).lean())?.username).toBe('victim');
  });

  it('when a learner launch with a valid ltik also carries a forged id_token, then its preferred_username is not used', async () => {
    const first = await h.lms.launch({ role: 'Learner', user: { id: 'oe-mixed', username: 'mixed_ok' }, context: { id: 'oe-mixed' }, resourceLink: { id: 'rl1' } });
    expect(first.ltik).toBeDefined();
    const other = await h.lms.launch({ role: 'Learner', user: { id: 'oe-mixed', username: 'mixed_evil' }, context: { id: 'oe-mixed' }, resourceLink: { id: 'rl1' }, signWith: 'otherKey' });
    // The same browser posts the forged token next to its valid ltik.
    const res = await first.agent.post(withLtik('/launch', first.ltik ?? '')).type('form').send({ id_token: other.idToken });
    expect(res.status).toBeLessThan(500);
    expect((await MemberModel.findOne({ userId: 'oe-mixed' }).lean())?.username).toBe('mixed_ok');
  });

  it('when the roster is synced from Open edX NRPS (no username there), then the usernames from launches stay and the export lists them', async () => {
    const c = await courseWithMarks(h.lms, 'oe-export');
    const zane = STUDENTS[0] as MockUser;
    await h.lms.launch({ role: 'Learner', user: { id: zane.id }, context: { id: 'oe-export' }, resourceLink: { id: 'rl1' } });
    // A second teacher launch syncs the roster again: NRPS's members have no username.
    await h.lms.launch({ user: { id: TEACHER.id }, context: { id: 'oe-export' }, resourceLink: { id: 'rl1' } });

    expect((await MemberModel.findOne({ courseId: c.courseId, userId: zane.id }).lean())?.username).toBe('zane_a');
    const rows = await exportCsv(c, 'username');
    const zaneRow = rows.find((row) => row.includes('Zane Ābele'));
    expect(zaneRow).toContain('zane_a');
  });
});

describe('names the way Open edX sends them', () => {
  let openedx: Course;
  let withParts: Course;
  beforeAll(async () => {
    openedx = await courseWithMarks(h.lms, 'oe-names');
    withParts = await courseWithMarks(moodle, 'moodle-names');
  });

  it('when the LMS sends full names only, then the NRPS roster keeps them without guessing a family name', async () => {
    const stored = await MemberModel.find({ courseId: openedx.courseId, role: 'student' }, { userId: 1, name: 1, givenName: 1, familyName: 1, _id: 0 }).sort({ userId: 1 }).lean();
    expect(stored).toEqual([
      { userId: 'oe-anna', name: 'Anna Zariņa', givenName: '', familyName: '' },
      { userId: 'oe-juris', name: 'Juris Bērziņš', givenName: '', familyName: '' },
      { userId: 'oe-zane', name: 'Zane Ābele', givenName: '', familyName: '' },
    ]);
  });

  it('when the LMS sends full names only, then the take page says so and sorts "by last name" by the full name as given', async () => {
    const res = await takePage(openedx, 'last');
    expect(res.status).toBe(200);
    expect(visibleText(res.text)).toMatch(FULL_NAMES_NOTICE);
    expect(rowNames(res.text)).toEqual(['Anna Zariņa', 'Juris Bērziņš', 'Zane Ābele']);
  });

  it('when the LMS sends full names only, then the report says so, sorts by the full name and the export has one name column', async () => {
    const res = await reportPage(openedx);
    expect(res.status).toBe(200);
    expect(visibleText(res.text)).toMatch(FULL_NAMES_NOTICE);
    expect(reportNames(res.text)).toEqual(['Anna Zariņa', 'Juris Bērziņš', 'Zane Ābele']);

    const rows = await exportCsv(openedx, 'lmsid');
    expect(rows[0]?.slice(0, 2)).toEqual(['Name', 'LMS user ID']);
    expect(rows.slice(1).map((r) => r.slice(0, 2))).toEqual([['Anna Zariņa', 'oe-anna'], ['Juris Bērziņš', 'oe-juris'], ['Zane Ābele', 'oe-zane']]);

    const xlsx = await openedx.agent.get(withLtik(`/activity/${openedx.activityId}/teacher/report/export.xlsx?id=lmsid`, openedx.ltik)).buffer(true)
      .parse((res, done) => { const chunks: Buffer[] = []; res.on('data', (c: Buffer) => chunks.push(c)); res.on('end', () => done(null, Buffer.concat(chunks))); });
    expect(xlsx.status).toBe(200);
    const sheet = (await loadWorkbook(xlsx.body as Buffer)).worksheets[0];
    if (!sheet) throw new Error('no sheet');
    expect(sheetRows(sheet).slice(0, 2).map((r) => r.slice(0, 2))).toEqual([['Name', 'LMS user ID'], ['Anna Zariņa', 'oe-anna']]);
  });

  it('when the LMS sends name parts (Moodle), then the take page and the report sort by family name without the notice', async () => {
    const take = await takePage(withParts, 'last');
    expect(take.status).toBe(200);
    expect(visibleText(take.text)).not.toMatch(FULL_NAMES_NOTICE);
    expect(rowNames(take.text)).toEqual(['Ābele, Zane', 'Bērziņš, Juris', 'Zariņa, Anna']);

    const report = await reportPage(withParts);
    expect(visibleText(report.text)).not.toMatch(FULL_NAMES_NOTICE);
    expect(reportNames(report.text)).toEqual(['Ābele, Zane', 'Bērziņš, Juris', 'Zariņa, Anna']);
    const rows = await exportCsv(withParts, 'username');
    expect(rows[0]?.slice(0, 3)).toEqual(['Last name', 'First name', 'Username']);
    expect(rows.slice(1).map((r) => r.slice(0, 3))).toEqual([['Ābele', 'Zane', 'zane_a'], ['Bērziņš', 'Juris', 'juris_b'], ['Zariņa', 'Anna', 'anna_z']]);
  });
});
