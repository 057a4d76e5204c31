import { AttendanceRecordModel } from '../attendance/attendance-record.model';
import { calendarFeedState, CalendarFeedState } from './calendar-feed.service';
import { loadReport, LoadedReport } from './report-data.service';

/**
 * The student's own attendance: the teacher report restricted to this one student (so points and
 * percentage follow exactly the report's rule), plus who set each of their records, which the
 * report leaves out. Every query carries the student's own user id.
 */

export type RecordHint = 'self' | 'auto';

export interface StudentAttendance {
  loaded: LoadedReport;
  /** sessionId → how the student's record was made, when it was not simply the teacher's mark. */
  hints: Map<string, RecordHint>;
}

export interface StudentHome {
  attendance: StudentAttendance;
  calendar: CalendarFeedState;
}

type SourceLean = { sessionId: string; source?: string; selfRecordedAt?: Date };

export async function loadStudentAttendance(courseId: string, activityId: string, userId: string, now: Date): Promise<StudentAttendance> {
  const [loaded, sources] = await Promise.all([
    loadReport(courseId, activityId, { userIds: [userId], includeInactive: true }, now),
    AttendanceRecordModel.find({ courseId, activityId, userId }, { _id: 0, sessionId: 1, source: 1, selfRecordedAt: 1 }).lean<SourceLean[]>(),
  ]);
  const hints = new Map<string, RecordHint>();
  for (const r of sources) {
    if (r.source === 'auto') hints.set(r.sessionId, 'auto');
    else if (r.source === 'self' || r.selfRecordedAt) hints.set(r.sessionId, 'self');
  }
  return { loaded, hints };
}

export async function loadStudentHome(
  courseId: string, activityId: string, userId: string, now: Date, feed: { signingKey: Buffer; publicUrl: string },
): Promise<StudentHome> {
  const [attendance, calendar] = await Promise.all([
    loadStudentAttendance(courseId, activityId, userId, now),
    calendarFeedState(courseId, activityId, userId, feed.signingKey, feed.publicUrl),
  ]);
  return { attendance, calendar };
}
