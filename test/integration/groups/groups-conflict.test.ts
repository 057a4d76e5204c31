import { GroupModel } from '../../../src/groups/group.model';
import { startHarness, TestHarness } from '../../support/tool';
import { hiddenValue } from '../sessions/helpers';
import { follow, Student, teacherCourse, textOf } from './groups-support';

/**
 * Two tabs on one group's page. Membership changes merge (each form adds or removes exactly what
 * it names, so another tab's additions and removals survive) and say so; a rename from a stale
 * page is refused with a conflict page (409).
 */
let h: TestHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

/** s-1 Anna Ozola, s-2 Ben Kalns (ben@example.com), s-3 Cara Liepa. */
const STUDENTS: Student[] = [['Anna', 'Ozola'], ['Ben', 'Kalns'], ['Cara', 'Liepa']].map(([givenName = '', familyName = ''], i) => ({
  id: `s-${i + 1}`, givenName, familyName, email: `${givenName.toLowerCase()}@example.com`,
}));
const members = async (id: string) => [...((await GroupModel.findById(id).lean())?.memberIds ?? [])].sort();

/** A group written before versions existed, and two tabs on its page. */
async function twoTabs(context: string, memberIds: string[] = []) {
  const a = await teacherCourse(h, context, STUDENTS);
  const id = `${context}-g`;
  await GroupModel.create({ _id: id, courseId: a.courseId, name: 'Lab A', nameKey: 'lab a', memberIds });
  const pageA = await a.agent.get(a.url(`/${id}`));
  const pageB = await a.agent.get(a.url(`/${id}`));
  return { a, id, pageA: pageA.text, pageB: pageB.text };
}

describe('membership from two tabs', () => {
  it('when B adds a student after A opened the page, then A\'s addition keeps B\'s, and A is told the lists were merged', async () => {
    const { a, id, pageA, pageB } = await twoTabs('gc-add');
    await follow(a.agent, await a.post(`/${id}/members/add`, { userIds: ['s-1'], membersVersion: hiddenValue(pageB, 'membersVersion') }));
    const res = await follow(a.agent, await a.post(`/${id}/members/add`, { userIds: ['s-2'], membersVersion: hiddenValue(pageA, 'membersVersion') }));
    expect(await members(id)).toEqual(['s-1', 's-2']);
    expect(textOf(res.text)).toContain('1 student added to the group.');
    expect(textOf(res.text)).toContain('changed in another tab or by another teacher after you opened this page');
  });

  it('when B removes a student after A opened the page, then A\'s stale removal of another does not bring B\'s back', async () => {
    const { a, id, pageA, pageB } = await twoTabs('gc-remove', ['s-1', 's-2', 's-3']);
    await follow(a.agent, await a.post(`/${id}/members/remove`, { userIds: ['s-1'], membersVersion: hiddenValue(pageB, 'membersVersion') }));
    const res = await follow(a.agent, await a.post(`/${id}/members/remove`, { userIds: ['s-3'], membersVersion: hiddenValue(pageA, 'membersVersion') }));
    expect(await members(id)).toEqual(['s-2']);
    expect(textOf(res.text)).toContain('changed in another tab or by another teacher after you opened this page');
  });

  it('when a CSV is imported from a stale page, then it adds to the current members and says so', async () => {
    const { a, id, pageA, pageB } = await twoTabs('gc-csv');
    await follow(a.agent, await a.post(`/${id}/members/add`, { userIds: ['s-1'], membersVersion: hiddenValue(pageB, 'membersVersion') }));
    const res = await a.post(`/${id}/import`, { csv: 'ben@example.com\n', membersVersion: hiddenValue(pageA, 'membersVersion') });
    expect(res.status).toBe(200);
    expect(await members(id)).toEqual(['s-1', 's-2']);
    expect(textOf(res.text)).toContain('changed in another tab or by another teacher after you opened this page');
  });

  it('when nobody else changed the group, then adding says nothing about merging and the version moves on', async () => {
    const { a, id, pageA } = await twoTabs('gc-alone');
    expect((await GroupModel.findById(id).lean())?.membersVersion).toBeUndefined();
    const res = await follow(a.agent, await a.post(`/${id}/members/add`, { userIds: ['s-1'], membersVersion: hiddenValue(pageA, 'membersVersion') }));
    expect(textOf(res.text)).not.toContain('after you opened this page');
    expect(hiddenValue(res.text, 'membersVersion')).toBe('1');
    expect(hiddenValue(pageA, 'membersVersion')).toBe('0');
  });
});

describe('renaming from two tabs', () => {
  it('when B renamed the group after A opened the page, then A\'s rename is refused (409) with both names, nothing is written, and "keep mine" saves', async () => {
    const { a, id, pageA, pageB } = await twoTabs('gc-rename');
    expect((await a.post(`/${id}/rename`, { name: 'Lab B', version: hiddenValue(pageB, 'version') })).status).toBe(303);
    const conflict = await a.post(`/${id}/rename`, { name: 'Lab C', version: hiddenValue(pageA, 'version') });
    expect(conflict.status).toBe(409);
    const text = textOf(conflict.text);
    expect(text).toContain('Someone else saved a change while you were editing');
    expect(text).toMatch(/Group name differs Lab B Lab C/);
    expect((await GroupModel.findById(id).lean())?.name).toBe('Lab B');
    expect(hiddenValue(pageA, 'version')).toBe('0');

    expect(conflict.text).toContain('value="Lab C"');
    const version = hiddenValue(conflict.text, 'version');
    expect(version).toBe('1');
    expect((await a.post(`/${id}/rename`, { name: 'Lab C', version })).status).toBe(303);
    expect(await GroupModel.findById(id).lean()).toMatchObject({ name: 'Lab C', version: 2 });
  });

  it('when members were added meanwhile, then a rename is not a conflict (the name is versioned on its own)', async () => {
    const { a, id, pageA } = await twoTabs('gc-rename-members');
    await follow(a.agent, await a.post(`/${id}/members/add`, { userIds: ['s-1'], membersVersion: '0' }));
    expect((await a.post(`/${id}/rename`, { name: 'Lab Z', version: hiddenValue(pageA, 'version') })).status).toBe(303);
    expect(await GroupModel.findById(id).lean()).toMatchObject({ name: 'Lab Z', memberIds: ['s-1'] });
  });
});
