import { randomUUID } from 'node:crypto';
import supertest from 'supertest';
import { AttendanceRecordModel } from '../../../src/attendance/attendance-record.model';
import { AttendanceSessionModel } from '../../../src/sessions/attendance-session.model';
import { withLtik } from '../../../src/shared/links';
import { startHarness, TestHarness } from '../../support/tool';
import { launchTeacher, TakeCourse, visibleText } from '../attendance/take-helpers';

/**
 * Issue #14: the homes count a running session as upcoming, like the Sessions list, and show it
 * in a "Now" card (teacher: take attendance; student: submit attendance, or the recorded status);
 * the student home lists past sessions first and only the next few upcoming ones.
 * The tool's clock is `clock`, moved by the tests; sessions are placed around it.
 */
const START = new Date('2031-03-10T10:00:00Z');
let clock = START;
let h: TestHarness;
beforeAll(async () => {
  h = await startHarness({ now: () => clock });
}, 60_000);
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  clock = START;
});

const MIN = 60_000;
const at = (minutesFromStart: number) => new Date(START.getTime() + minutesFromStart * MIN);

async function addSession(t: Pick<TakeCourse, 'courseId' | 'activityId'>, startMinutes: number, description: string): Promise<string> {
  const id = randomUUID();
  await AttendanceSessionModel.create({
    _id: id, courseId: t.courseId, activityId: t.activityId, startsAt: at(startMinutes), durationMinutes: 90, timezone: 'Europe/Riga',
    description, audience: { kind: 'all' }, statusSetId: `${t.activityId}-default`, createdBy: 'teacher',
  });
  return id;
}

async function enableSelfMarking(t: TakeCourse, sessionId: string): Promise<void> {
  const res = await t.agent.post(`/activity/${t.activityId}/teacher/sessions/${sessionId}/self-marking`).type('form').send({
    ltik: t.ltik, enabled: '1', password: 'ACDEFG', statusMode: 'auto', lateAfterMinutes: '10', opensMinutesBefore: '0',
    allowedCidrs: '', rotateSeconds: '15', graceSeconds: '5', action: 'save',
  });
  expect(res.status).toBe(303);
}

interface Page { agent: supertest.Agent; ltik: string; home(): Promise<string> }

async function launchStudent(contextId: string, t: TakeCourse, userId: string, locale?: string): Promise<Page> {
  const r = await h.lms.launch({
    role: 'Learner', context: { id: contextId }, resourceLink: { id: 'rl1' }, user: { id: userId, givenName: 'Sam', familyName: 'Student' }, ...(locale ? { locale } : {}),
  });
  if (!r.ltik) throw new Error(`student launch failed: ${r.status}`);
  const ltik = r.ltik;
  return { agent: r.agent, ltik, home: async () => (await r.agent.get(withLtik(`/activity/${t.activityId}/student`, ltik))).text };
}

const teacherHome = async (t: TakeCourse) => (await t.agent.get(withLtik(`/activity/${t.activityId}/teacher`, t.ltik))).text;
const section = (html: string, testId: string) => new RegExp(`data-testid="${testId}"[\\s\\S]*?</section>`).exec(html)?.[0] ?? '';
const decodeHref = (href: string) => href.replace(/&amp;/g, '&');

/** "N sessions shown" on the Sessions list's Upcoming view, the number the home must agree with. */
async function listedUpcoming(t: TakeCourse): Promise<number> {
  const list = await t.agent.get(withLtik(`/activity/${t.activityId}/teacher/sessions?view=upcoming`, t.ltik));
  expect(list.status).toBe(200);
  return Number(/(\d+) sessions? shown/.exec(visibleText(list.text))?.[1]);
}

const homeUpcoming = (html: string) => Number(/sessions planned, (\d+) still to come/.exec(visibleText(html))?.[1]);

