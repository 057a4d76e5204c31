import { randomUUID } from 'node:crypto';
import supertest from 'supertest';
import { AttendanceRecordModel } from '../../../src/attendance/attendance-record.model';
import { activityKey, courseKey } from '../../../src/courses/keys';
import { GroupModel } from '../../../src/groups/group.model';
import { loadReport } from '../../../src/reports/report-data.service';
import { MemberModel } from '../../../src/roster/member.model';
import { AttendanceSessionModel } from '../../../src/sessions/attendance-session.model';
import { withLtik } from '../../../src/shared/links';
import { startHarness, TestHarness } from '../../support/tool';
import { visibleText } from '../attendance/take-helpers';

/**
 * The student's own view: the report's numbers for them alone, their sessions, nobody else's data.
 * The tool's clock is fixed at 15 Feb 2031, 12:00 UTC.
 */
const NOW = new Date('2031-02-15T12:00:00Z');
let h: TestHarness;
beforeAll(async () => {
  h = await startHarness({ now: () => NOW });
});
afterAll(async () => {
  await h?.close();
});

const CTX = 'sv-main';
/** Set in beforeAll: the course key needs the mock LMS's issuer. */
let course = { courseId: '', activityId: '' };
const sessionIds: Record<string, string> = {};

interface StudentPage { agent: supertest.Agent; ltik: string; home: supertest.Response; get(): Promise<supertest.Response> }

async function launchStudent(id: string, name: [string, string], opts: { locale?: string; role?: string; ctx?: string } = {}): Promise<StudentPage> {
  const r = await h.lms.launch({
    role: opts.role ?? 'Learner', context: { id: opts.ctx ?? CTX }, resourceLink: { id: 'rl1', title: 'Lectures' },
    user: { id, givenName: name[0], familyName: name[1] }, ...(opts.locale ? { locale: opts.locale } : {}),
  });
  if (!r.ltik) throw new Error(`student launch failed: ${r.status}`);
  const ltik = r.ltik;
  const activityId = activityKey(courseKey(h.lms.issuer, h.lms.clientId, opts.ctx ?? CTX, 'rl1'), 'rl1');
  return { agent: r.agent, ltik, home: r.res, get: () => r.agent.get(withLtik(`/activity/${activityId}/student`, ltik)) };
}

const testId = (html: string, id: string) => visibleText(new RegExp(`data-testid="${id}">([^<]*)<`).exec(html)?.[1] ?? '').trim();
const section = (html: string, id: string) => new RegExp(`data-testid="${id}"[\\s\\S]*?</section>`).exec(html)?.[0] ?? '';

async function addSession(key: string, startsAt: string, description: string, audience: { kind: 'all' | 'group'; groupId?: string } = { kind: 'all' }, extra: Record<string, unknown> = {}) {
  const id = randomUUID();
  sessionIds[key] = id;
  await AttendanceSessionModel.create({
    _id: id, courseId: course.courseId, activityId: course.activityId, startsAt: new Date(startsAt), durationMinutes: 90, timezone: 'Europe/Riga',
    description, audience, statusSetId: `${course.activityId}-default`, createdBy: 'teacher', ...extra,
  });
}

async function mark(session: string, userId: string, acronym: 'P' | 'L' | 'E' | 'A', extra: Record<string, unknown> = {}) {
  await AttendanceRecordModel.create({
    courseId: course.courseId, activityId: course.activityId, sessionId: sessionIds[session], userId,
    statusSetId: `${course.activityId}-default`, statusId: `${course.activityId}-default-${acronym}`, ...extra,
  });
}

let anna: StudentPage;
let boris: StudentPage;

