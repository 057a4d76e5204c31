import mongoose from 'mongoose';
import { GroupModel } from '../../../src/groups/group.model';
import { MemberModel } from '../../../src/roster/member.model';
import { startHarness, TestHarness } from '../../support/tool';
import { hiddenValue } from '../sessions/helpers';
import { addStudents, follow, groupIdFrom, Student, teacherCourse, textOf } from './groups-support';

let h: TestHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const STUDENTS: Student[] = [
  { id: 's-zar', givenName: 'Ed', familyName: 'Zariņš', email: 'ed@example.com', username: 'ezarins' },
  { id: 's-abe', givenName: 'Ilze', familyName: 'Abele', email: 'ilze@example.com', username: 'iabele' },
  { id: 's-mei', givenName: 'Ada', familyName: 'Meiere', email: 'ada@example.com', username: 'ameiere' },
];

const memberIds = async (groupId: string) => [...((await GroupModel.findById(groupId).lean())?.memberIds ?? [])].sort();

describe('creating a group', () => {
  it('when a teacher creates a group, then it is listed and its page opens with a confirmation', async () => {
    const c = await teacherCourse(h, 'g-create');
    const list = await c.agent.get(c.url());
    expect(list.status).toBe(200);
    expect(textOf(list.text)).toContain('No groups yet.');

    const created = await follow(c.agent, await c.post('', { name: '  Lab   A ' }));
    expect(created.status).toBe(200);
    expect(textOf(created.text)).toContain('Group created.');
    expect(created.text).toContain('<h1>Lab A</h1>');
    const stored = await GroupModel.find({ courseId: c.courseId }).lean();
    expect(stored).toMatchObject([{ name: 'Lab A', nameKey: 'lab a', memberIds: [] }]);

    const again = await c.agent.get(c.url());
    expect(textOf(again.text)).toMatch(/Lab A 0 Manage/);
  });

  it('when the name exists in another case, then the form comes back with the message and the typed value, and nothing is saved', async () => {
    const c = await teacherCourse(h, 'g-dup');
    await c.post('', { name: 'Lab A' });
    const res = await c.post('', { name: 'LAB  a' });
    expect(res.status).toBe(409);
    expect(textOf(res.text)).toContain('Please correct the marked fields');
    expect(textOf(res.text)).toContain('A group named “LAB a” already exists in this course');
    expect(res.text).toContain('value="LAB  a"');
    expect(res.text).toContain('aria-invalid="true"');
    expect(await GroupModel.countDocuments({ courseId: c.courseId })).toBe(1);
  });

  it('when the name is empty or too long, then the form explains it and nothing is saved', async () => {
    const c = await teacherCourse(h, 'g-empty');
    const empty = await c.post('', { name: '   ' });
    expect(empty.status).toBe(400);
    expect(textOf(empty.text)).toContain('This field is required.');
    const long = await c.post('', { name: 'x'.repeat(101) });
    expect(long.status).toBe(400);
    expect(textOf(long.text)).toContain('This is too long (at most 100 characters).');
    expect(long.text).toContain(`value="${'x'.repeat(101)}"`);
    expect(await GroupModel.countDocuments({ courseId: c.courseId })).toBe(0);
  });

  it('when two requests race past the name check, then the unique index refuses the second with the same message', async () => {
    const c = await teacherCourse(h, 'g-race');
    const results = await Promise.all([c.post('', { name: 'Race' }), c.post('', { name: 'race' }), c.post('', { name: 'RACE' })]);
    expect(results.map((r) => r.status).sort()).toEqual([303, 409, 409]);
    for (const r of results.filter((x) => x.status === 409)) expect(textOf(r.text)).toContain('already exists in this course');
    expect(await GroupModel.countDocuments({ courseId: c.courseId })).toBe(1);
    // The last line of defence really exists on the server and reports E11000 (code 11000).
    await expect(GroupModel.create({ _id: 'race-direct', courseId: c.courseId, name: 'rAcE', nameKey: 'race' })).rejects.toMatchObject({ code: 11000 });
  });
});

describe('renaming a group', () => {
  it('when renamed, then the new name is shown and stored; a clash with another group is refused with the value kept', async () => {
    const c = await teacherCourse(h, 'g-rename');
    const page = await follow(c.agent, await c.post('', { name: 'Old' }));
    const groupId = groupIdFrom(page);
    await c.post('', { name: 'Taken' });

    const renamed = await follow(c.agent, await c.post(`/${groupId}/rename`, { name: 'New name' }));
    expect(textOf(renamed.text)).toContain('Group renamed.');
    expect(renamed.text).toContain('<h1>New name</h1>');
    expect(await GroupModel.findById(groupId).lean()).toMatchObject({ name: 'New name', nameKey: 'new name' });

    // The rename form carries the version it was rendered from (src/shared/versioned.ts).
    const version = hiddenValue(renamed.text, 'version');
    const clash = await c.post(`/${groupId}/rename`, { name: 'taken', version });
    expect(clash.status).toBe(409);
    expect(textOf(clash.text)).toContain('A group named “taken” already exists');
    expect(clash.text).toContain('value="taken"');
    expect(await GroupModel.findById(groupId).lean()).toMatchObject({ name: 'New name' });

    const ownCase = await c.post(`/${groupId}/rename`, { name: 'NEW NAME', version });
    expect(ownCase.status).toBe(303);
    expect(await GroupModel.findById(groupId).lean()).toMatchObject({ name: 'NEW NAME' });
  });
});

