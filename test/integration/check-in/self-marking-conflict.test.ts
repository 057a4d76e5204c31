import { DateTime } from 'luxon';
import { ActivityModel } from '../../../src/courses/activity.model';
import { AttendanceSessionModel } from '../../../src/sessions/attendance-session.model';
import { startHarness, TestHarness } from '../../support/tool';
import { Fields, follow, hiddenValue, launchTeacher, TeacherPages, visibleText } from '../sessions/helpers';

/**
 * Two tabs (two teachers' launches) editing self-marking settings, of one session and of the
 * activity's defaults: a stale save gets a conflict page (409), never overwrites.
 */
let h: TestHarness;
beforeAll(async () => { h = await startHarness(); }, 60_000);
afterAll(async () => { await h.close(); });

const SESSION_FORM: Fields = { enabled: '1', password: 'ACDEFG', statusMode: 'auto', lateAfterMinutes: '10', opensMinutesBefore: '0', allowedCidrs: '', rotateSeconds: '15', graceSeconds: '5', action: 'save' };
const DEFAULTS: Fields = { enabled: '1', showQr: '1', rotateSeconds: '20', graceSeconds: '5', opensMinutesBefore: '10', statusMode: 'auto', lateAfterMinutes: '15', allowedCidrs: '' };
const day = (days: number) => DateTime.now().setZone('Europe/Riga').plus({ days }).toISODate() ?? '';
const settingsPath = (id: string) => `/sessions/${id}/self-marking`;

async function twoTabs(context: string) {
  const a = await launchTeacher(h, context, { userId: 'teacher-a' });
  const b = await launchTeacher(h, context, { userId: 'teacher-b' });
  return { a, b };
}

async function addSession(t: TeacherPages, days = 2): Promise<string> {
  await follow(t, await t.post('/sessions/new', { date: day(days), startTime: '10:00', durationMinutes: '90', description: 'Lecture', audience: 'all', statusSetId: `${t.activityId}-default` }));
  const doc = await AttendanceSessionModel.findOne({ courseId: t.courseId, activityId: t.activityId }).sort({ createdAt: -1 }).lean();
  if (!doc) throw new Error('no session');
  return doc._id;
}

