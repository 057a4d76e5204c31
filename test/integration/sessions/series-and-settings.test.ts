import { DateTime } from 'luxon';
import { ActivityModel } from '../../../src/courses/activity.model';
import { AttendanceSessionModel } from '../../../src/sessions/attendance-session.model';
import { startHarness, TestHarness } from '../../support/tool';
import { Fields, follow, launchTeacher, TeacherPages, visibleText } from './helpers';

let h: TestHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const RIGA = 'Europe/Riga';
/** Mondays 10:00 from 1 March to 26 April 2027: 9 sessions, across the spring DST change (28 March). */
const series = (t: TeacherPages, over: Fields = {}): Fields => ({
  startDate: '2027-03-01', endDate: '2027-04-26', weekdays: ['1'], everyWeeks: '1', startTime: '10:00', durationMinutes: '90',
  description: 'Weekly lecture', audience: 'all', statusSetId: `${t.activityId}-default`, ...over,
});

describe('adding repeating sessions', () => {
  it('when a teacher previews and then confirms, then N sessions share one series id and all start at 10:00 local time', async () => {
    const t = await launchTeacher(h, 's-ok');
    const form = await t.get('/sessions/series');
    expect(form.status).toBe(200);
    expect(form.text).toContain('Preview dates');

    const preview = await t.post('/sessions/series', series(t));
    expect(preview.status).toBe(200);
    const text = visibleText(preview.text);
    expect(text).toContain('9 sessions will be created');
    expect(text).toContain('Create 9 sessions');
    expect(text).toContain('10:00–11:30');
    expect(preview.text).toContain('name="expected" value="9"');
    expect(preview.text).toContain('<input type="checkbox" name="weekdays" value="1" checked>');
    expect(await AttendanceSessionModel.countDocuments({ courseId: t.courseId })).toBe(0); // preview saves nothing

    const list = await follow(t, await t.post('/sessions/series', series(t, { confirm: '1', expected: '9' })));
    expect(visibleText(list.text)).toContain('9 sessions created.');
    const saved = await AttendanceSessionModel.find({ courseId: t.courseId }).sort({ startsAt: 1 }).lean();
    expect(saved).toHaveLength(9);
    expect(new Set(saved.map((s) => s.seriesId)).size).toBe(1);
    expect(saved[0]?.seriesId).toEqual(expect.any(String));
    expect(saved.map((s) => DateTime.fromJSDate(s.startsAt, { zone: RIGA }).toFormat('ccc HH:mm'))).toEqual(Array(9).fill('Mon 10:00'));
    expect(new Set(saved.map((s) => s.startsAt.getUTCHours()))).toEqual(new Set([7, 8])); // the UTC hour shifts at the DST change
    expect(saved.every((s) => s.timezone === RIGA && s.durationMinutes === 90 && s.description === 'Weekly lecture')).toBe(true);
  });

  it('when the values changed between preview and confirm, then the new preview is shown and nothing is saved', async () => {
    const t = await launchTeacher(h, 's-changed');
    const res = await t.post('/sessions/series', series(t, { weekdays: ['1', '3'], confirm: '1', expected: '9' }));
    expect(res.status).toBe(200);
    expect(visibleText(res.text)).toContain('The form changed after the preview');
    expect(visibleText(res.text)).toContain('Create 17 sessions');
    expect(await AttendanceSessionModel.countDocuments({ courseId: t.courseId })).toBe(0);
  });

  it('when a series hits the spring-forward night at 03:30, then the preview notes the moved time', async () => {
    const t = await launchTeacher(h, 's-gap');
    const res = await t.post('/sessions/series', series(t, { startDate: '2027-03-21', endDate: '2027-04-04', weekdays: ['7'], startTime: '03:30' }));
    expect(visibleText(res.text)).toContain('03:30 does not exist on this day (clocks move forward); the session starts at 04:30.');
  });

  it.each<[string, Fields, string, string]>([
    ['the end date is before the first date', { endDate: '2027-02-01' }, 'The end date is before the first date.', 'value="2027-02-01"'],
    ['no weekday is chosen', { weekdays: [] }, 'Choose at least one weekday.', 'value="Weekly lecture"'],
    ['the first date is missing', { startDate: '' }, 'This field is required.', 'value="2027-04-26"'],
    ['it spans more than a year', { endDate: '2028-03-05' }, 'A series can span at most one year', 'value="2028-03-05"'],
    ['it would make more than 500 sessions', { endDate: '2028-12-31', weekdays: ['1', '2', '3', '4', '5', '6', '7'] }, 'more than 500 sessions', 'value="2028-12-31"'],
  ])('when %s, then the form comes back (400) with the message and the values, and nothing is saved', async (_name, over, message, kept) => {
    const t = await launchTeacher(h, `s-bad-${Math.random()}`);
    for (const confirm of [{}, { confirm: '1', expected: '9' }] as Fields[]) {
      const res = await t.post('/sessions/series', series(t, { ...over, ...confirm }));
      expect(res.status).toBe(400);
      expect(visibleText(res.text)).toContain(message);
      expect(res.text.replace('Weekly lecture</textarea>', 'value="Weekly lecture"')).toContain(kept);
    }
    expect(await AttendanceSessionModel.countDocuments({ courseId: t.courseId })).toBe(0);
  });
});

