import { AttendanceRecordModel } from '../../../src/attendance/attendance-record.model';
import type { LaunchOptions } from '../../support/mock-lms';
import { startHarness, TestHarness } from '../../support/tool';
import { defaultSet, editForm, Fields, launchIntoCourse, setsOf } from './status-set-pages';

let h: TestHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const launchInto = (context: string, opts: LaunchOptions = {}) => launchIntoCourse(h, context, opts);

describe('editing a status set', () => {
  let badInputLaunch: ReturnType<typeof launchInto> | undefined;

  it('when the teacher changes points, acronym and order, adds a status and hides one, then all is saved at once', async () => {
    const t = await launchInto('ss-edit');
    const set = await defaultSet(t.activityId);
    const form = editForm(
      set,
      { L: { acronym: 'LT', points: '1.5', order: '3' }, E: 'hide', A: { order: '9', pickMode: 'within', pickMinutes: '10' } },
      { rows: [{ id: '', acronym: 'R', description: 'Remote', points: '1,25', order: '2', visible: '1', pickMode: 'always', pickMinutes: '' }] },
    );
    const res = await t.post(`${t.base}/${set._id}`, form);
    expect(res.status).toBe(303);
    const page = await t.follow(res);
    expect(page.text).toContain('Status set saved.');
    expect(page.text).toContain('value="LT"');

    const saved = await defaultSet(t.activityId);
    expect(saved.statuses.map((s) => [s.acronym, s.points, s.order, s.visible])).toEqual([
      ['P', 2, 1, true], ['R', 1.25, 2, true], ['E', 1, 3, false], ['LT', 1.5, 4, true], ['A', 0, 5, true],
    ]);
    expect(saved.statuses.find((s) => s.acronym === 'LT')?._id).toBe(set.statuses[1]?._id);
    expect(saved.statuses.find((s) => s.acronym === 'R')?._id).toMatch(/^[0-9a-f-]{36}$/);
    expect(saved.statuses.find((s) => s.acronym === 'A')?.studentPick).toEqual({ mode: 'within', minutes: 10 });
    expect(saved.autoStatusId).toBe(set.statuses[3]?._id);

    const list = await t.get(t.base);
    expect(list.text).toContain('LT Late 1.5');
    expect(list.text).toMatch(/E Excused 1 <span class="small">\(hidden\)/);
  });

  it('when the automatic status is switched to None, then unmarked students get no status', async () => {
    const t = await launchInto('ss-auto-none');
    const set = await defaultSet(t.activityId);
    const res = await t.post(`${t.base}/${set._id}`, editForm(set, {}, { fields: { autoStatus: 'none' } }));
    expect(res.status).toBe(303);
    expect((await defaultSet(t.activityId)).autoStatusId).toBeNull();
  });

  it.each<[string, Record<string, Fields | 'hide'>, Fields, string[]]>([
    ['a duplicate acronym', { L: { acronym: 'p' } }, {}, ['Another status of this set has the same acronym.', 'value="p"']],
    ['points with 3 decimals', { P: { points: '1.234' } }, {}, ['Use at most 2 decimals', 'value="1.234"']],
    ['an empty description', { L: { description: '' } }, {}, ['Enter a description of 1 to 60 characters.']],
    ['no shown status', { P: 'hide', L: 'hide', E: 'hide', A: 'hide' }, { autoStatus: 'none' }, ['At least one status must be shown.']],
    ['"within" without minutes', { E: { pickMode: 'within', pickMinutes: '' } }, {}, ['Enter the number of minutes (1 to 1440).']],
    ['points that are not a number', { A: { points: 'zero' } }, {}, ['Enter a number.', 'value="zero"']],
  ])('when the form has %s, then it comes back (400) with the message and the typed values, and nothing is saved', async (_name, changes, fields, texts) => {
    // Refused forms change nothing, so these cases can share one course.
    badInputLaunch ??= launchInto('ss-bad-input');
    const t = await badInputLaunch;
    const set = await defaultSet(t.activityId);
    const form = editForm(set, { ...changes, P: changes.P ?? { description: 'Here (typed)' } }, { fields });
    const res = await t.post(`${t.base}/${set._id}`, form);
    expect(res.status).toBe(400);
    expect(res.text).toContain('Please correct the marked fields and try again.');
    for (const text of texts) expect(res.text).toContain(text);
    if (changes.P === undefined) expect(res.text).toContain('value="Here (typed)"');
    expect(res.text).toContain('aria-invalid="true"');
    const after = await defaultSet(t.activityId);
    expect(after.statuses).toEqual(set.statuses);
    expect(after.autoStatusId).toBe(set.autoStatusId);
  });

  it('when the set is renamed, then the new name is saved; a name another set has is refused', async () => {
    const t = await launchInto('ss-rename');
    await t.post(t.base, { name: 'Labs' });
    const set = await defaultSet(t.activityId);
    const ok = await t.post(`${t.base}/${set._id}`, editForm(set, {}, { fields: { name: 'Lectures' } }));
    expect(ok.status).toBe(303);
    expect((await defaultSet(t.activityId)).name).toBe('Lectures');
    const taken = await t.post(`${t.base}/${set._id}`, editForm(set, { P: { points: '3' } }, { fields: { name: 'LABS' } }));
    expect(taken.status).toBe(400);
    expect(taken.text).toContain('Another status set of this activity already has this name.');
    expect(taken.text).toContain('value="LABS"');
    expect(taken.text).toContain('name="statuses.0.points" value="3"');
    expect((await defaultSet(t.activityId)).statuses[0]?.points).toBe(2);
  });

  it('when the statuses changed in another window since the page was opened, then the stale form is refused (409) and the current set shown', async () => {
    const t = await launchInto('ss-stale');
    const before = await defaultSet(t.activityId);
    const added = editForm(before, {}, { rows: [{ id: '', acronym: 'R', description: 'Remote', points: '1', order: '', visible: '1', pickMode: 'never', pickMinutes: '' }] });
    expect((await t.post(`${t.base}/${before._id}`, added)).status).toBe(303);
    const current = await defaultSet(t.activityId);
    const stale = await t.post(`${t.base}/${before._id}`, editForm(before, { P: { points: '5' } }));
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('changed after you opened this page');
    expect(stale.text).toContain('value="Remote"');
    expect((await defaultSet(t.activityId)).statuses).toEqual(current.statuses);
  });

  it('when the automatic status is hidden, then the form is refused with a reason', async () => {
    const t = await launchInto('ss-auto-hidden');
    const set = await defaultSet(t.activityId);
    const res = await t.post(`${t.base}/${set._id}`, editForm(set, { A: 'hide' }));
    expect(res.status).toBe(400);
    expect(res.text).toContain('The automatic status must be one of the shown statuses of this set');
  });

  it('when the form names a status of another set, then it is not found and nothing is saved', async () => {
    const t = await launchInto('ss-foreign-status');
    const set = await defaultSet(t.activityId);
    const form = editForm(set, { P: { id: 'someone-elses-status' } });
    const res = await t.post(`${t.base}/${set._id}`, form);
    expect(res.status).toBe(404);
    expect((await defaultSet(t.activityId)).statuses).toEqual(set.statuses);
  });
});