describe('two tabs editing one session\'s self-marking settings', () => {
  it('when B saves after A opened the form, then A\'s save is refused (409) with both values, nothing is written, and "keep mine" saves', async () => {
    const { a, b } = await twoTabs('smc-session');
    const id = await addSession(a);
    // A first save (from a form without a version yet) works as before, and moves the version on.
    expect((await a.post(settingsPath(id), SESSION_FORM)).status).toBe(303);
    const versionA = hiddenValue((await a.get(settingsPath(id))).text, 'version');
    const versionB = hiddenValue((await b.get(settingsPath(id))).text, 'version');

    expect((await b.post(settingsPath(id), { ...SESSION_FORM, rotateSeconds: '30', version: versionB })).status).toBe(303);
    const afterB = await AttendanceSessionModel.findById(id).lean();

    const conflict = await a.post(settingsPath(id), { ...SESSION_FORM, lateAfterMinutes: '20', version: versionA });
    expect(conflict.status).toBe(409);
    const text = visibleText(conflict.text);
    expect(text).toContain('Someone else saved a change while you were editing');
    expect(text).toContain('Test User teacher-b');
    expect(text).toMatch(/Change the code every \(seconds\) differs 30 15/);
    expect(text).toMatch(/Late after \(minutes from the start\) differs 10 20/);
    expect(await AttendanceSessionModel.findById(id).lean()).toEqual(afterB);

    expect(conflict.text).toContain('name="lateAfterMinutes" min="0" max="1440" value="20"');
    const version = hiddenValue(conflict.text, 'version');
    expect(version).toBe('2');
    expect((await a.post(settingsPath(id), { ...SESSION_FORM, lateAfterMinutes: '20', version })).status).toBe(303);
    expect((await AttendanceSessionModel.findById(id).lean())?.selfMarking).toMatchObject({ lateAfterMinutes: 20, rotateSeconds: 15, version: 3, lastEdit: { by: 'teacher-a' } });
  });

  it('when the defaults were applied to the session after its form was opened, then saving that form is a conflict (409)', async () => {
    const { a, b } = await twoTabs('smc-applied');
    const id = await addSession(a);
    const versionA = hiddenValue((await a.get(settingsPath(id))).text, 'version');
    await follow(b, await b.post('/settings/check-in', { ...DEFAULTS, applyToUpcoming: '1', version: '0' }));
    const applied = await AttendanceSessionModel.findById(id).lean();
    expect(applied?.selfMarking?.rotateSeconds).toBe(20);

    const res = await a.post(settingsPath(id), { ...SESSION_FORM, version: versionA });
    expect(res.status).toBe(409);
    expect(visibleText(res.text)).toMatch(/Change the code every \(seconds\) differs 20 15/);
    expect(await AttendanceSessionModel.findById(id).lean()).toEqual(applied);
  });

  it('when a session was saved before versions existed, then its form works (version 0)', async () => {
    const { a } = await twoTabs('smc-legacy');
    const id = await addSession(a);
    await AttendanceSessionModel.collection.updateOne({ _id: id as never }, { $set: { selfMarking: { enabled: false, password: 'OLDPASS', showQr: false, rotateSeconds: 0, graceSeconds: 0, opensMinutesBefore: 0, statusMode: 'auto', lateAfterMinutes: 10, allowChange: false, oneDevicePerStudent: false, allowedCidrs: [] } } });
    const page = await a.get(settingsPath(id));
    expect(page.text).toContain('value="OLDPASS"');
    const version = hiddenValue(page.text, 'version');
    expect((await a.post(settingsPath(id), { ...SESSION_FORM, version })).status).toBe(303);
    expect((await AttendanceSessionModel.findById(id).lean())?.selfMarking).toMatchObject({ enabled: true, version: 1 });
    expect(version).toBe('0');
  });
});

describe('two tabs editing the activity\'s self check-in defaults', () => {
  it('when B saves the defaults after A opened them, then A\'s save is refused (409) with both values, nothing is written, and "keep mine" saves', async () => {
    const { a, b } = await twoTabs('smc-defaults');
    const versionA = hiddenValue((await a.get('/settings/check-in')).text, 'version');
    const versionB = hiddenValue((await b.get('/settings/check-in')).text, 'version');
    await follow(b, await b.post('/settings/check-in', { ...DEFAULTS, opensMinutesBefore: '30', version: versionB }));
    const afterB = (await ActivityModel.findById(a.activityId).lean())?.selfMarkingDefaults;

    const conflict = await a.post('/settings/check-in', { ...DEFAULTS, allowedCidrs: '10.0.0.0/8', version: versionA });
    expect(conflict.status).toBe(409);
    const text = visibleText(conflict.text);
    expect(text).toContain('Test User teacher-b');
    expect(text).toMatch(/Opens this many minutes before the start differs 30 10/);
    expect(text).toMatch(/Only from these networks \(one CIDR per line, empty = anywhere\) differs \(empty\) 10\.0\.0\.0\/8/);
    expect((await ActivityModel.findById(a.activityId).lean())?.selfMarkingDefaults).toEqual(afterB);
    expect(versionA).toBe('0');

    const version = hiddenValue(conflict.text, 'version');
    expect(version).toBe('1');
    expect(conflict.text).toContain('10.0.0.0/8</textarea>');
    await follow(a, await a.post('/settings/check-in', { ...DEFAULTS, allowedCidrs: '10.0.0.0/8', version }));
    expect((await ActivityModel.findById(a.activityId).lean())?.selfMarkingDefaults).toMatchObject({ opensMinutesBefore: 10, allowedCidrs: ['10.0.0.0/8'], version: 2 });
  });
});
