import { DateTime } from 'luxon';
import supertest from 'supertest';
import { slotOf, typedCode } from '../../../src/check-in/rotating-code';
import { ActivityModel } from '../../../src/courses/activity.model';
import { AttendanceSessionModel } from '../../../src/sessions/attendance-session.model';
import { withLtik } from '../../../src/shared/links';
import { startHarness, TestHarness } from '../../support/tool';
import { recordsOf } from '../attendance/take-helpers';
import { Fields, follow, hiddenValue, launchTeacher, TeacherPages, visibleText } from '../sessions/helpers';

/**
 * The tool's clock: real time (launches check token times against it) unless a test moves it
 * into a session to check in, after the student's launch.
 */
let clock: Date | undefined;
let h: TestHarness;
beforeAll(async () => { h = await startHarness({ now: () => clock ?? new Date() }); }, 60_000);
afterAll(async () => { await h.close(); });
beforeEach(() => { clock = undefined; });

/** A date `days` from today in the activity's zone, as the session forms take it. */
const day = (days: number) => DateTime.now().setZone('Europe/Riga').plus({ days }).toISODate() ?? '';
const weekdayOf = (days: number) => String(DateTime.now().setZone('Europe/Riga').plus({ days }).weekday);

/** The defaults form as a browser posts it (unticked boxes absent). The tests reach the tool from 127.0.0.1. */
const DEFAULTS: Fields = {
  enabled: '1', showQr: '1', rotateSeconds: '20', graceSeconds: '5', opensMinutesBefore: '10', statusMode: 'auto',
  lateAfterMinutes: '15', oneDevicePerStudent: '1', allowedCidrs: '10.0.0.0/8\n127.0.0.0/8',
};
const EXPECTED = {
  enabled: true, showQr: true, rotateSeconds: 20, graceSeconds: 5, opensMinutesBefore: 10, statusMode: 'auto',
  lateAfterMinutes: 15, allowChange: false, oneDevicePerStudent: true, allowedCidrs: ['10.0.0.0/8', '127.0.0.0/8'],
};
const SESSION_FORM: Fields = { enabled: '1', password: 'ACDEFG', statusMode: 'auto', lateAfterMinutes: '10', opensMinutesBefore: '0', allowedCidrs: '', rotateSeconds: '15', graceSeconds: '5', action: 'save' };

const single = (t: TeacherPages, date: string, startTime = '10:00'): Fields => ({
  date, startTime, durationMinutes: '90', description: 'Lecture', audience: 'all', statusSetId: `${t.activityId}-default`,
});
const selfMarkingPath = (id: string) => `/sessions/${id}/self-marking`;

/** Opens the defaults form and saves it, as a teacher does (the form carries the version it shows). */
async function saveDefaults(t: TeacherPages, fields: Fields = DEFAULTS): Promise<supertest.Response> {
  const version = hiddenValue((await t.get('/settings/check-in')).text, 'version');
  return follow(t, await t.post('/settings/check-in', { ...fields, version }));
}

async function sessionsOf(t: TeacherPages) {
  return AttendanceSessionModel.find({ courseId: t.courseId, activityId: t.activityId }).sort({ startsAt: 1 }).lean();
}

async function addSingle(t: TeacherPages, date: string): Promise<string> {
  await follow(t, await t.post('/sessions/new', single(t, date)));
  const docs = await sessionsOf(t);
  const made = docs.find((d) => d.startsAt.toISOString().startsWith(date));
  if (!made) throw new Error(`no session on ${date}`);
  return made._id;
}

async function studentOf(contextId: string, userId: string) {
  const r = await h.lms.launch({ role: 'Learner', context: { id: contextId }, resourceLink: { id: 'rl1' }, user: { id: userId, givenName: 'Sam', familyName: userId } });
  if (!r.ltik) throw new Error(`student launch failed ${r.status}`);
  return { agent: r.agent, ltik: r.ltik };
}

