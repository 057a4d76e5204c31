import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { AttendanceRecordModel } from '../../../src/attendance/attendance-record.model';
import { GroupModel } from '../../../src/groups/group.model';
import { StatusSetModel } from '../../../src/status-sets/status-set.model';
import { AttendanceSessionModel } from '../../../src/sessions/attendance-session.model';
import { startHarness, TestHarness } from '../../support/tool';
import { follow, launchTeacher, TeacherPages, visibleText } from './helpers';

let h: TestHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const RIGA = 'Europe/Riga';
const rigaTime = (d: Date) => DateTime.fromJSDate(d, { zone: RIGA }).toFormat('yyyy-MM-dd HH:mm');
const oneSession = (t: TeacherPages, over: Record<string, string> = {}) => ({
  date: '2027-03-30', startTime: '10:00', durationMinutes: '90', description: 'Lecture 1', audience: 'all', statusSetId: `${t.activityId}-default`, ...over,
});

/** Inserts a session straight into the database (for past/other-course fixtures). */
async function insertSession(t: TeacherPages, startsAt: string, over: Record<string, unknown> = {}) {
  const _id = randomUUID();
  await AttendanceSessionModel.create({
    _id, courseId: t.courseId, activityId: t.activityId, startsAt: new Date(startsAt), durationMinutes: 90, timezone: RIGA,
    description: '', audience: { kind: 'all' }, statusSetId: `${t.activityId}-default`, createdBy: 'teacher-1', ...over,
  });
  return _id;
}

describe('adding one session', () => {
  it('when a teacher adds a session, then the list shows it at the local time and the database holds the UTC instant', async () => {
    const t = await launchTeacher(h, 'c-one');
    const form = await t.get('/sessions/new');
    expect(form.status).toBe(200);
    expect(form.text).toContain('Add a session');
    expect(form.text).toMatch(new RegExp(`<option value="${t.activityId}-default" selected>`));

    const list = await follow(t, await t.post('/sessions/new', oneSession(t)));
    expect(list.status).toBe(200);
    const text = visibleText(list.text);
    expect(text).toContain('Session saved.');
    expect(text).toContain('10:00–11:30');
    expect(text).toContain('Lecture 1');
    expect(text).toContain('All students');
    expect(text).toContain('Not taken Take attendance'); // attendance column + link to the take page
    expect(text).toContain('Self-marking');

    const saved = await AttendanceSessionModel.find({ courseId: t.courseId }).lean();
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({ activityId: t.activityId, durationMinutes: 90, timezone: RIGA, audience: { kind: 'all' }, createdBy: 'teacher-1' });
    expect(saved[0]?.startsAt.toISOString()).toBe('2027-03-30T07:00:00.000Z'); // EEST, after the change
    expect(saved[0]?.seriesId).toBeUndefined();
  });

  it('when the start time does not exist (the spring-forward night), then the session starts at the first time after the change and the teacher is told', async () => {
    const t = await launchTeacher(h, 'c-one-gap');
    const list = await follow(t, await t.post('/sessions/new', oneSession(t, { date: '2027-03-28', startTime: '03:30' })));
    const text = visibleText(list.text);
    expect(text).toContain('That start time does not exist on that day');
    expect(text).toContain('04:30–06:00');
    expect((await AttendanceSessionModel.findOne({ courseId: t.courseId }).lean())?.startsAt.toISOString()).toBe('2027-03-28T01:30:00.000Z');
  });

  it.each([
    ['the date is missing', { date: '' }, 'This field is required.'],
    ['the duration is 0', { durationMinutes: '0' }, 'Enter a duration from 1 to 1440 minutes.'],
    ['the time is not a time', { startTime: '25:61' }, 'Enter a valid time (HH:MM).'],
  ])('when %s, then the form comes back (400) with the message and the typed values, and nothing is saved', async (_name, over, message) => {
    const t = await launchTeacher(h, `c-bad-${Math.random()}`);
    const res = await t.post('/sessions/new', oneSession(t, { description: 'Keep me & mine', ...over }));
    expect(res.status).toBe(400);
    expect(res.text).toContain('Please correct the marked fields and try again.');
    expect(res.text).toContain(message);
    expect(res.text).toContain('Keep me &amp; mine</textarea>');
    expect(res.text).toContain('aria-invalid="true"');
    expect(await AttendanceSessionModel.countDocuments({ courseId: t.courseId })).toBe(0);
  });

  it('when the audience is a group, then the list names the group and the group filter shows only what its members attend', async () => {
    const t = await launchTeacher(h, 'c-groups');
    await GroupModel.create({ _id: 'g-a', courseId: t.courseId, name: 'Lab A', nameKey: 'lab a', memberIds: [] });
    await GroupModel.create({ _id: 'g-b', courseId: t.courseId, name: 'Lab B', nameKey: 'lab b', memberIds: [] });
    const form = await t.get('/sessions/new');
    expect(form.text).toContain('<option value="group:g-a">Group: Lab A</option>');

    await follow(t, await t.post('/sessions/new', oneSession(t, { audience: 'group:g-a', description: 'For A' })));
    await follow(t, await t.post('/sessions/new', oneSession(t, { audience: 'group:g-b', description: 'For B', date: '2027-03-31' })));
    await follow(t, await t.post('/sessions/new', oneSession(t, { description: 'For everyone', date: '2027-04-01' })));
    expect((await AttendanceSessionModel.findOne({ courseId: t.courseId, description: 'For A' }).lean())?.audience).toEqual({ kind: 'group', groupId: 'g-a' });

    const all = visibleText((await t.get('/sessions?view=all')).text);
    expect(all).toContain('Lab A');
    expect(all).toContain('Lab B');
    const onlyA = visibleText((await t.get('/sessions?view=all&group=g-a')).text);
    expect(onlyA).toContain('For A');
    expect(onlyA).toContain('For everyone');
    expect(onlyA).not.toContain('For B');
    const everyone = visibleText((await t.get('/sessions?view=all&group=everyone')).text);
    expect(everyone).toContain('For everyone');
    expect(everyone).not.toContain('For A');
  });

  it('when a form names another course\'s group, then it is not found (404) and nothing is saved', async () => {
    const t = await launchTeacher(h, 'c-foreign-group');
    await GroupModel.create({ _id: 'g-elsewhere', courseId: 'another-course', name: 'Elsewhere', nameKey: 'elsewhere', memberIds: [] });
    const res = await t.post('/sessions/new', oneSession(t, { audience: 'group:g-elsewhere' }));
    expect(res.status).toBe(404);
    expect(await AttendanceSessionModel.countDocuments({ courseId: t.courseId })).toBe(0);
  });
});