describe('the "Excused" flag of a status', () => {
  const excusedBox = (html: string, row: number) => new RegExp(`name="statuses\\.${row}\\.excused" value="1"[^>]*?( checked)?>`).exec(html);

  it('when the page opens, then only E of the default set is ticked "Excused"', async () => {
    const t = await launchInto('ss-excused-show');
    const set = await defaultSet(t.activityId);
    expect(set.statuses.map((s) => [s.acronym, s.excused])).toEqual([['P', false], ['L', false], ['E', true], ['A', false]]);
    const page = await t.get(`${t.base}/${set._id}`);
    expect(page.text).toContain('<th scope="col">Excused</th>');
    expect([0, 1, 2, 3].map((row) => Boolean(excusedBox(page.text, row)?.[1]))).toEqual([false, false, true, false]);
    expect(page.text).toContain('Excused, E');
  });

  it('when the teacher ticks L, unticks E and adds an excused status, then exactly that is saved and shown again', async () => {
    const t = await launchInto('ss-excused-save');
    const set = await defaultSet(t.activityId);
    const form = editForm(set, { L: { excused: '1' } }, {
      rows: [{ id: '', acronym: 'M', description: 'Medical', points: '2', order: '', visible: '1', excused: '1', pickMode: 'never', pickMinutes: '' }],
    });
    delete form['statuses.2.excused']; // E unticked: the browser sends nothing
    const res = await t.post(`${t.base}/${set._id}`, form);
    expect(res.status).toBe(303);
    const saved = await defaultSet(t.activityId);
    expect(saved.statuses.map((s) => [s.acronym, s.excused])).toEqual([['P', false], ['L', true], ['E', false], ['A', false], ['M', true]]);
    const page = await t.follow(res);
    expect([0, 1, 2, 3, 4].map((row) => Boolean(excusedBox(page.text, row)?.[1]))).toEqual([false, true, false, false, true]);
  });

  it('when a refused form comes back, then the ticks are as typed and nothing is saved', async () => {
    const t = await launchInto('ss-excused-bad');
    const set = await defaultSet(t.activityId);
    const form = editForm(set, { P: { excused: '1', points: 'lots' } });
    const res = await t.post(`${t.base}/${set._id}`, form);
    expect(res.status).toBe(400);
    expect(excusedBox(res.text, 0)?.[1]).toBe(' checked');
    expect((await defaultSet(t.activityId)).statuses).toEqual(set.statuses);
  });

  it('when a new set is created, then its E starts excused like the default set', async () => {
    const t = await launchInto('ss-excused-new-set');
    const res = await t.post(t.base, { name: 'Labs' });
    expect(res.status).toBe(303);
    const labs = (await setsOf(t.activityId)).find((s) => s.name === 'Labs');
    expect(labs?.statuses.map((s) => [s.acronym, s.excused])).toEqual([['P', false], ['L', false], ['E', true], ['A', false]]);
  });
});