describe('activity self check-in defaults applied to new sessions', () => {
  it('when defaults are saved, then single and series sessions get them, each with its own password, secret and public id', async () => {
    const t = await launchTeacher(h, 'ad-new');
    expect(visibleText((await t.get('/settings')).text)).toContain('No defaults are set');
    const form = await t.get('/settings/check-in');
    expect(form.status).toBe(200);
    expect(form.text).not.toContain('name="password"');
    expect(form.text).toMatch(/name="oneDevicePerStudent" value="1"[^>]* checked/);

    const saved = await saveDefaults(t);
    expect(visibleText(saved.text)).toContain('Self check-in defaults saved.');
    expect(saved.text).toContain('value="20"');
    const { version, lastEdit, ...stored } = (await ActivityModel.findById(t.activityId).lean())?.selfMarkingDefaults ?? {};
    expect(stored).toEqual(EXPECTED);
    expect({ version, by: lastEdit?.by }).toEqual({ version: 1, by: 'teacher-1' }); // the form's version (src/shared/versioned.ts)
    const settingsPage = visibleText((await t.get('/settings')).text);
    expect(settingsPage).toContain('Shown, changes every 20 s');
    expect(settingsPage).toContain('10.0.0.0/8, 127.0.0.0/8');

    await addSingle(t, day(2));
    const series = { ...single(t, ''), startDate: day(7), endDate: day(28), weekdays: [weekdayOf(7)], everyWeeks: '1' };
    const preview = await t.post('/sessions/series', series);
    const expected = /name="expected" value="(\d+)"/.exec(preview.text)?.[1] ?? '';
    expect(expected).toBe('4');
    await follow(t, await t.post('/sessions/series', { ...series, confirm: '1', expected }));

    const docs = await sessionsOf(t);
    expect(docs).toHaveLength(5);
    for (const d of docs) {
      const { password, ...rest } = d.selfMarking ?? {};
      expect(rest).toEqual(EXPECTED);
      expect(password).toMatch(/^[A-Z0-9]{6,}$/);
      expect(Buffer.from(d.checkInSecret ?? '', 'base64')).toHaveLength(32);
      expect(d.publicId).toEqual(expect.any(String));
    }
    for (const field of ['password', 'checkInSecret', 'publicId'] as const) {
      const values = docs.map((d) => (field === 'password' ? d.selfMarking?.password : d[field]));
      expect(new Set(values).size).toBe(5);
    }

    // A student checks in at once, through the LMS form, with that session's own current code.
    const target = docs[2];
    if (!target) throw new Error('no session');
    const s = await studentOf('ad-new', 'ad-s1');
    clock = new Date(target.startsAt.getTime() + 5 * 60_000);
    const path = `/activity/${t.activityId}/student/sessions/${target._id}/check-in`;
    const page = await s.agent.get(withLtik(path, s.ltik));
    expect(visibleText(page.text)).toContain('Current code');
    const code = typedCode(Buffer.from(target.checkInSecret ?? '', 'base64'), target._id, slotOf(clock.getTime(), 20));
    const done = await s.agent.post(path).type('form').send({ ltik: s.ltik, code });
    expect(done.status).toBe(303);
    expect(await recordsOf(target._id)).toEqual([expect.objectContaining({ userId: 'ad-s1', source: 'self' })]);
  });

  it('when the defaults do not rotate the code, then a student checks in to a new session with its password', async () => {
    const t = await launchTeacher(h, 'ad-password');
    await saveDefaults(t, { ...DEFAULTS, rotateSeconds: '0' });
    const id = await addSingle(t, day(3));
    const doc = await AttendanceSessionModel.findById(id).lean();
    const s = await studentOf('ad-password', 'ad-s2');
    clock = new Date((doc?.startsAt.getTime() ?? 0) + 60_000);
    const path = `/activity/${t.activityId}/student/sessions/${id}/check-in`;
    const res = await s.agent.post(path).type('form').send({ ltik: s.ltik, code: doc?.selfMarking?.password ?? '' });
    expect(res.status).toBe(303);
    expect(await recordsOf(id)).toHaveLength(1);
  });

  it('when there are no defaults, then new sessions are created without self-marking settings', async () => {
    const t = await launchTeacher(h, 'ad-none');
    const id = await addSingle(t, day(2));
    const doc = await AttendanceSessionModel.findById(id).lean();
    expect(doc?.selfMarking).toBeUndefined();
    expect(doc?.checkInSecret).toBeUndefined();
  });
});

