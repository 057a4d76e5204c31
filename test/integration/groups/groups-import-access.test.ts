import { GroupModel } from '../../../src/groups/group.model';
import { finalPath, startHarness, TestHarness } from '../../support/tool';
import { follow, formBody, groupIdFrom, Student, teacherCourse, textOf } from './groups-support';

let h: TestHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const STUDENTS: Student[] = [
  { id: 'lms-101', givenName: 'Anna', familyName: 'Bērziņa', email: 'Anna.Berzina@Example.com', username: 'aberzina' },
  { id: 'lms-102', givenName: 'Jānis', familyName: 'Kalns', email: 'janis@example.com', username: 'jkalns' },
  { id: 'lms-103', givenName: 'Pēteris', familyName: 'Ozols', email: 'peteris@example.com', username: 'pozols' },
  { id: 'lms-104', givenName: 'Ilze', familyName: 'Liepa', email: 'ilze@example.com', username: 'iliepa' },
];

const memberIds = async (groupId: string) => [...((await GroupModel.findById(groupId).lean())?.memberIds ?? [])].sort();

describe('importing memberships from CSV', () => {
  it('when a CSV with a header is imported, then email (any case), username and id rows are added and the rest are listed', async () => {
    const c = await teacherCourse(h, 'imp-header', STUDENTS);
    const groupId = groupIdFrom(await follow(c.agent, await c.post('', { name: 'Imported' })));
    await c.post(`/${groupId}/members/add`, { userIds: 'lms-104' });

    const csv = '\uFEFFName;E-mail;Username;LMS ID\r\n' +
      'Anna;ANNA.BERZINA@example.com;;\r\n' +
      'Jānis;;jkalns;\r\n' +
      '"Ozols; Pēteris";;;lms-103\r\n' +
      'Ilze;ilze@example.com;;\r\n' +
      'Ghost;ghost@example.com;;\r\n' +
      '\r\n' +
      'Anna again;anna.berzina@example.com;;\r\n' +
      'Nobody;;nobody;\r\n';
    const res = await c.post(`/${groupId}/import`, { csv });
    expect(res.status).toBe(200);
    const text = textOf(res.text);
    expect(text).toContain('Import finished');
    expect(text).toContain('3 added, 1 already in the group, 2 rows matched nothing:');
    expect(text).toMatch(/Line Value 6 ghost@example.com 9 nobody/);
    expect(await memberIds(groupId)).toEqual(['lms-101', 'lms-102', 'lms-103', 'lms-104']);
    expect(text).toContain('Students in this group (4)');
  });

  it('when a plain list without a header is imported, then the first cell of each line is matched against every identifier', async () => {
    const c = await teacherCourse(h, 'imp-plain', STUDENTS);
    const groupId = groupIdFrom(await follow(c.agent, await c.post('', { name: 'Plain' })));
    const res = await c.post(`/${groupId}/import`, { csv: 'lms-102\npozols\nILZE@example.com\nAberzina\n' });
    expect(textOf(res.text)).toContain('3 added, 0 already in the group, 1 row matched nothing:');
    expect(textOf(res.text)).toMatch(/Line Value 4 Aberzina/);
    expect(await memberIds(groupId)).toEqual(['lms-102', 'lms-103', 'lms-104']);
  });

  it('when the list is empty or too long, then the form explains it, keeps the text and adds nobody', async () => {
    const c = await teacherCourse(h, 'imp-bad', STUDENTS);
    const groupId = groupIdFrom(await follow(c.agent, await c.post('', { name: 'Bad' })));
    const empty = await c.post(`/${groupId}/import`, { csv: '  \n ' });
    expect(empty.status).toBe(400);
    expect(textOf(empty.text)).toContain('This field is required.');

    const csv = ['janis@example.com', ...Array.from({ length: 5000 }, (_, i) => `x${i}`)].join('\n');
    const tooMany = await c.post(`/${groupId}/import`, { csv });
    expect(tooMany.status).toBe(400);
    expect(textOf(tooMany.text)).toContain('The list has 5001 rows; at most 5000 can be imported at once.');
    expect(tooMany.text).toContain('janis@example.com\nx0\nx1\n');
    expect(await memberIds(groupId)).toEqual([]);
  });

  it('when students of another course are in the list, then they match nothing', async () => {
    const c = await teacherCourse(h, 'imp-scope', STUDENTS.slice(0, 1));
    await teacherCourse(h, 'imp-scope-other', [{ id: 'lms-900', givenName: 'Out', familyName: 'Sider', email: 'out@example.com' }]);
    const groupId = groupIdFrom(await follow(c.agent, await c.post('', { name: 'Scoped' })));
    const res = await c.post(`/${groupId}/import`, { csv: 'out@example.com\nlms-900\naberzina' });
    expect(textOf(res.text)).toContain('1 added, 0 already in the group, 2 rows matched nothing:');
    expect(await memberIds(groupId)).toEqual(['lms-101']);
  });
});

