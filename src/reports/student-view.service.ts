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

export async function loadStudentAttendance(courseId: string, activityId: string, userId: string, now: Date): Promise<StudentAttendance> {
  const loaded = await loadReport(courseId, activityId, { userIds: [userId], includeInactive: true }, now);
  // The report's cells already say how each record was made (their origin): no second read.
  const hints = new Map<string, RecordHint>();
  const row = loaded.report.rows.find((r) => r.student.userId === userId);
  row?.cells.forEach((cell, i) => {
    const sessionId = loaded.report.sessions[i]?.id;
    if (sessionId && cell.origin) hints.set(sessionId, cell.origin);
  });
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