describe('sessions that already exist', () => {
  it('when defaults are saved, then a session without settings shows them (with a fresh password) but is not changed', async () => {
    const t = await launchTeacher(h, 'ad-prefill');
    const id = await addSingle(t, day(2));
    await saveDefaults(t);
    const form = await t.get(selfMarkingPath(id));
    const text = visibleText(form.text);
    expect(text).toContain("the form shows the activity's self check-in defaults");
    expect(form.text).toContain('name="rotateSeconds" min="5" max="300" value="20"');
    expect(form.text).toContain('10.0.0.0/8\n127.0.0.0/8</textarea>');
    expect(form.text).toMatch(/name="password" value="[A-Z0-9]{6,}"/);
    expect((await AttendanceSessionModel.findById(id).lean())?.selfMarking).toBeUndefined();
  });

  it('when "also apply to upcoming" is ticked, then only upcoming sessions without settings get the defaults', async () => {
    const t = await launchTeacher(h, 'ad-apply');
    const past = await addSingle(t, day(-3));
    const upcoming = await addSingle(t, day(3));
    const own = await addSingle(t, day(4));
    await follow(t, await t.post(selfMarkingPath(own), { ...SESSION_FORM, rotateSeconds: '30' }));
    const ownBefore = (await AttendanceSessionModel.findById(own).lean())?.selfMarking;

    const plain = await saveDefaults(t);
    expect(visibleText(plain.text)).not.toContain('Applied to');
    expect((await AttendanceSessionModel.findById(upcoming).lean())?.selfMarking).toBeUndefined();

    const page = await saveDefaults(t, { ...DEFAULTS, applyToUpcoming: '1' });
    expect(visibleText(page.text)).toContain('Applied to 1 upcoming session that had no settings of its own.');
    const [pastDoc, upcomingDoc, ownDoc] = await Promise.all([past, upcoming, own].map((id) => AttendanceSessionModel.findById(id).lean()));
    expect(pastDoc?.selfMarking).toBeUndefined();
    expect(upcomingDoc?.selfMarking).toMatchObject({ ...EXPECTED, password: expect.stringMatching(/^[A-Z0-9]{6,}$/) });
    expect(upcomingDoc?.publicId).toEqual(expect.any(String));
    expect(ownDoc?.selfMarking).toEqual(ownBefore);

    const again = await saveDefaults(t, { ...DEFAULTS, applyToUpcoming: '1' });
    expect(visibleText(again.text)).toContain('Applied to 0 upcoming sessions');
  });
});

describe('refusals', () => {
  it('when the defaults are invalid, then the form comes back (400) with the errors and values, and nothing is saved', async () => {
    const t = await launchTeacher(h, 'ad-bad');
    const res = await t.post('/settings/check-in', { ...DEFAULTS, rotateSeconds: '2', allowedCidrs: '10.0.0.0/8\nnot-a-net', applyToUpcoming: '1' });
    expect(res.status).toBe(400);
    const text = visibleText(res.text);
    expect(text).toContain('Enter 0 (no rotation) or 5–300 seconds.');
    expect(text).toContain('Not a valid network');
    expect(text).toContain('2: not-a-net');
    expect(res.text).toContain('name="rotateSeconds" min="5" max="300" value="2" aria-invalid="true"');
    expect(res.text).toContain('10.0.0.0/8\nnot-a-net</textarea>');
    expect(res.text).toMatch(/name="applyToUpcoming" value="1"[^>]* checked/);
    expect((await ActivityModel.findById(t.activityId).lean())?.selfMarkingDefaults).toBeUndefined();
  });

  it('when a student opens or posts the defaults page, then they are refused (403) and nothing is saved', async () => {
    const t = await launchTeacher(h, 'ad-student', { role: 'Learner', userId: 'ad-learner' });
    expect((await t.get('/settings/check-in')).status).toBe(403);
    expect((await t.post('/settings/check-in', DEFAULTS)).status).toBe(403);
    expect((await ActivityModel.findById(t.activityId).lean())?.selfMarkingDefaults).toBeUndefined();
  });

  it("when a teacher posts to another course's activity, then it is refused (403: not the launch's activity) and that activity is unchanged", async () => {
    const a = await launchTeacher(h, 'ad-course-a');
    const b = await launchTeacher(h, 'ad-course-b');
    const res = await a.agent.post(`/activity/${b.activityId}/teacher/settings/check-in`).type('form').send({ ltik: a.ltik, ...DEFAULTS });
    expect(res.status).toBe(403);
    expect((await ActivityModel.findById(b.activityId).lean())?.selfMarkingDefaults).toBeUndefined();
  });
});

describe('the one-device setting on a session form', () => {
  it('when the box is unticked or ticked and saved, then the session stores it and the form shows it', async () => {
    const t = await launchTeacher(h, 'ad-device');
    const id = await addSingle(t, day(2));
    const box = /name="oneDevicePerStudent" value="1"[^>]*>/;
    expect(box.exec((await t.get(selfMarkingPath(id))).text)?.[0]).toContain('checked');
    expect(visibleText((await t.get(selfMarkingPath(id))).text)).toContain('cannot check in another student in the same session');

    const version = () => t.get(selfMarkingPath(id)).then((page) => hiddenValue(page.text, 'version'));
    const off = await follow(t, await t.post(selfMarkingPath(id), { ...SESSION_FORM, version: await version() }));
    expect((await AttendanceSessionModel.findById(id).lean())?.selfMarking?.oneDevicePerStudent).toBe(false);
    expect(box.exec(off.text)?.[0]).not.toContain('checked');

    const on = await follow(t, await t.post(selfMarkingPath(id), { ...SESSION_FORM, oneDevicePerStudent: '1', version: await version() }));
    expect((await AttendanceSessionModel.findById(id).lean())?.selfMarking?.oneDevicePerStudent).toBe(true);
    expect(box.exec(on.text)?.[0]).toContain('checked');
  });
});