describe('who may manage groups', () => {
  it('when a student opens or posts to the groups pages, then it is refused with 403 and nothing changes', async () => {
    const c = await teacherCourse(h, 'acc-student', STUDENTS);
    const groupId = groupIdFrom(await follow(c.agent, await c.post('', { name: 'Private' })));
    const s = await h.lms.launch({
      role: 'Learner', context: { id: 'acc-student' }, resourceLink: { id: 'rl1' },
      user: { id: 'lms-101', givenName: 'Anna', familyName: 'Bērziņa', email: 'Anna.Berzina@Example.com' },
    });
    expect(finalPath(s.res)).toContain(`/activity/${c.activityId}/student`);
    const ltik = s.ltik ?? '';
    const q = `?ltik=${encodeURIComponent(ltik)}`;

    for (const path of [c.base, `${c.base}/${groupId}`, `${c.base}/${groupId}/delete`]) {
      const res = await s.agent.get(path + q);
      expect(res.status).toBe(403);
      expect(res.text).not.toContain('Private');
    }
    const posts: Array<[string, Record<string, string | string[]>]> = [
      ['', { name: 'Hijack' }],
      [`/${groupId}/rename`, { name: 'Renamed by student' }],
      [`/${groupId}/members/add`, { userIds: ['lms-101'] }],
      [`/${groupId}/import`, { csv: 'lms-101' }],
      [`/${groupId}/delete`, {}],
    ];
    for (const [rest, fields] of posts) {
      const res = await s.agent.post(`${c.base}${rest}`).type('form').send(formBody({ ltik, ...fields }));
      expect(res.status).toBe(403);
    }
    expect(await GroupModel.find({ courseId: c.courseId }).lean()).toMatchObject([{ _id: groupId, name: 'Private', memberIds: [] }]);
  });

  it("when a teacher uses another course's group id, then every page and action answers 404 and that group is untouched", async () => {
    const b = await teacherCourse(h, 'acc-course-b', STUDENTS);
    const bGroupId = groupIdFrom(await follow(b.agent, await b.post('', { name: 'B only' })));
    const a = await teacherCourse(h, 'acc-course-a', STUDENTS);

    for (const rest of [`/${bGroupId}`, `/${bGroupId}/delete`]) {
      const res = await a.agent.get(a.url(rest));
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('B only');
    }
    const posts: Array<[string, Record<string, string | string[]>]> = [
      [`/${bGroupId}/rename`, { name: 'Stolen' }],
      [`/${bGroupId}/members/add`, { userIds: ['lms-101'] }],
      [`/${bGroupId}/members/remove`, { userIds: ['lms-101'] }],
      [`/${bGroupId}/import`, { csv: 'lms-101' }],
      [`/${bGroupId}/delete`, {}],
    ];
    for (const [rest, fields] of posts) expect((await a.post(rest, fields)).status).toBe(404);
    expect(await GroupModel.findById(bGroupId).lean()).toMatchObject({ courseId: b.courseId, name: 'B only', memberIds: [] });

    const aList = await a.agent.get(a.url());
    expect(aList.text).not.toContain('B only');
  });

  it('when the launch is in Latvian, then the groups page is in Latvian', async () => {
    const r = await h.lms.launch({ role: 'Instructor', locale: 'lv', context: { id: 'acc-lv' }, resourceLink: { id: 'rl1' }, user: { id: 'lv-teacher' } });
    const base = finalPath(r.res).replace(/\?.*$/, '');
    const res = await r.agent.get(`${base}/groups?ltik=${encodeURIComponent(r.ltik ?? '')}`);
    expect(res.status).toBe(200);
    expect(textOf(res.text)).toContain('Izveidot grupu');
    expect(textOf(res.text)).toContain('Grupu vēl nav.');
  });
});