describe('adding and removing students in bulk', () => {
  it('when students are selected and added, then they are members sorted by family name; removing the selected takes them out', async () => {
    const c = await teacherCourse(h, 'g-bulk', STUDENTS);
    const groupId = groupIdFrom(await follow(c.agent, await c.post('', { name: 'Bulk' })));

    const page = await c.agent.get(c.url(`/${groupId}`));
    const text = textOf(page.text);
    expect(text).toContain('No students in this group yet.');
    expect(text.indexOf('Abele, Ilze')).toBeLessThan(text.indexOf('Meiere, Ada'));
    expect(text.indexOf('Meiere, Ada')).toBeLessThan(text.indexOf('Zariņš, Ed'));
    expect(text).toContain('ilze@example.com iabele');
    expect(text).not.toContain('Teacher, Terry'); // only students can be added

    const added = await follow(c.agent, await c.post(`/${groupId}/members/add`, { userIds: ['s-zar', 's-abe', 's-zar'] }));
    expect(textOf(added.text)).toContain('2 students added to the group.');
    expect(textOf(added.text)).toContain('Students in this group (2)');
    expect(await memberIds(groupId)).toEqual(['s-abe', 's-zar']);

    const again = await follow(c.agent, await c.post(`/${groupId}/members/add`, { userIds: 's-mei' }));
    expect(textOf(again.text)).toContain('1 student added to the group.');
    expect(await memberIds(groupId)).toEqual(['s-abe', 's-mei', 's-zar']);

    const removed = await follow(c.agent, await c.post(`/${groupId}/members/remove`, { userIds: ['s-abe', 's-zar'] }));
    expect(textOf(removed.text)).toContain('2 students removed from the group.');
    expect(await memberIds(groupId)).toEqual(['s-mei']);
    expect(await MemberModel.countDocuments({ courseId: c.courseId, userId: { $in: ['s-abe', 's-zar'] } })).toBe(2);
  });

  it('when a selected id is not a student of this course, then the whole request is refused and nothing is added', async () => {
    const c = await teacherCourse(h, 'g-stranger', STUDENTS);
    const other = await teacherCourse(h, 'g-stranger-other', [{ id: 's-elsewhere', givenName: 'Eve', familyName: 'Else' }]);
    await addStudents(c.courseId, [{ id: 't-colleague', givenName: 'Col', familyName: 'League' }], 'teacher');
    const groupId = groupIdFrom(await follow(c.agent, await c.post('', { name: 'Strict' })));

    const res = await c.post(`/${groupId}/members/add`, { userIds: ['s-abe', 's-elsewhere', 't-colleague'] });
    expect(res.status).toBe(400);
    expect(textOf(res.text)).toContain('2 of the selected people are not students of this course. Nothing was added');
    expect(res.text).toMatch(/value="s-abe" checked/); // the selection is kept
    expect(await memberIds(groupId)).toEqual([]);
    expect(other.courseId).not.toBe(c.courseId);

    const none = await c.post(`/${groupId}/members/add`, {});
    expect(none.status).toBe(400);
    expect(textOf(none.text)).toContain('Select at least one student.');
    const noneRemoved = await c.post(`/${groupId}/members/remove`, {});
    expect(noneRemoved.status).toBe(400);
  });
});

describe('deleting a group', () => {
  it('when the teacher confirms, then the group is gone and the students stay in the course', async () => {
    const c = await teacherCourse(h, 'g-delete', STUDENTS);
    const groupId = groupIdFrom(await follow(c.agent, await c.post('', { name: 'Doomed' })));
    await c.post(`/${groupId}/members/add`, { userIds: ['s-abe'] });

    const confirm = await c.agent.get(c.url(`/${groupId}/delete`));
    expect(confirm.status).toBe(200);
    expect(textOf(confirm.text)).toContain('Delete group Doomed?');
    expect(textOf(confirm.text)).toContain('The group has 1 student.');
    expect(await GroupModel.countDocuments({ _id: groupId })).toBe(1); // GET deletes nothing

    const list = await follow(c.agent, await c.post(`/${groupId}/delete`, {}));
    expect(textOf(list.text)).toContain('Group deleted.');
    expect(await GroupModel.countDocuments({ _id: groupId })).toBe(0);
    expect(await MemberModel.countDocuments({ courseId: c.courseId, userId: 's-abe', active: true })).toBe(1);
  });

  it('when a session is planned for the group, then deleting is refused with the reason and the count', async () => {
    const c = await teacherCourse(h, 'g-in-use');
    const groupId = groupIdFrom(await follow(c.agent, await c.post('', { name: 'Busy' })));
    const sessions = mongoose.connection.collection('attendance_sessions');
    await sessions.insertMany([
      { _id: `sess-${groupId}-1` as never, courseId: c.courseId, audience: { kind: 'group', groupId } },
      { _id: `sess-${groupId}-2` as never, courseId: c.courseId, audience: { kind: 'group', groupId } },
    ]);

    const confirm = await c.agent.get(c.url(`/${groupId}/delete`));
    expect(textOf(confirm.text)).toContain('This group cannot be deleted: 2 sessions are planned for it.');
    expect(confirm.text).not.toContain('>Delete group</button>');

    const res = await c.post(`/${groupId}/delete`, {});
    expect(res.status).toBe(409);
    expect(textOf(res.text)).toContain('This group cannot be deleted: 2 sessions are planned for it.');
    expect(await GroupModel.countDocuments({ _id: groupId })).toBe(1);
  });
});
