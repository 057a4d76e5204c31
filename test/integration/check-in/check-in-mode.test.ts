import { randomUUID } from 'node:crypto';
import supertest from 'supertest';
import { ActivityModel } from '../../../src/courses/activity.model';
import { AttendanceSessionModel } from '../../../src/sessions/attendance-session.model';
import { withLtik } from '../../../src/shared/links';
import { startHarness, TestHarness } from '../../support/tool';
import { launchTeacher, recordsOf, TakeCourse, visibleText } from '../attendance/take-helpers';
import { getLinkState, openProjectorLink } from './projector-helpers';

/**
 * "How students check in" on the self-marking form: password only, password + static QR, or a
 * rotating QR with a typed code. The choice is stored as the settings always were (showQr,
 * rotateSeconds), so check-in and the projector follow it.
 */
let h: TestHarness;
beforeAll(async () => { h = await startHarness(); }, 60_000);
afterAll(async () => { await h.close(); });

const PASSWORD = 'ACDEFG';
/** As a browser without JavaScript posts it: the rotation inputs are sent whatever the mode. */
const FORM = {
  enabled: '1', password: PASSWORD, statusMode: 'auto', lateAfterMinutes: '10', opensMinutesBefore: '0', allowedCidrs: '',
  rotateSeconds: '20', graceSeconds: '5', action: 'save',
};

const settingsPath = (t: TakeCourse, id: string) => `/activity/${t.activityId}/teacher/sessions/${id}/self-marking`;
const checkInPath = (t: TakeCourse, id: string) => `/activity/${t.activityId}/student/sessions/${id}/check-in`;
const modeRadio = (mode: string) => new RegExp(`name="mode" value="${mode}"[^>]*>`);
const stored = async (id: string) => (await AttendanceSessionModel.findById(id).lean())?.selfMarking;

/** A lecture that started 5 minutes ago, without self-marking settings yet. */
async function lecture(t: TakeCourse): Promise<string> {
  const id = randomUUID();
  await AttendanceSessionModel.create({
    _id: id, courseId: t.courseId, activityId: t.activityId, startsAt: new Date(Date.now() - 5 * 60_000), durationMinutes: 90,
    timezone: 'Europe/Riga', description: 'Lecture', audience: { kind: 'all' }, statusSetId: `${t.activityId}-default`, createdBy: 'teacher',
  });
  return id;
}

const save = (t: TakeCourse, id: string, fields: Record<string, string>) =>
  t.agent.post(settingsPath(t, id)).type('form').send({ ltik: t.ltik, ...FORM, ...fields });

async function typePassword(t: TakeCourse, contextId: string, id: string, userId: string): Promise<supertest.Response> {
  const r = await h.lms.launch({ role: 'Learner', context: { id: contextId }, resourceLink: { id: 'rl1' }, user: { id: userId, givenName: 'Sam', familyName: userId } });
  if (!r.ltik) throw new Error(`student launch failed ${r.status}`);
  return r.agent.post(checkInPath(t, id)).type('form').send({ ltik: r.ltik, code: PASSWORD });
}

/** What the projector shows: the code students type and, with a QR, its URL. */
async function projectorState(t: TakeCourse, id: string) {
  return (await getLinkState(h, await openProjectorLink(t, id))).body as { typed?: string; qrUrl?: string; slot?: number };
}