describe('the list: upcoming, past, by week or month', () => {
  it('when the launch is in Latvian, then the list, its dates and its actions are in Latvian', async () => {
    const t = await launchTeacher(h, 'c-lv', { locale: 'lv' });
    await insertSession(t, '2099-03-30T07:00:00Z', { description: 'Lekcija' });
    const text = visibleText((await t.get('/sessions?by=month')).text);
    expect(text).toContain('Nodarbības');
    expect(text).toContain('Visi studenti');
    expect(text).toContain('Nav reģistrēts Reģistrēt apmeklējumu');
    expect(text).toContain('marts 2099');
    expect(text).toContain('2099. g. 30. marts');
  });


  it('when there are past and future sessions, then "upcoming" (the default) and "past" each show their own', async () => {
    const t = await launchTeacher(h, 'c-time');
    await insertSession(t, '2020-05-04T07:00:00Z', { description: 'Long ago' });
    await insertSession(t, '2099-05-04T07:00:00Z', { description: 'Far future' });
    const upcoming = visibleText((await t.get('/sessions')).text);
    expect(upcoming).toContain('Far future');
    expect(upcoming).not.toContain('Long ago');
    const past = visibleText((await t.get('/sessions?view=past')).text);
    expect(past).toContain('Long ago');
    expect(past).not.toContain('Far future');
    const byMonth = visibleText((await t.get('/sessions?view=all&by=month')).text);
    expect(byMonth).toContain('May 2020');
    expect(byMonth).toContain('May 2099');
    expect(visibleText((await t.get('/sessions?view=all&by=week')).text)).toContain('Week 19, 2020');
  });
});