describe('the activity settings page (time zone)', () => {
  it('when a teacher changes the time zone, then it is saved in its canonical spelling and sessions are shown in it', async () => {
    const t = await launchTeacher(h, 's-zone');
    const page = await t.get('/settings');
    expect(page.status).toBe(200);
    expect(visibleText(page.text)).toContain('Current time zone: Europe/Riga.');
    expect(visibleText(page.text)).toContain('Existing sessions keep their moment in time');
    await follow(t, await t.post('/sessions/new', {
      date: '2027-03-30', startTime: '10:00', durationMinutes: '60', description: '', audience: 'all', statusSetId: `${t.activityId}-default`,
    }));

    const saved = await follow(t, await t.post('/settings', { timezone: 'europe/berlin' }));
    expect(visibleText(saved.text)).toContain('Saved.');
    expect(visibleText(saved.text)).toContain('Current time zone: Europe/Berlin.');
    expect((await ActivityModel.findOne({ _id: t.activityId, courseId: t.courseId }).lean())?.timezone).toBe('Europe/Berlin');
    const list = visibleText((await t.get('/sessions')).text);
    expect(list).toContain('09:00–10:00'); // the same moment, read in Berlin
    expect(list).toContain('Europe/Berlin');
  });

  it('when the time zone is unknown, then the form comes back (400) with the message and the typed value, and nothing changes', async () => {
    const t = await launchTeacher(h, 's-zone-bad');
    const res = await t.post('/settings', { timezone: 'Mars/Olympus_Mons' });
    expect(res.status).toBe(400);
    expect(visibleText(res.text)).toContain('Unknown time zone.');
    expect(res.text).toContain('value="Mars/Olympus_Mons"');
    expect((await ActivityModel.findById(t.activityId).lean())?.timezone).toBe(RIGA);
    expect((await t.post('/settings', { timezone: '' })).status).toBe(400);
  });

  it('when a student posts a time zone, then they are refused (403) and nothing changes', async () => {
    const t = await launchTeacher(h, 's-zone-student', { role: 'Learner', userId: 'student-9' });
    expect((await t.post('/settings', { timezone: 'UTC' })).status).toBe(403);
    expect((await t.post('/sessions/series', series(t, { confirm: '1', expected: '9' }))).status).toBe(403);
    expect((await ActivityModel.findById(t.activityId).lean())?.timezone).toBe(RIGA);
    expect(await AttendanceSessionModel.countDocuments({ courseId: t.courseId })).toBe(0);
  });
});