beforeAll(async () => {
  course = { courseId: courseKey(h.lms.issuer, h.lms.clientId, CTX, 'rl1'), activityId: '' };
  course.activityId = activityKey(course.courseId, 'rl1');
  const teacher = await h.lms.launch({ role: 'Instructor', context: { id: CTX }, resourceLink: { id: 'rl1', title: 'Lectures' }, user: { id: 'sv-teacher' } });
  expect(teacher.status).toBe(200);
  anna = await launchStudent('sv-anna', ['Anna', 'Alksne']);
  boris = await launchStudent('sv-boris', ['Boris', 'Bērziņš']);
  // They joined long before the sessions (the report leaves out sessions that ended before a student joined).
  await MemberModel.collection.updateMany({ courseId: course.courseId }, { $set: { createdAt: new Date('2030-01-01T00:00:00Z') } });
  const labA = await GroupModel.create({ _id: randomUUID(), courseId: course.courseId, name: 'Lab A', nameKey: 'lab a', memberIds: ['sv-anna'] });
  const labB = await GroupModel.create({ _id: randomUUID(), courseId: course.courseId, name: 'Lab B', nameKey: 'lab b', memberIds: ['sv-boris'] });

  await addSession('s1', '2031-02-03T08:00:00Z', 'Week 1 lecture');
  await addSession('s2', '2031-02-10T08:00:00Z', 'Week 2 lecture');
  await addSession('s3', '2031-02-11T08:00:00Z', 'Anna lab', { kind: 'group', groupId: labA._id });
  await addSession('s4', '2031-02-12T08:00:00Z', 'Boris lab', { kind: 'group', groupId: labB._id });
  await addSession('s5', '2031-02-13T08:00:00Z', 'Week 2 seminar');
  await addSession('open', '2031-02-15T11:50:00Z', 'Open check-in now', { kind: 'all' }, { selfMarking: { enabled: true, password: 'opensesame' } });
  await addSession('s6', '2031-02-24T08:00:00Z', 'Week 4 lecture');
  await addSession('s7', '2031-02-25T08:00:00Z', 'Boris future lab', { kind: 'group', groupId: labB._id });

  await mark('s1', 'sv-anna', 'P', { source: 'self', selfRecordedAt: new Date('2031-02-03T08:02:00Z') });
  await mark('s2', 'sv-anna', 'L', { remark: 'Bus was late' });
  await mark('s3', 'sv-anna', 'E', { remark: 'Doctor' });
  // s5: Anna unmarked.
  await mark('s1', 'sv-boris', 'A', { source: 'auto' });
  await mark('s2', 'sv-boris', 'P', { remark: 'Boris private remark' });
  await mark('s4', 'sv-boris', 'P');
  await mark('s5', 'sv-boris', 'L');
});

