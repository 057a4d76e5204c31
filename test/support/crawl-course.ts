import { randomUUID } from 'node:crypto';
import { AttendanceRecordModel } from '../../src/attendance/attendance-record.model';
import { saveSelfMarking } from '../../src/check-in/self-marking.service';
import { DEFAULT_SELF_MARKING } from '../../src/check-in/settings';
import { activityKey, courseKey } from '../../src/courses/keys';
import { GroupModel } from '../../src/groups/group.model';
import { MemberModel } from '../../src/roster/member.model';
import { AttendanceSessionModel } from '../../src/sessions/attendance-session.model';
import type { TestHarness } from './tool';

/** Which session a seeded mark is in (see seedCrawlCourse). */
export type SeededSession = 'past' | 'lab' | 'open' | 'future';

export interface CrawlCourse {
  students: ReadonlyArray<readonly [userId: string, givenName: string, familyName: string]>;
  email: (userId: string) => string;
  group: { name: string; memberIds: string[] };
  /** Descriptions of the four sessions: a week ago, a group lab 3 days ago, running now (self-marking on), in a week. */
  descriptions: Record<SeededSession, string>;
  marks: ReadonlyArray<readonly [session: SeededSession, userId: string, acronym: 'P' | 'L' | 'E' | 'A']>;
  createdBy: string;
}

/**
 * A course where every page has something to show (the browser tests that visit every page:
 * crawl.test.ts): students, a group, past, running and future sessions, marks.
 */
export async function seedCrawlCourse(h: TestHarness, contextId: string, c: CrawlCourse): Promise<void> {
  const courseId = courseKey(h.lms.issuer, h.lms.clientId, contextId, 'rl1');
  const activityId = activityKey(courseId, 'rl1');
  await MemberModel.insertMany(c.students.map(([userId, givenName, familyName]) => ({
    courseId, userId, givenName, familyName, name: `${givenName} ${familyName}`, email: c.email(userId), role: 'student', active: true, ltiRoles: ['Learner'],
  })));
  const groupId = randomUUID();
  await GroupModel.create({ _id: groupId, courseId, name: c.group.name, nameKey: c.group.name.toLowerCase(), memberIds: c.group.memberIds });
  const day = 24 * 3600_000;
  const plan: Record<SeededSession, { at: number; audience: object }> = {
    past: { at: Date.now() - 7 * day, audience: { kind: 'all' } },
    lab: { at: Date.now() - 3 * day, audience: { kind: 'group', groupId } },
    open: { at: Date.now() - 5 * 60_000, audience: { kind: 'all' } },
    future: { at: Date.now() + 7 * day, audience: { kind: 'all' } },
  };
  const ids = Object.fromEntries(Object.keys(plan).map((k) => [k, randomUUID()])) as Record<SeededSession, string>;
  await AttendanceSessionModel.insertMany((Object.keys(plan) as SeededSession[]).map((k) => ({
    _id: ids[k], courseId, activityId, startsAt: new Date(plan[k].at), durationMinutes: 90, timezone: 'Europe/Riga',
    description: c.descriptions[k], audience: plan[k].audience, statusSetId: `${activityId}-default`, createdBy: c.createdBy,
  })));
  await saveSelfMarking(courseId, activityId, ids.open, { ...DEFAULT_SELF_MARKING, allowedCidrs: [], password: 'ACDEFG', enabled: true });
  await AttendanceRecordModel.insertMany(c.marks.map(([session, userId, a]) => ({
    courseId, activityId, sessionId: ids[session], userId, statusSetId: `${activityId}-default`, statusId: `${activityId}-default-${a}`, remark: '', source: 'teacher',
  })));
}