describe('the teacher home while a session is running', () => {
  it('when a session is running, then the Now card offers "Take attendance", and the home counts it as upcoming like the Sessions list', async () => {
    const t = await launchTeacher(h, 'now-teacher');
    await addSession(t, -24 * 60, 'Yesterday lecture');
    const running = await addSession(t, -30, 'Running lecture');
    await addSession(t, 24 * 60, 'Tomorrow lecture');
    await addSession(t, 7 * 24 * 60, 'Next week lecture');

    const home = await teacherHome(t);
    const now = visibleText(section(home, 'now-card'));
    expect(now).toContain('Now');
    expect(now).toContain('Running now');
    expect(now).toContain('Mon, 10 Mar 2031, 11:30–13:00 · Running lecture');
    expect(visibleText(home)).toContain('4 sessions planned, 3 still to come. Of these, 1 is running now.');
    expect(visibleText(home)).toContain('Next session: Tue, 11 Mar 2031, 12:00–13:30 · Tomorrow lecture');
    expect(homeUpcoming(home)).toBe(await listedUpcoming(t));
    expect(await listedUpcoming(t)).toBe(3);

    const take = /href="([^"]+)"[^>]*>Take attendance/.exec(section(home, 'now-card'))?.[1] ?? '';
    expect(decodeHref(take)).toBe(`${t.takePath(running)}?ltik=${encodeURIComponent(t.ltik)}`);
    const page = await t.agent.get(decodeHref(take));
    expect(page.status).toBe(200);
    expect(visibleText(page.text)).toContain('Running lecture');
  });

  it('when the running session ends, then the Now card goes and both counts drop together', async () => {
    const t = await launchTeacher(h, 'now-teacher-later');
    await addSession(t, -30, 'Running lecture');
    await addSession(t, 24 * 60, 'Tomorrow lecture');
    clock = at(60); // the running one ended at +60 minutes
    const home = await teacherHome(t);
    expect(home).not.toContain('data-testid="now-card"');
    expect(visibleText(home)).toContain('2 sessions planned, 1 still to come.');
    expect(homeUpcoming(home)).toBe(await listedUpcoming(t));
  });

  it('when only running sessions are left, then the home says nothing comes after them instead of "No upcoming sessions"', async () => {
    const t = await launchTeacher(h, 'now-teacher-last');
    await addSession(t, -30, 'Last lecture');
    const text = visibleText(await teacherHome(t));
    expect(text).toContain('No sessions after the ones running now.');
    expect(text).not.toContain('No upcoming sessions.');
    expect(text).toContain('1 session planned, 1 still to come.');
  });

  it('when the teacher uses Latvian, then the Now card is in Latvian', async () => {
    const t = await launchTeacher(h, 'now-teacher-lv', { locale: 'lv' });
    await addSession(t, -30, 'Lekcija');
    const text = visibleText(section(await teacherHome(t), 'now-card'));
    expect(text).toContain('Tagad');
    expect(text).toContain('Notiek tagad');
    expect(text).toContain('Reģistrēt apmeklējumu');
    expect(visibleText(await teacherHome(t))).toContain('No tām 1 notiek tagad.');
  });
});

describe('the student home while a session is running', () => {
  it('when self-marking is open, then "Submit attendance" shows; after checking in, the recorded status shows instead', async () => {
    const t = await launchTeacher(h, 'now-student');
    const open = await addSession(t, -5, 'Open lecture');
    await enableSelfMarking(t, open);
    await addSession(t, -10, 'Lab without check-in');
    const s = await launchStudent('now-student', t, 'now-s1');

    const before = await s.home();
    const card = section(before, 'now-card');
    expect(visibleText(card)).toContain('Open lecture Submit attendance');
    expect(card).toContain(`/activity/${t.activityId}/student/sessions/${open}/check-in?ltik=`);
    expect(visibleText(card)).toContain('Lab without check-in Not marked yet');
    expect(visibleText(before)).not.toContain('No class meetings are planned');

    const checkIn = await s.agent.post(`/activity/${t.activityId}/student/sessions/${open}/check-in`).type('form').send({ ltik: s.ltik, code: 'ACDEFG' });
    expect(checkIn.status).toBe(303);

    const after = await s.home();
    expect(visibleText(section(after, 'now-card'))).toContain('Open lecture Your attendance: P Present Self-recorded');
    expect(visibleText(after)).not.toContain('Submit attendance');
    expect(after).not.toContain(`/sessions/${open}/check-in`);

    const lv = await launchStudent('now-student', t, 'now-s1', 'lv');
    const lvCard = visibleText(section(await lv.home(), 'now-card'));
    expect(lvCard).toContain('Tagad');
    expect(lvCard).toContain('Jūsu apmeklējums: P');
    expect(lvCard).not.toContain('Iesniegt apmeklējumu');
  });
});

describe('the student home with many upcoming sessions', () => {
  it('when 12 sessions are to come, then their sessions so far come first and only the next 5 show, with "Show all 12"', async () => {
    const t = await launchTeacher(h, 'now-many');
    const past = await addSession(t, -7 * 24 * 60, 'Last week lecture');
    for (let i = 1; i <= 12; i += 1) await addSession(t, i * 24 * 60, `Lecture ${String(i).padStart(2, '0')}`);
    const s = await launchStudent('now-many', t, 'now-many-s1');
    await AttendanceRecordModel.create({
      courseId: t.courseId, activityId: t.activityId, sessionId: past, userId: 'now-many-s1', statusSetId: `${t.activityId}-default`, statusId: t.status.L,
    });

    const html = await s.home();
    expect(html.indexOf('data-testid="past-sessions"')).toBeGreaterThan(0);
    expect(html.indexOf('data-testid="past-sessions"')).toBeLessThan(html.indexOf('data-testid="upcoming-sessions"'));
    expect(visibleText(section(html, 'past-sessions'))).toContain('Last week lecture L Late');

    const upcoming = section(html, 'upcoming-sessions');
    const [shown = '', more = ''] = upcoming.split('<details');
    expect([...visibleText(shown).matchAll(/Lecture (\d\d)/g)].map((m) => m[1])).toEqual(['01', '02', '03', '04', '05']);
    expect(visibleText(more)).toContain('Show all 12 upcoming sessions');
    expect([...visibleText(more).matchAll(/Lecture (\d\d)/g)].map((m) => m[1])).toEqual(['06', '07', '08', '09', '10', '11', '12']);

    const lv = await launchStudent('now-many', t, 'now-many-s1', 'lv');
    expect(visibleText(section(await lv.home(), 'upcoming-sessions'))).toContain('Rādīt visas gaidāmās nodarbības (12)');
  });
});