describe('choosing how students check in', () => {
  it('when the teacher chooses "password only", then rotation is saved off, no QR is shown and a typed password checks a student in', async () => {
    const t = await launchTeacher(h, 'cm-password');
    const id = await lecture(t);
    const form = visibleText((await t.agent.get(withLtik(settingsPath(t, id), t.ltik))).text);
    expect(form).toContain('How students check in');
    expect(form).toContain('Students open the session in the LMS and type its password.');
    expect(form).not.toContain('0 = never');

    expect((await save(t, id, { mode: 'password', showQr: '1' })).status).toBe(303);
    expect(await stored(id)).toMatchObject({ showQr: false, rotateSeconds: 0, graceSeconds: 5 });
    expect(modeRadio('password').exec((await t.agent.get(withLtik(settingsPath(t, id), t.ltik))).text)?.[0]).toContain('checked');

    expect((await typePassword(t, 'cm-password', id, 'cm-s1')).status).toBe(303);
    expect(await recordsOf(id)).toEqual([expect.objectContaining({ userId: 'cm-s1', source: 'self' })]);
    const projector = await projectorState(t, id);
    expect(projector.typed).toBe(PASSWORD);
    expect(projector.qrUrl).toBeUndefined();
  });

  it('when the teacher chooses "password + static QR", then rotation is off, the projector shows a QR and the password still checks a student in', async () => {
    const t = await launchTeacher(h, 'cm-static');
    const id = await lecture(t);
    expect((await save(t, id, { mode: 'static_qr' })).status).toBe(303);
    expect(await stored(id)).toMatchObject({ showQr: true, rotateSeconds: 0 });
    const page = await t.agent.get(withLtik(settingsPath(t, id), t.ltik));
    expect(modeRadio('static_qr').exec(page.text)?.[0]).toContain('checked');
    expect(visibleText(page.text)).toContain('Students scan the QR code on the projector, or type the password in the LMS.');

    expect((await typePassword(t, 'cm-static', id, 'cm-s2')).status).toBe(303);
    expect(await recordsOf(id)).toHaveLength(1);
    const projector = await projectorState(t, id);
    expect(projector.typed).toBe(PASSWORD);
    expect(projector.qrUrl).toMatch(new RegExp(`^${h.tool.url}/checkin/`));
  });

  it('when the teacher chooses the rotating QR, then rotation is on, the form says what students type and the password no longer works', async () => {
    const t = await launchTeacher(h, 'cm-rotating');
    const id = await lecture(t);
    expect((await save(t, id, { mode: 'rotating_qr' })).status).toBe(303);
    expect(await stored(id)).toMatchObject({ showQr: true, rotateSeconds: 20, graceSeconds: 5 });
    const page = await t.agent.get(withLtik(settingsPath(t, id), t.ltik));
    expect(modeRadio('rotating_qr').exec(page.text)?.[0]).toContain('checked');
    expect(visibleText(page.text)).toContain('type the 6-character code shown under it; it changes every 20 s. The password is not accepted.');

    expect((await typePassword(t, 'cm-rotating', id, 'cm-s3')).status).not.toBe(303);
    expect(await recordsOf(id)).toHaveLength(0);
    const projector = await projectorState(t, id);
    expect(projector.typed).toMatch(/^[A-Z0-9]{6}$/);
    expect(projector.typed).not.toBe(PASSWORD);
    expect(projector.slot).toEqual(expect.any(Number));
  });

  it('when the activity defaults choose a static QR, then they are saved without rotation', async () => {
    const t = await launchTeacher(h, 'cm-defaults');
    const { enabled, statusMode, lateAfterMinutes, opensMinutesBefore, allowedCidrs, rotateSeconds, graceSeconds } = FORM;
    const fields = { ltik: t.ltik, enabled, statusMode, lateAfterMinutes, opensMinutesBefore, allowedCidrs, rotateSeconds, graceSeconds, mode: 'static_qr', version: '0' };
    const res = await t.agent.post(`/activity/${t.activityId}/teacher/settings/check-in`).type('form').send(fields);
    expect(res.status).toBe(303);
    expect((await ActivityModel.findById(t.activityId).lean())?.selfMarkingDefaults).toMatchObject({ showQr: true, rotateSeconds: 0 });
  });
});

describe('refused choices', () => {
  it.each<[string, 'en' | 'lv', Record<string, string>, string]>([
    ['an unknown mode', 'en', { mode: 'sometimes' }, 'Choose how students check in.'],
    ['an unknown mode, in Latvian', 'lv', { mode: 'sometimes' }, 'Izvēlieties, kā studenti atzīmējas.'],
    ['a rotating QR that never rotates', 'en', { mode: 'rotating_qr', rotateSeconds: '0' }, 'For a QR code that changes, enter 5–300 seconds.'],
  ])('when the form has %s, then it comes back (400) with a translated error and the values, and nothing is saved', async (_name, locale, fields, message) => {
    const t = await launchTeacher(h, `cm-bad-${locale}-${fields.rotateSeconds ?? 'x'}`, { locale });
    const id = await lecture(t);
    const res = await save(t, id, { ...fields, lateAfterMinutes: '25' });
    expect(res.status).toBe(400);
    expect(visibleText(res.text)).toContain(message);
    expect(res.text).toContain('aria-invalid="true"');
    expect(res.text).toContain(`name="password" value="${PASSWORD}"`);
    expect(res.text).toContain('name="lateAfterMinutes" min="0" max="1440" value="25"');
    expect(await stored(id)).toBeUndefined();
  });
});