describe('the student home', () => {
  it("when a student opens it, then the summary shows exactly the report's numbers for them, and the counts per status", async () => {
    const page = await anna.get();
    expect(page.status).toBe(200);
    const full = await loadReport(course.courseId, course.activityId, {}, NOW);
    const row = full.report.rows.find((r) => r.student.userId === 'sv-anna');
    expect(row?.summary).toMatchObject({ earned: 4, possible: 6, taken: 3 }); // P 2 + L 1 + E 1 of 3 × 2
    expect(testId(page.text, 'summary-points')).toBe(`${row?.summary.earned} of ${row?.summary.possible}`);
    expect(testId(page.text, 'summary-percentage')).toBe('66.7%');
    expect(testId(page.text, 'summary-taken')).toBe(String(row?.summary.taken));
    const counts = visibleText(section(page.text, 'summary-counts'));
    expect(counts).toContain('P Present 1 L Late 1 E Excused 1 A Absent 0');
    expect(page.text).toMatch(/<svg role="img" aria-label="Bar chart of your sessions by status: P Present: 1, L Late: 1, E Excused: 1, A Absent: 0"/);
  });

  it('when the other student opens theirs, then their own numbers show', async () => {
    const page = await boris.get();
    const full = await loadReport(course.courseId, course.activityId, {}, NOW);
    const row = full.report.rows.find((r) => r.student.userId === 'sv-boris');
    expect(row?.summary).toMatchObject({ earned: 5, possible: 8, taken: 4 });
    expect(testId(page.text, 'summary-points')).toBe('5 of 8');
    expect(testId(page.text, 'summary-percentage')).toBe('62.5%');
  });

  it('when a student looks at their sessions, then they see their own marks, remarks and hints, past first by recency, and never anyone else\'s', async () => {
    const page = await anna.get();
    const past = visibleText(section(page.text, 'past-sessions'));
    const order = ['Week 2 seminar', 'Anna lab', 'Week 2 lecture', 'Week 1 lecture'].map((d) => past.indexOf(d));
    expect(order.every((i, k) => i >= 0 && (k === 0 || i > (order[k - 1] ?? 0)))).toBe(true);
    expect(past).toContain('Mon, 3 Feb 2031, 10:00–11:30 Week 1 lecture P Present Self-recorded');
    expect(past).toContain('Week 2 lecture L Late Bus was late');
    expect(past).toContain('Anna lab Group: Lab A E Excused Doctor');
    expect(past).toContain('Week 2 seminar Not marked');
    // Running (issue #14): in the "Now" card with its check-in, not among the past sessions.
    expect(past).not.toContain('Open check-in now');
    expect(visibleText(section(page.text, 'now-card'))).toContain('Open check-in now Submit attendance');
    const upcoming = visibleText(section(page.text, 'upcoming-sessions'));
    expect(upcoming).toContain('Week 4 lecture');
    expect(page.text).not.toContain('Boris');
    expect(page.text).not.toContain('Boris private remark');
    expect(page.text).not.toContain('Auto-marked');

    const theirs = await boris.get();
    expect(visibleText(section(theirs.text, 'past-sessions'))).toContain('Week 1 lecture A Absent Auto-marked');
    expect(visibleText(section(theirs.text, 'upcoming-sessions'))).toContain('Boris future lab (Group: Lab B)');
    for (const secret of ['Anna lab', 'Bus was late', 'Doctor', 'Self-recorded']) expect(theirs.text).not.toContain(secret);
  });

  it('when a session is open for check-in, then its "Submit attendance" link stays at the top', async () => {
    const page = await anna.get();
    const submit = page.text.indexOf('Submit attendance');
    expect(submit).toBeGreaterThan(0);
    expect(submit).toBeLessThan(page.text.indexOf('data-testid="student-summary"'));
    expect(page.text).toContain(`/activity/${course.activityId}/student/sessions/${sessionIds.open}/check-in?ltik=`);
  });

  it('when nothing counts yet for a student, then the numbers are dashes with a kind sentence and no chart', async () => {
    const cara = await launchStudent('sv-cara', ['Cara', 'Cīrule']);
    const page = await cara.get();
    expect(testId(page.text, 'summary-percentage')).toBe('–');
    expect(testId(page.text, 'summary-points')).toBe('–');
    expect(testId(page.text, 'summary-taken')).toBe('0');
    expect(visibleText(page.text)).toContain('Nothing counts towards your attendance yet.');
    expect(page.text).not.toContain('<svg role="img"');
  });

  it('when the student uses Latvian, then the view is in Latvian', async () => {
    const lv = await launchStudent('sv-anna', ['Anna', 'Alksne'], { locale: 'lv' });
    const text = visibleText(lv.home.text);
    expect(text).toContain('Jūsu apmeklējums');
    expect(testId(lv.home.text, 'summary-percentage')).toMatch(/^66,7\s?%$/);
    expect(testId(lv.home.text, 'summary-points')).toBe('4 no 6');
    expect(text).toContain('Jūsu līdzšinējās nodarbības');
    expect(text).toContain('Nav atzīmēts');
    expect(text).toContain('Atzīmējies pats');
    expect(text).toContain('Pievienojiet gaidāmās nodarbības savam kalendāram');
    expect(text).not.toContain('Your attendance');
  });

  it('when an observer opens the activity, then the limited page stays, without numbers or a calendar card', async () => {
    const observer = await launchStudent('sv-observer', ['Olga', 'Observer'], { role: 'Mentor' });
    expect(observer.home.text).toContain('data-testid="limited-notice"');
    expect(observer.home.text).not.toContain('data-testid="student-summary"');
    expect(observer.home.text).not.toContain('data-testid="calendar-card"');
    expect(observer.home.text).not.toContain('Week 1 lecture');
  });

  it('when a teacher asks for the student page, then it is refused', async () => {
    const teacher = await h.lms.launch({ role: 'Instructor', context: { id: CTX }, resourceLink: { id: 'rl1', title: 'Lectures' }, user: { id: 'sv-teacher' } });
    expect(teacher.res.text).not.toContain('data-testid="calendar-card"');
    expect((await teacher.agent.get(withLtik(`/activity/${course.activityId}/student`, teacher.ltik ?? ''))).status).toBe(403);
  });
});
