import { randomUUID } from 'node:crypto';
import { AttendanceSessionModel } from '../../../src/sessions/attendance-session.model';
import type { TakeCourse } from '../attendance/take-helpers';

/** The check-in password of openPasswordSession's sessions. */
export const PASSWORD = 'ACDEFG';

export const checkInPath = (t: Pick<TakeCourse, 'activityId'>, sessionId: string) => `/activity/${t.activityId}/student/sessions/${sessionId}/check-in`;

/**
 * A session that started 5 minutes ago (90 minutes long), with password check-in switched on
 * through the teacher's settings form (automatic status). Returns its id.
 */
export async function openPasswordSession(t: Pick<TakeCourse, 'agent' | 'ltik' | 'courseId' | 'activityId'>, description = 'Lecture'): Promise<string> {
  const id = randomUUID();
  await AttendanceSessionModel.create({
    _id: id, courseId: t.courseId, activityId: t.activityId, startsAt: new Date(Date.now() - 5 * 60_000), durationMinutes: 90,
    timezone: 'Europe/Riga', description, audience: { kind: 'all' }, statusSetId: `${t.activityId}-default`, createdBy: 'teacher',
  });
  const res = await t.agent.post(`/activity/${t.activityId}/teacher/sessions/${id}/self-marking`).type('form').send({
    ltik: t.ltik, enabled: '1', password: PASSWORD, statusMode: 'auto', lateAfterMinutes: '10', opensMinutesBefore: '0',
    allowedCidrs: '', rotateSeconds: '15', graceSeconds: '5', action: 'save',
  });
  if (res.status !== 303) throw new Error(`saving the self-marking settings answered ${res.status}`);
  return id;
}
