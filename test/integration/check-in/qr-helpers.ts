import { randomBytes, randomUUID } from 'node:crypto';
import supertest from 'supertest';
import { AttendanceRecordModel } from '../../../src/attendance/attendance-record.model';
import { qrToken, slotOf } from '../../../src/check-in/rotating-code';
import { AttendanceSessionModel } from '../../../src/sessions/attendance-session.model';
import { withLtik } from '../../../src/shared/links';
import { startHarness, TestHarness } from '../../support/tool';
import type { TakeCourse } from '../attendance/take-helpers';

/**
 * Shared by the QR flow's integration tests. Phones are cookie agents of their own (no LMS
 * cookies); students launch through the mock LMS on separate agents, as the LMS app or browser
 * on that phone would. The tool's clock is the suite's `clock`, which tests move.
 */

export const START = new Date('2026-11-30T08:00:00Z');
export const at = (minutes: number, seconds = 0) => new Date(START.getTime() + minutes * 60_000 + seconds * 1000);

export interface QrSessionSeed { id: string; publicId: string; secret: Buffer }
export interface StudentLaunch { agent: supertest.Agent; ltik: string }

export interface QrSuite {
  readonly h: TestHarness;
  clock: Date;
  addQrSession(t: TakeCourse, selfMarking?: Record<string, unknown>, startsAt?: Date): Promise<QrSessionSeed>;
  /** The projector's QR token now (or `slotsBack` rotations ago). */
  codeNow(s: QrSessionSeed, slotsBack?: number): string;
  /** A new phone: its own cookie jar, from the suite's one client address. */
  phone(): supertest.Agent;
  student(contextId: string, userId: string): Promise<StudentLaunch>;
  /** The student home's "Complete check-in" link (a top-level path with a signed ticket). */
  completeLink(t: TakeCourse, s: StudentLaunch): Promise<string>;
}

/** Starts the tool for one test file (beforeAll/afterAll) with a movable clock. */
export function qrSuite(env: Record<string, string> = {}): QrSuite {
  let harness: TestHarness | undefined;
  const suite: QrSuite = {
    get h() {
      if (!harness) throw new Error('qrSuite: the harness is not started yet');
      return harness;
    },
    clock: START,
    addQrSession: (t, selfMarking = {}, startsAt = START) => addQrSession(t, selfMarking, startsAt),
    codeNow: (s, slotsBack = 0) => qrToken(s.secret, s.id, slotOf(suite.clock.getTime(), 15) - slotsBack),
    phone: () => supertest.agent(suite.h.tool.url),
    student: async (contextId, userId) => {
      const r = await suite.h.lms.launch({ role: 'Learner', context: { id: contextId }, resourceLink: { id: 'rl1' }, user: { id: userId, givenName: 'Sam', familyName: userId } });
      if (!r.ltik) throw new Error(`student launch failed ${r.status}`);
      return { agent: r.agent, ltik: r.ltik };
    },
    completeLink: async (t, s) => {
      const home = await s.agent.get(withLtik(`/activity/${t.activityId}/student`, s.ltik));
      const m = /href="([^"]*\/checkin\/complete\?t=[^"]+)"/.exec(home.text);
      if (!m?.[1]) throw new Error('no complete link on the student home');
      const url = new URL(m[1].replace(/&amp;/g, '&'));
      return url.pathname + url.search;
    },
  };
  beforeAll(async () => {
    harness = await startHarness({ now: () => suite.clock, env });
  }, 60_000);
  afterAll(async () => { await harness?.close(); });
  return suite;
}

async function addQrSession(t: TakeCourse, selfMarking: Record<string, unknown>, startsAt: Date): Promise<QrSessionSeed> {
  const id = randomUUID();
  const secret = randomBytes(32);
  const publicId = randomBytes(12).toString('base64url');
  await AttendanceSessionModel.create({
    _id: id, courseId: t.courseId, activityId: t.activityId, startsAt, durationMinutes: 90, timezone: 'Europe/Riga', description: 'Optics',
    audience: { kind: 'all' }, statusSetId: `${t.activityId}-default`, createdBy: 'teacher', checkInSecret: secret.toString('base64'), publicId,
    selfMarking: { enabled: true, password: 'ACDEFG', showQr: true, rotateSeconds: 15, graceSeconds: 5, opensMinutesBefore: 0, statusMode: 'auto', lateAfterMinutes: 10, allowChange: false, oneDevicePerStudent: true, allowedCidrs: [], ...selfMarking },
  });
  return { id, publicId, secret };
}

export const scanUrl = (s: QrSessionSeed, code: string) => `/checkin/${s.publicId}?code=${encodeURIComponent(code)}`;

export const recordOf = (sessionId: string, userId: string) => AttendanceRecordModel.findOne({ sessionId, userId }).lean();

/** The value of one cookie the response set (e.g. to copy it into another phone), or undefined. */
export function setCookie(res: supertest.Response, name: string): string | undefined {
  const all = ([] as string[]).concat((res.headers['set-cookie'] as string[] | string | undefined) ?? []);
  const line = all.find((c) => c.startsWith(`${name}=`) && !c.startsWith(`${name}=;`));
  return line?.slice(name.length + 1).split(';')[0];
}
