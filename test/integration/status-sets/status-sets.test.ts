import mongoose from 'mongoose';
import { AttendanceRecordModel } from '../../../src/attendance/attendance-record.model';
import { withLtik } from '../../../src/shared/links';
import type { LaunchOptions } from '../../support/mock-lms';
import { startHarness, TestHarness } from '../../support/tool';
import { defaultSet, editForm, launchIntoCourse, setsOf } from './status-set-pages';

let h: TestHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const launchInto = (context: string, opts: LaunchOptions = {}) => launchIntoCourse(h, context, opts);

describe('the default status set', () => {
  it('when a teacher first launches, then P/L/E/A with 2/1/1/0 are listed and A is automatic for unmarked', async () => {
    const t = await launchInto('ss-seed');
    const page = await t.get(t.base);
    expect(page.status).toBe(200);
    for (const chip of ['P Present 2', 'L Late 1', 'E Excused 1', 'A Absent 0']) expect(page.text).toContain(chip);
    expect(page.text).toContain('Default');
    expect(page.text).toContain('Automatic for unmarked students: A Absent');
    const sets = await setsOf(t.activityId);
    expect(sets).toHaveLength(1);
    expect(sets[0]?.statuses.map((s) => [s.acronym, s.points, s.order, s.visible])).toEqual([
      ['P', 2, 1, true], ['L', 1, 2, true], ['E', 1, 3, true], ['A', 0, 4, true],
    ]);
    expect(sets[0]?.autoStatusId).toBe(sets[0]?.statuses[3]?._id);
  });

  it('when the edit page opens, then every status is a row with its values and a blank row to add one', async () => {
    const t = await launchInto('ss-editpage');
    const set = await defaultSet(t.activityId);
    const page = await t.get(`${t.base}/${set._id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('name="statuses.3.acronym" value="A"');
    expect(page.text).toContain('name="statuses.4.acronym" value=""');
    expect(page.text).toMatch(/name="autoStatus" value="3" checked/);
    expect(page.text).toContain('Save all changes');
  });
});

describe('several status sets', () => {
  it('when a teacher creates a second set, then it starts as a copy of P/L/E/A with fresh ids', async () => {
    const t = await launchInto('ss-create');
    const res = await t.post(t.base, { name: 'Labs' });
    expect(res.status).toBe(303);
    const page = await t.follow(res);
    expect(page.text).toContain('Status set created.');
    expect(page.text).toContain('value="Labs"');

    const [seeded, labs] = await setsOf(t.activityId);
    expect(labs).toMatchObject({ name: 'Labs', isDefault: false, courseId: t.courseId });
    expect(labs?.statuses.map((s) => `${s.acronym} ${s.description} ${s.points}`)).toEqual(['P Present 2', 'L Late 1', 'E Excused 1', 'A Absent 0']);
    const seededIds = new Set(seeded?.statuses.map((s) => s._id));
    expect(labs?.statuses.every((s) => !seededIds.has(s._id))).toBe(true);
    expect(labs?.autoStatusId).toBe(labs?.statuses[3]?._id);

    const list = await t.get(t.base);
    expect(list.text).toContain('Default statuses');
    expect(list.text).toContain('Labs');
  });

  it('when the new set has no name or a taken one, then the form comes back with the message and the value', async () => {
    const t = await launchInto('ss-create-bad');
    const empty = await t.post(t.base, { name: '  ' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('Enter a name of 1 to 60 characters.');
    const taken = await t.post(t.base, { name: 'default STATUSES' });
    expect(taken.status).toBe(400);
    expect(taken.text).toContain('Another status set of this activity already has this name.');
    expect(taken.text).toContain('value="default STATUSES"');
    expect(await setsOf(t.activityId)).toHaveLength(1);
  });

  it('when an unused extra set is deleted, then it is gone; the default set cannot be deleted', async () => {
    const t = await launchInto('ss-del-set');
    await t.post(t.base, { name: 'Spare' });
    const spare = (await setsOf(t.activityId))[1]!;
    const res = await t.post(`${t.base}/${spare._id}/delete`);
    expect(res.status).toBe(303);
    expect((await t.follow(res)).text).toContain('Status set deleted.');
    expect(await setsOf(t.activityId)).toHaveLength(1);

    const seeded = await defaultSet(t.activityId);
    const refused = await t.post(`${t.base}/${seeded._id}/delete`);
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('The default status set cannot be deleted.');
  });

  it('when a session or a record uses a set, then deleting the set is refused with the reason', async () => {
    const t = await launchInto('ss-del-set-used');
    await t.post(t.base, { name: 'Seminars' });
    await t.post(t.base, { name: 'Workshops' });
    const [, seminars, workshops] = await setsOf(t.activityId);
    await mongoose.connection.collection('attendance_sessions').insertOne({ activityId: t.activityId, statusSetId: seminars!._id } as never);
    const bySession = await t.post(`${t.base}/${seminars!._id}/delete`);
    expect(bySession.status).toBe(409);
    expect(bySession.text).toContain('This set is used by 1 session, so it cannot be deleted.');

    await AttendanceRecordModel.create({
      courseId: t.courseId, activityId: t.activityId, sessionId: 'w1', userId: 'u1', statusSetId: workshops!._id, statusId: workshops!.statuses[0]!._id,
    });
    const byRecord = await t.post(`${t.base}/${workshops!._id}/delete`);
    expect(byRecord.status).toBe(409);
    expect(byRecord.text).toContain('Statuses of this set are used by 1 attendance record');
    expect(await setsOf(t.activityId)).toHaveLength(3);
  });
});

describe('language', () => {
  it('when the teacher uses Latvian, then the pages and the seeded statuses are in Latvian', async () => {
    const t = await launchInto('ss-lv', { locale: 'lv-LV' });
    const list = await t.get(t.base);
    expect(list.text).toContain('Statusu kopas');
    expect(list.text).toContain('P Apmeklēja 2');
    expect(list.text).toContain('Noklusējuma');
    expect(list.text).toContain('Izveidot statusu kopu');
    const set = await defaultSet(t.activityId);
    const bad = await t.post(`${t.base}/${set._id}`, editForm(set, { P: { points: '1.234' } }));
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Izmantojiet ne vairāk kā 2 decimālzīmes');
    expect(bad.text).toContain('Saglabāt visas izmaiņas');
  });
});

describe('who may touch status sets', () => {
  it('when a student opens or posts to the status-set pages, then they get 403 and nothing changes', async () => {
    const teacher = await launchInto('ss-roles');
    const set = await defaultSet(teacher.activityId);
    const s = await launchInto('ss-roles', { role: 'Learner', user: { id: 'student-1', givenName: 'Sam', familyName: 'Student' } });
    expect((await s.get(s.base)).status).toBe(403);
    expect((await s.get(`${s.base}/${set._id}`)).status).toBe(403);
    expect((await s.post(s.base, { name: 'Mine' })).status).toBe(403);
    expect((await s.post(`${s.base}/${set._id}`, editForm(set, { P: { points: '9' } }))).status).toBe(403);
    expect((await s.post(`${s.base}/${set._id}/statuses/${set.statuses[0]!._id}/delete`)).status).toBe(403);
    expect(await setsOf(teacher.activityId)).toHaveLength(1);
    expect((await defaultSet(teacher.activityId)).statuses).toEqual(set.statuses);
  });

  it("when a teacher of another course uses this course's set id on their own activity, then it is not found", async () => {
    const a = await launchInto('ss-course-a');
    const setA = await defaultSet(a.activityId);
    const b = await launchInto('ss-course-b');
    expect((await b.get(`${b.base}/${setA._id}`)).status).toBe(404);
    expect((await b.post(`${b.base}/${setA._id}`, editForm(setA, { P: { points: '9' } }))).status).toBe(404);
    expect((await b.post(`${b.base}/${setA._id}/statuses/${setA.statuses[0]!._id}/delete`)).status).toBe(404);
    expect((await b.post(`${b.base}/${setA._id}/delete`)).status).toBe(404);
    // and A's ltik does not open B's activity at all
    expect((await a.agent.get(withLtik(`${b.base}`, a.ltik))).status).toBe(403);
    expect((await defaultSet(a.activityId)).statuses).toEqual(setA.statuses);
  });
});
