import { ActivityModel } from '../../../src/courses/activity.model';
import { CourseModel } from '../../../src/courses/course.model';
import { activityKey, courseKey } from '../../../src/courses/keys';
import { MemberModel } from '../../../src/roster/member.model';
import { StatusSetModel } from '../../../src/status-sets/status-set.model';
import { startHarness, TestHarness } from '../../support/tool';

/**
 * A class opening the activity at once used to rewrite the same course and activity documents
 * once per student (src/courses/launch.service.ts): an instance now skips a rewrite with the
 * values it wrote less than a minute ago, and writes any change at once.
 */
let h: TestHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('launch writes', () => {
  const context = { id: 'rewrites-course', title: 'Physics 1' };
  const ids = () => {
    const courseId = courseKey(h.lms.issuer, h.lms.clientId, context.id, 'rewrites-link');
    return { courseId, activityId: activityKey(courseId, 'rewrites-link') };
  };

  it('when students launch with the values just written, then the course and activity are not rewritten, but each member is', async () => {
    expect((await h.lms.launch({ role: 'Instructor', context, resourceLink: { id: 'rewrites-link', title: 'Lectures' } })).status).toBe(200);
    const { courseId, activityId } = ids();
    const before = await ActivityModel.findById(activityId).lean();
    const courseBefore = await CourseModel.findById(courseId).lean();
    await new Promise((r) => setTimeout(r, 20));
    expect((await h.lms.launch({ role: 'Learner', context, resourceLink: { id: 'rewrites-link', title: 'Lectures' }, user: { id: 'rw-1' } })).status).toBe(200);
    expect((await ActivityModel.findById(activityId).lean())?.lastLaunchAt).toEqual(before?.lastLaunchAt);
    expect((await CourseModel.findById(courseId).lean())?.lastLaunchAt).toEqual(courseBefore?.lastLaunchAt);
    expect(await MemberModel.findOne({ courseId, userId: 'rw-1' }).lean()).toMatchObject({ role: 'student', active: true });
  });

  it('when a launch brings a changed value, then it is written at once', async () => {
    const { courseId, activityId } = ids();
    expect((await h.lms.launch({ role: 'Learner', context: { ...context, title: 'Physics 1 (renamed)' }, resourceLink: { id: 'rewrites-link', title: 'Lectures and labs' }, user: { id: 'rw-2' } })).status).toBe(200);
    expect((await ActivityModel.findById(activityId).lean())?.title).toBe('Lectures and labs');
    expect((await CourseModel.findById(courseId).lean())?.title).toBe('Physics 1 (renamed)');
  });

  it('when only students have launched a new activity, then no status set is seeded until a teacher launches', async () => {
    const link = { id: 'rewrites-students-first', title: 'Seminar' };
    expect((await h.lms.launch({ role: 'Learner', context, resourceLink: link, user: { id: 'rw-3' } })).status).toBe(200);
    const activityId = activityKey(ids().courseId, link.id);
    expect(await StatusSetModel.countDocuments({ activityId })).toBe(0);
    expect((await h.lms.launch({ role: 'Instructor', context, resourceLink: link })).status).toBe(200);
    expect(await StatusSetModel.countDocuments({ activityId })).toBe(1);
  });
});
