import { randomUUID } from 'node:crypto';
import supertest from 'supertest';
import { AttendanceRecordModel } from '../../../src/attendance/attendance-record.model';
import { saveSelfMarking } from '../../../src/check-in/self-marking.service';
import { DEFAULT_SELF_MARKING, SelfMarkingSettings } from '../../../src/check-in/settings';
import { AttendanceSessionModel } from '../../../src/sessions/attendance-session.model';
import { withLtik } from '../../../src/shared/links';
import type { TestHarness } from '../../support/tool';
import type { TakeCourse } from '../attendance/take-helpers';

/** What the projector test files share: sessions with self-marking, and the way a teacher opens the projector. */

/** 10:00:00 UTC is a slot boundary for every period dividing an hour; 3.2 s into a 15 s slot. */
export const LECTURE = new Date('2030-05-06T10:00:00Z');
export const DURING = new Date(LECTURE.getTime() + 5 * 60_000 + 3_200);

/** A projector link as the tool writes it: /projector/<43 base64url characters (256 bits)>. */
export const LINK_PATH = /^\/projector\/[A-Za-z0-9_-]{43}$/;

export const settings = (over: Partial<SelfMarkingSettings> = {}): SelfMarkingSettings => ({
  ...DEFAULT_SELF_MARKING, allowedCidrs: [], password: 'ACDEFG', enabled: true, showQr: true, rotateSeconds: 15, ...over,
});

export async function addSession(
  t: TakeCourse,
  opts: { startsAt?: Date; description?: string; audience?: { kind: 'all' | 'group'; groupId?: string }; selfMarking?: SelfMarkingSettings } = {},
): Promise<string> {
  const id = randomUUID();
  await AttendanceSessionModel.create({
    _id: id, courseId: t.courseId, activityId: t.activityId, startsAt: opts.startsAt ?? LECTURE, durationMinutes: 90,
    timezone: 'Europe/Riga', description: opts.description ?? 'Mechanics, lecture 3', audience: opts.audience ?? { kind: 'all' },
    statusSetId: `${t.activityId}-default`, createdBy: 'teacher',
  });
  if (opts.selfMarking) await saveSelfMarking(t.courseId, t.activityId, id, opts.selfMarking);
  return id;
}

export async function keysOf(id: string) {
  const doc = await AttendanceSessionModel.findById(id).lean();
  return { secret: Buffer.from(doc?.checkInSecret ?? '', 'base64'), publicId: doc?.publicId ?? '' };
}

export async function mark(t: TakeCourse, sessionId: string, userIds: string[], at: Date): Promise<void> {
  await AttendanceRecordModel.insertMany(userIds.map((userId) => ({
    courseId: t.courseId, activityId: t.activityId, sessionId, userId, statusSetId: `${t.activityId}-default`, statusId: t.status.P, source: 'self', selfRecordedAt: at,
  })));
}

/** The teacher's "Projector" link (the one the session list and the settings page show). */
export const teacherProjectorPath = (t: TakeCourse, id: string) => `/activity/${t.activityId}/teacher/sessions/${id}/projector`;
export const revokePath = (t: TakeCourse, id: string) => `${teacherProjectorPath(t, id)}/revoke`;

/** The teacher clicks "Projector": the tool answers 303 to the projector link. Returns the link's path. */
export async function openProjectorLink(t: TakeCourse, id: string): Promise<string> {
  const res = await t.agent.get(withLtik(teacherProjectorPath(t, id), t.ltik));
  if (res.status !== 303) throw new Error(`expected 303 from the teacher's projector link, got ${res.status}`);
  return String(res.headers.location);
}

/** The lecture hall's computer: a browser with no cookies and no launch, only the link. */
export const hall = (h: TestHarness) => supertest(h.tool.url);
export const getLinkPage = (h: TestHarness, path: string) => hall(h).get(path);
export const getLinkState = (h: TestHarness, path: string) => hall(h).get(`${path}/state`).set('Accept', 'application/json');
export const metaRefresh = (html: string) => /<meta http-equiv="refresh" content="(\d+)">/.exec(html)?.[1];
