import { ActivityModel } from '../../../src/courses/activity.model';
import { activityKey, courseKey } from '../../../src/courses/keys';
import { startHarness, TestHarness } from '../../support/tool';
import { launchTeacher, visibleText } from '../sessions/helpers';

let h: TestHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

/** The harness runs with DEFAULT_TIMEZONE=Europe/Riga. */
const DEFAULT_ZONE = 'Europe/Riga';

async function launchWithZone(contextId: string, timezone: string, userId = 'teacher-1'): Promise<string> {
  const r = await h.lms.launch({ role: 'Instructor', context: { id: contextId }, resourceLink: { id: 'rl1' }, user: { id: userId }, custom: { timezone } });
  expect(r.ltik).toBeDefined();
  return activityKey(courseKey(h.lms.issuer, h.lms.clientId, contextId, 'rl1'), 'rl1');
}

const zoneOf = async (activityId: string) => (await ActivityModel.findById(activityId).lean())?.timezone;

describe('the time zone of a new activity comes from its first launch', () => {
  it('when the first launch sends custom timezone America/New_York, then the activity is in New York time', async () => {
    const activityId = await launchWithZone('tz-ny', 'America/New_York');
    expect(await zoneOf(activityId)).toBe('America/New_York');
  });

  it("when the first launch sends Moodle's server default '99', then the activity gets DEFAULT_TIMEZONE", async () => {
    const activityId = await launchWithZone('tz-99', '99');
    expect(await zoneOf(activityId)).toBe(DEFAULT_ZONE);
  });

  it('when a later launch sends another zone, then the activity keeps its zone', async () => {
    const activityId = await launchWithZone('tz-keep', 'America/New_York');
    await launchWithZone('tz-keep', 'Asia/Tokyo', 'teacher-2');
    expect(await zoneOf(activityId)).toBe('America/New_York');
  });

  it('when a teacher has chosen a zone, then a later launch with another zone does not overwrite it', async () => {
    const t = await launchTeacher(h, 'tz-chosen');
    expect((await t.post('/settings', { timezone: 'Europe/Berlin' })).status).toBe(303);
    await launchWithZone('tz-chosen', 'America/New_York', 'teacher-3');
    expect(await zoneOf(t.activityId)).toBe('Europe/Berlin');
  });

  it('when a teacher opens the new-session form, then it names the zone and links to the settings', async () => {
    const activityId = await launchWithZone('tz-note', 'America/New_York');
    const t = await launchTeacher(h, 'tz-note');
    expect(t.activityId).toBe(activityId);
    const form = await t.get('/sessions/new');
    expect(form.status).toBe(200);
    expect(visibleText(form.text)).toContain("Times are in the activity's time zone, America/New_York. Change");
    expect(form.text).toMatch(new RegExp(`<a href="${t.base}/settings\\?ltik=[^"]+">Change</a>`));
  });
});

describe('the time zone settings form', () => {
  it('when a teacher opens it, then the zone is a text input with a datalist of every IANA zone', async () => {
    const t = await launchTeacher(h, 'tz-list');
    const page = await t.get('/settings');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<input type="text" id="timezone" name="timezone" list="timezones"/);
    expect(page.text).toContain('<datalist id="timezones">');
    for (const zone of ['UTC', 'America/New_York', 'Europe/Riga', 'Pacific/Auckland']) expect(page.text).toContain(`<option value="${zone}"></option>`);
  });

  it('when the zone is Mars/Base, then the form comes back (400) with the translated error and the value', async () => {
    const t = await launchTeacher(h, 'tz-mars', { locale: 'lv' });
    const res = await t.post('/settings', { timezone: 'Mars/Base' });
    expect(res.status).toBe(400);
    expect(visibleText(res.text)).toContain('Nezināma laika josla.');
    expect(res.text).toContain('value="Mars/Base"');
    expect(await zoneOf(t.activityId)).toBe(DEFAULT_ZONE);
  });
});

describe('a launch zone from someone who is not a teacher', () => {
  it('when a student launches a new activity first with a zone, then the activity gets DEFAULT_TIMEZONE', async () => {
    const r = await h.lms.launch({ role: 'Learner', context: { id: 'tz-student' }, resourceLink: { id: 'rl1' }, user: { id: 'student-1' }, custom: { timezone: 'Asia/Tokyo' } });
    expect(r.ltik).toBeDefined();
    expect(await zoneOf(activityKey(courseKey(h.lms.issuer, h.lms.clientId, 'tz-student', 'rl1'), 'rl1'))).toBe(DEFAULT_ZONE);
  });
});
