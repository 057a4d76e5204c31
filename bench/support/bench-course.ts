/**
 * The bench's course: the teacher's launch, sessions opened through the teacher's self-marking
 * form (password, or rotating QR), and the check that a session holds exactly one self record
 * and one audit entry per student who checked in, nobody else.
 */
import { randomUUID } from 'node:crypto';
import { AttendanceRecordModel } from '../../src/attendance/attendance-record.model';
import { AuditEntryModel } from '../../src/attendance/audit-entry.model';
import { activityKey, courseKey } from '../../src/courses/keys';
import { AttendanceSessionModel } from '../../src/sessions/attendance-session.model';
import type { HttpClient } from './http-load';
import { Launcher, launchLean, StudentCredentials } from './lean-launch';

export const PASSWORD = 'KRTW47';
/** The projector's rotation for QR sessions (the tool's default), and its grace after a change. */
export const QR_ROTATE_SECONDS = 15;

export interface Course { courseId: string; activityId: string; teacher: StudentCredentials }

export async function launchCourse(l: Launcher, contextId: string, linkId: string): Promise<Course> {
  const teacher = await launchLean(l, 'bench-teacher', {
    role: 'Instructor', context: { id: contextId, label: 'BENCH', title: 'Bench course' }, resourceLink: { id: linkId, title: 'Attendance' },
    user: { id: 'bench-teacher', givenName: 'Bench', familyName: 'Teacher' },
  });
  const courseId = courseKey(l.lms.issuer, l.lms.clientId, contextId, linkId);
  return { courseId, activityId: activityKey(courseId, linkId), teacher };
}

export interface OpenedSession { id: string; qr?: { publicId: string; secret: Buffer } }

/**
 * A session that started a minute ago, self-marking switched on through the teacher's settings
 * form: password with automatic status, or a rotating QR (the form makes its secret and public id).
 */
export async function openSession(client: HttpClient, course: Course, kind: 'password' | 'qr', description = 'Bench lecture'): Promise<OpenedSession> {
  const id = randomUUID();
  await AttendanceSessionModel.create({
    _id: id, courseId: course.courseId, activityId: course.activityId, startsAt: new Date(Date.now() - 60_000), durationMinutes: 90,
    timezone: 'Europe/Riga', description, audience: { kind: 'all' }, statusSetId: `${course.activityId}-default`, createdBy: 'bench-teacher',
  });
  const fields: Record<string, string> = {
    ltik: course.teacher.ltik, enabled: '1', password: PASSWORD, statusMode: 'auto', lateAfterMinutes: '10', opensMinutesBefore: '0',
    allowedCidrs: '', graceSeconds: '5', action: 'save',
    ...(kind === 'qr' ? { mode: 'rotating_qr', showQr: '1', rotateSeconds: String(QR_ROTATE_SECONDS), oneDevicePerStudent: '1' } : { rotateSeconds: '0' }),
  };
  const res = await client.request('POST', `/activity/${course.activityId}/teacher/sessions/${id}/self-marking`,
    { cookie: course.teacher.cookie, 'content-type': 'application/x-www-form-urlencoded' }, new URLSearchParams(fields).toString());
  if (res.status !== 303) throw new Error(`self-marking settings answered ${res.status}: ${res.body.replace(/\s+/g, ' ').slice(0, 300)}`);
  if (kind === 'password') return { id };
  const stored = await AttendanceSessionModel.findById(id, { publicId: 1, checkInSecret: 1, selfMarking: 1 }).lean<{ publicId?: string; checkInSecret?: string; selfMarking?: { showQr?: boolean; rotateSeconds?: number } }>();
  if (!stored?.publicId || !stored.checkInSecret || stored.selfMarking?.showQr !== true || stored.selfMarking.rotateSeconds !== QR_ROTATE_SECONDS) {
    throw new Error('the QR session was not stored with a public id, a secret and rotation');
  }
  return { id, qr: { publicId: stored.publicId, secret: Buffer.from(stored.checkInSecret, 'base64') } };
}

export interface Verification { ok: boolean; text: string }

/** Exactly one self record per student, nobody else, one audit entry each (and, for QR, a device on each). */
export async function verify(sessionId: string, students: readonly StudentCredentials[], opts: { withDevice?: boolean } = {}): Promise<Verification> {
  const records = await AttendanceRecordModel.find({ sessionId }, { userId: 1, source: 1, deviceId: 1 }).lean<Array<{ userId: string; source?: string; deviceId?: string }>>();
  const ids = new Set(records.map((r) => r.userId));
  const expected = new Set(students.map((c) => c.userId));
  const strangers = [...ids].filter((id) => !expected.has(id)).length;
  const notSelf = records.filter((r) => r.source !== 'self').length;
  const noDevice = opts.withDevice ? records.filter((r) => !r.deviceId).length : 0;
  const audit = await AuditEntryModel.countDocuments({ sessionId });
  const ok = records.length === students.length && ids.size === students.length && strangers === 0 && notSelf === 0 && noDevice === 0 && audit === students.length;
  const device = opts.withDevice ? `, without device ${noDevice}` : '';
  return { ok, text: `records ${records.length}, distinct students ${ids.size}, duplicates ${records.length - ids.size}, strangers ${strangers}, not self ${notSelf}${device}, audit entries ${audit}` };
}