describe('deleting statuses', () => {
  it('when a status no record uses is deleted, then it is gone and the others are renumbered', async () => {
    const t = await launchInto('ss-del-ok');
    const set = await defaultSet(t.activityId);
    const excused = set.statuses[2]!;
    const res = await t.post(`${t.base}/${set._id}/statuses/${excused._id}/delete`);
    expect(res.status).toBe(303);
    expect((await t.follow(res)).text).toContain('Status deleted.');
    const after = await defaultSet(t.activityId);
    expect(after.statuses.map((s) => [s.acronym, s.order])).toEqual([['P', 1], ['L', 2], ['A', 3]]);
  });

  it('when the automatic status is deleted, then the set has no automatic status', async () => {
    const t = await launchInto('ss-del-auto');
    const set = await defaultSet(t.activityId);
    const res = await t.post(`${t.base}/${set._id}/statuses/${set.autoStatusId}/delete`);
    expect(res.status).toBe(303);
    expect((await defaultSet(t.activityId)).autoStatusId).toBeNull();
  });

  it('when attendance records use a status, then deleting it is refused (409) with the count, and it stays', async () => {
    const t = await launchInto('ss-del-used');
    const set = await defaultSet(t.activityId);
    const late = set.statuses[1]!;
    await AttendanceRecordModel.insertMany(
      Array.from({ length: 12 }, (_, i) => ({
        courseId: t.courseId, activityId: t.activityId, sessionId: `sess-${i}`, userId: 'student-1', statusSetId: set._id, statusId: late._id,
      })),
    );
    const res = await t.post(`${t.base}/${set._id}/statuses/${late._id}/delete`);
    expect(res.status).toBe(409);
    expect(res.text).toContain('Status L is used by 12 attendance records; hide it instead.');
    expect(res.text).toContain('role="alert"');
    expect((await defaultSet(t.activityId)).statuses).toHaveLength(4);
    // The page says which statuses are in use before anyone tries.
    expect((await t.get(`${t.base}/${set._id}`)).text).toContain('12 records');
  });
});