describe('editing and deleting one session', () => {
  it('when a teacher edits a session, then the form shows its local values and the change is saved', async () => {
    const t = await launchTeacher(h, 'c-edit');
    const id = await insertSession(t, '2027-03-30T07:00:00Z', { description: 'Before' });
    const form = await t.get(`/sessions/${id}/edit`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('value="2027-03-30"');
    expect(form.text).toContain('value="10:00"');
    const list = await follow(t, await t.post(`/sessions/${id}/edit`, oneSession(t, { startTime: '12:15', durationMinutes: '45', description: 'After' })));
    expect(visibleText(list.text)).toContain('12:15–13:00');
    const saved = await AttendanceSessionModel.findById(id).lean();
    expect(saved && [rigaTime(saved.startsAt), saved.durationMinutes, saved.description]).toEqual(['2027-03-30 12:15', 45, 'After']);
  });

  it('when attendance was taken with its status set, then switching to another set is refused (409) and nothing changes', async () => {
    const t = await launchTeacher(h, 'c-edit-locked');
    const id = await insertSession(t, '2027-03-30T07:00:00Z', { description: 'Taken' });
    await StatusSetModel.create({ _id: `${t.activityId}-labs`, courseId: t.courseId, activityId: t.activityId, name: 'Lab marks', statuses: [] });
    await AttendanceRecordModel.create({ courseId: t.courseId, activityId: t.activityId, sessionId: id, userId: 'u1', statusSetId: `${t.activityId}-default`, statusId: 'x-P' });
    const res = await t.post(`/sessions/${id}/edit`, oneSession(t, { statusSetId: `${t.activityId}-labs`, description: 'Changed' }));
    expect(res.status).toBe(409);
    expect(visibleText(res.text)).toContain('Attendance has already been taken with this status set');
    expect(await AttendanceSessionModel.findById(id).lean()).toMatchObject({ statusSetId: `${t.activityId}-default`, description: 'Taken' });
  });

  it('when a session with attendance records is deleted, then the confirmation says how many records go, and then both are gone', async () => {
    const t = await launchTeacher(h, 'c-delete');
    const id = await insertSession(t, '2027-03-30T07:00:00Z', { description: 'Doomed' });
    const keep = await insertSession(t, '2027-04-06T07:00:00Z', { description: 'Stays' });
    const record = (sessionId: string, userId: string) => ({ courseId: t.courseId, activityId: t.activityId, sessionId, userId, statusSetId: 'x', statusId: 'x-P' });
    await AttendanceRecordModel.insertMany([record(id, 'u1'), record(id, 'u2'), record(id, 'u3'), record(keep, 'u1')]);

    const confirm = await t.get(`/sessions/${id}/delete`);
    expect(confirm.status).toBe(200);
    expect(visibleText(confirm.text)).toContain('3 attendance records will be deleted too.');
    expect(confirm.text).toContain('Doomed');
    expect(await AttendanceSessionModel.countDocuments({ _id: id })).toBe(1); // asking changes nothing

    const list = await follow(t, await t.post(`/sessions/${id}/delete`, {}));
    expect(visibleText(list.text)).toContain('1 session deleted (attendance records deleted with it: 3).');
    expect(await AttendanceSessionModel.countDocuments({ _id: id })).toBe(0);
    expect(await AttendanceRecordModel.countDocuments({ sessionId: id })).toBe(0);
    expect(await AttendanceRecordModel.countDocuments({ sessionId: keep })).toBe(1);
  });

  it('when a session has no records, then deleting it still asks, saying no records go with it', async () => {
    const t = await launchTeacher(h, 'c-delete-empty');
    const id = await insertSession(t, '2027-03-30T07:00:00Z');
    expect(visibleText((await t.get(`/sessions/${id}/delete`)).text)).toContain('no attendance records will be deleted');
  });
});

describe('bulk actions on selected sessions', () => {
  it('when several are selected for deletion, then a confirmation lists them with the record count, and confirming deletes them', async () => {
    const t = await launchTeacher(h, 'c-bulk-delete');
    const a = await insertSession(t, '2027-03-30T07:00:00Z', { description: 'Bulk A' });
    const b = await insertSession(t, '2027-04-06T07:00:00Z', { description: 'Bulk B' });
    const c = await insertSession(t, '2027-04-13T07:00:00Z', { description: 'Bulk C' });
    await AttendanceRecordModel.create({ courseId: t.courseId, activityId: t.activityId, sessionId: a, userId: 'u1', statusSetId: 'x', statusId: 'x-P' });

    const confirm = await t.post('/sessions/bulk', { action: 'delete', ids: [a, b], view: 'all', by: 'week', group: 'all' });
    expect(confirm.status).toBe(200);
    const text = visibleText(confirm.text);
    expect(text).toContain('Delete 2 sessions?');
    expect(text).toContain('1 attendance record will be deleted too.');
    expect(await AttendanceSessionModel.countDocuments({ courseId: t.courseId })).toBe(3);

    const list = await follow(t, await t.post('/sessions/bulk', { action: 'delete', confirm: '1', ids: [a, b], view: 'all', by: 'week', group: 'all' }));
    expect(visibleText(list.text)).toContain('2 sessions deleted (attendance records deleted with them: 1).');
    expect((await AttendanceSessionModel.find({ courseId: t.courseId }).lean()).map((s) => s._id)).toEqual([c]);
    expect(await AttendanceRecordModel.countDocuments({ courseId: t.courseId })).toBe(0);
  });

  it('when several get a new duration, then only those change', async () => {
    const t = await launchTeacher(h, 'c-bulk-duration');
    const a = await insertSession(t, '2027-03-30T07:00:00Z');
    const b = await insertSession(t, '2027-04-06T07:00:00Z');
    const c = await insertSession(t, '2027-04-13T07:00:00Z');
    const list = await follow(t, await t.post('/sessions/bulk', { action: 'duration', minutes: '45', ids: [a, c], view: 'upcoming', by: 'week', group: 'all' }));
    expect(visibleText(list.text)).toContain('Duration changed for 2 sessions.');
    const durations = Object.fromEntries((await AttendanceSessionModel.find({ courseId: t.courseId }).lean()).map((s) => [s._id, s.durationMinutes]));
    expect(durations).toEqual({ [a]: 45, [b]: 90, [c]: 45 });
  });

  it.each([
    ['nothing is selected', { action: 'delete' }, 'Select at least one session first.'],
    ['the new duration is 0', { action: 'duration', minutes: '0' }, 'Enter a duration from 1 to 1440 minutes.'],
  ])('when %s, then the list comes back (400) with the message and nothing changes', async (_name, fields, message) => {
    const t = await launchTeacher(h, `c-bulk-bad-${Math.random()}`);
    const a = await insertSession(t, '2027-03-30T07:00:00Z');
    const res = await t.post('/sessions/bulk', { ...fields, ...(fields.action === 'duration' ? { ids: [a] } : {}) });
    expect(res.status).toBe(400);
    expect(visibleText(res.text)).toContain(message);
    expect(await AttendanceSessionModel.findById(a).lean()).toMatchObject({ durationMinutes: 90 });
  });
});

describe('who may use the sessions pages', () => {
  it('when a student opens or posts to the sessions pages, then they are refused (403)', async () => {
    const teacher = await launchTeacher(h, 'c-student');
    const student = await launchTeacher(h, 'c-student', { role: 'Learner', userId: 'student-1' });
    expect((await student.get('/sessions')).status).toBe(403);
    expect((await student.get('/sessions/new')).status).toBe(403);
    expect((await student.post('/sessions/new', oneSession(teacher))).status).toBe(403);
    expect((await student.get('/settings')).status).toBe(403);
    expect(await AttendanceSessionModel.countDocuments({ courseId: teacher.courseId })).toBe(0);
  });

  it('when a teacher of course A uses course B\'s session id, then it is not found (404) and B\'s session is untouched', async () => {
    const a = await launchTeacher(h, 'c-course-a');
    const b = await launchTeacher(h, 'c-course-b');
    const foreign = await insertSession(b, '2027-03-30T07:00:00Z', { description: 'B only' });
    expect((await a.get(`/sessions/${foreign}/edit`)).status).toBe(404);
    expect((await a.post(`/sessions/${foreign}/edit`, oneSession(a))).status).toBe(404);
    expect((await a.get(`/sessions/${foreign}/delete`)).status).toBe(404);
    expect((await a.post(`/sessions/${foreign}/delete`, {})).status).toBe(404);
    expect((await a.post('/sessions/bulk', { action: 'delete', confirm: '1', ids: [foreign] })).status).toBe(404);
    expect((await a.post('/sessions/bulk', { action: 'duration', minutes: '5', ids: [foreign] })).status).toBe(404);
    expect(visibleText((await a.get('/sessions?view=all')).text)).not.toContain('B only');
    expect(await AttendanceSessionModel.findById(foreign).lean()).toMatchObject({ description: 'B only', durationMinutes: 90 });
  });
});
