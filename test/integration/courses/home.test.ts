import { randomUUID } from 'node:crypto';
import { activityKey, courseKey } from '../../../src/courses/keys';
import { GroupModel } from '../../../src/groups/group.model';
import { AttendanceSessionModel } from '../../../src/sessions/attendance-session.model';
import { startHarness, TestHarness } from '../../support/tool';

let h: TestHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const DAY = 24 * 3600 * 1000;

async function addSession(courseId: string, activityId: string, startsAt: Date, audience: { kind: 'all' | 'group'; groupId?: string }, description: string) {
  await AttendanceSessionModel.create({
    _id: randomUUID(), courseId, activityId, startsAt, durationMinutes: 90, timezone: 'Europe/Riga', description,
    audience, statusSetId: `${activityId}-default`, createdBy: 'teacher-1',
  });
}

describe('home pages once sessions exist', () => {
  it('when no session exists, then the teacher home offers to add one or a series', async () => {
    const r = await h.lms.launch({ role: 'Instructor', context: { id: 'home-empty' } });
    expect(r.res.text).toContain('No class meetings yet');
    expect(r.res.text).toMatch(/href="\/activity\/[^/]+\/teacher\/sessions\/new\?ltik=[^"]+">Add a session</);
    expect(r.res.text).toMatch(/href="\/activity\/[^/]+\/teacher\/sessions\/series\?ltik=/);
  });

  it('when sessions exist, then the teacher sees the next one in the activity time zone and the counts', async () => {
    const contextId = 'home-full';
    const courseId = courseKey(h.lms.issuer, h.lms.clientId, contextId, 'rl-1');
    const activityId = activityKey(courseId, 'rl-1');
    await addSession(courseId, activityId, new Date(Date.now() - 7 * DAY), { kind: 'all' }, 'Past lecture');
    await addSession(courseId, activityId, new Date('2099-03-02T08:00:00Z'), { kind: 'all' }, 'Intro lecture');
    await addSession(courseId, activityId, new Date('2099-03-09T08:00:00Z'), { kind: 'all' }, 'Second lecture');
    const r = await h.lms.launch({ role: 'Instructor', context: { id: contextId } });
    expect(r.res.text).toContain('Next session: Mon, 2 Mar 2099, 10:00–11:30');
    expect(r.res.text).toContain('Intro lecture');
    expect(r.res.text).toContain('3 sessions planned, 2 still to come.');
    expect(r.res.text).not.toContain('No class meetings yet');
  });

  it("when a student opens the activity, then they see upcoming sessions for everyone and their own groups only", async () => {
    const contextId = 'home-student';
    const courseId = courseKey(h.lms.issuer, h.lms.clientId, contextId, 'rl-1');
    const activityId = activityKey(courseId, 'rl-1');
    await GroupModel.create({ _id: 'g-mine', courseId, name: 'Lab A', nameKey: 'lab a', memberIds: ['stud-home'] });
    await GroupModel.create({ _id: 'g-other', courseId, name: 'Lab B', nameKey: 'lab b', memberIds: ['someone-else'] });
    await addSession(courseId, activityId, new Date('2099-05-04T08:00:00Z'), { kind: 'all' }, 'Lecture for all');
    await addSession(courseId, activityId, new Date('2099-05-05T08:00:00Z'), { kind: 'group', groupId: 'g-mine' }, 'My lab');
    await addSession(courseId, activityId, new Date('2099-05-06T08:00:00Z'), { kind: 'group', groupId: 'g-other' }, 'Other lab');
    const r = await h.lms.launch({ role: 'Learner', context: { id: contextId }, user: { id: 'stud-home' }, locale: 'lv' });
    expect(r.res.text).toContain('Gaidāmās nodarbības');
    expect(r.res.text).toContain('Lecture for all');
    expect(r.res.text).toContain('My lab');
    expect(r.res.text).not.toContain('Other lab');
  });
});
