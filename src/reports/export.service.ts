import { ActivityModel } from '../courses/activity.model';
import { CourseModel } from '../courses/course.model';
import { GroupModel } from '../groups/group.model';
import { MemberModel } from '../roster/member.model';
import { Refusal } from '../shared/errors';

/**
 * What the export form offers and checks against: the course's groups and active students
 * (the report's own population), and the names the file is called after. Four small queries,
 * scoped by (courseId, activityId); the numbers themselves come from loadReport().
 */

export interface ExportStudentChoice {
  userId: string;
  givenName: string;
  familyName: string;
  /** The name as one string (all Open edX sends). */
  name: string;
  email?: string;
}

export interface ExportChoices {
  /** The course's short label (e.g. ATT101), else its title: the first part of the file name. */
  courseName: string;
  activityTitle: string;
  timezone: string;
  groups: Array<{ id: string; name: string }>;
  students: ExportStudentChoice[];
}

type MemberLean = { userId: string; givenName?: string; familyName?: string; name?: string; email?: string };

export async function loadExportChoices(courseId: string, activityId: string): Promise<ExportChoices> {
  const [course, activity, groups, members] = await Promise.all([
    CourseModel.findOne({ _id: courseId }, { title: 1, label: 1 }).lean<{ title?: string; label?: string }>(),
    ActivityModel.findOne({ _id: activityId, courseId }, { title: 1, timezone: 1 }).lean<{ title?: string; timezone: string }>(),
    GroupModel.find({ courseId }, { name: 1 }).lean<Array<{ _id: string; name: string }>>(),
    MemberModel.find({ courseId, role: 'student', active: true }, { userId: 1, givenName: 1, familyName: 1, name: 1, email: 1 }).lean<MemberLean[]>(),
  ]);
  if (!activity) throw new Refusal('not_found', 'ACTIVITY_NOT_FOUND');
  return {
    courseName: course?.label || course?.title || '',
    activityTitle: activity.title ?? '',
    timezone: activity.timezone,
    groups: groups.map((g) => ({ id: g._id, name: g.name })),
    students: members.map((m) => ({ userId: m.userId, givenName: m.givenName ?? '', familyName: m.familyName ?? '', name: m.name ?? '', email: m.email ?? undefined })),
  };
}
