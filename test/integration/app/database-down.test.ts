/**
 * Issue #12 item 7 and #13 item 2: a database error never reaches a page or a JSON body, and the
 * tool recovers by itself. The tool runs on a database server of its own (as with MONGODB_URI),
 * which is stopped: pages, new logins and QR scans answer fast with the translated "briefly
 * unavailable" page, never with the driver's text (which named the database's internal address:
 * "Reference: connect ECONNREFUSED 127.0.0.1:33311"). Then the server comes back on its data.
 * A QR scan made during the outage keeps its moment: the retry, after the code has rotated on,
 * still counts as that scan, on that phone only.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import supertest from 'supertest';
import { randomBytes, randomUUID } from 'node:crypto';
import { HeldScanModel } from '../../../src/check-in/held-scan.model';
import { ActivityModel } from '../../../src/courses/activity.model';
import { qrToken, slotOf } from '../../../src/check-in/rotating-code';
import { startStandin } from '../../../src/db/standin';
import { AttendanceSessionModel } from '../../../src/sessions/attendance-session.model';
import type { StartedDatabase } from '../../../src/db/select-database';
import type { Tool } from '../../../src/server';
import { withLtik } from '../../../src/shared/links';
import type { MockLms } from '../../support/mock-lms';
import { finalPath, startHarness, TestHarness } from '../../support/tool';

jest.setTimeout(60_000);

let db: StartedDatabase;
let h: TestHarness;
let tool: Tool;
let lms: MockLms;
const projectRoot = path.resolve(__dirname, '..', '..', '..');
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

let dataDir: string;
let persistFile: string;
/** The tool's clock runs with real time, moved on by the test to let a QR code expire. */
let clockOffsetMs = 0;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'la-down-'));
  persistFile = path.join(dataDir, 'standin', 'attendance');
  db = await startStandin({ projectRoot, persistFile }, quiet);
  h = await startHarness({ mongoUri: db.uri, now: () => new Date(Date.now() + clockOffsetMs) });
  ({ tool, lms } = h);
});
afterAll(async () => {
  await h?.close();
  await db?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('when the database stops answering', () => {
  it('then every page answers 503 "briefly unavailable" within seconds, without internal detail, and recovers by itself when it is back', async () => {
    const r = await lms.launch({ role: 'Instructor', user: { id: 'teacher-down' } });
    expect(r.status).toBe(200);
    const home = new URL(finalPath(r.res), tool.url).pathname; // the teacher's home, reached through the launch
    const qr = await addQrSession();
    const dbPort = new URL(db.uri).port;
    await db.stop();

    const timed = async (send: () => PromiseLike<supertest.Response>) => {
      const started = Date.now();
      const res = await send();
      return { res, ms: Date.now() - started };
    };
    const answers = {
      page: await timed(() => r.agent.get(withLtik(home, r.ltik ?? ''))),
      json: await timed(() => r.agent.get(withLtik(home, r.ltik ?? '')).set('Accept', 'application/json')),
      login: await timed(async () => (await lms.launch({ role: 'Learner', user: { id: 'student-during-outage' } })).res),
      qrScan: await timed(() => supertest(tool.url).get('/checkin/abcdefghijklmnop?code=ABCDEFGHJKLMNPQR')),
    };
    for (const [name, { res, ms }] of Object.entries(answers)) {
      expect({ name, status: res.status }).toEqual({ name, status: 503 });
      // (The "Try again" link repeats the request's own address, which may name the LMS.)
      expect(res.text.replace(/href="[^"]*"/g, '')).not.toMatch(/ECONN|Mongo|127\.0\.0\.1|buffering|timed out|Internal Server Error/i);
      expect(res.text).not.toContain(dbPort);
      // Fail fast: about 2 s of waiting for the database (DATABASE_WAIT_MS), not the drivers' 10-30 s.
      expect({ name, fast: ms < 7000 }).toEqual({ name, fast: true });
    }
    console.info(`outage: answered 503 in ${Object.entries(answers).map(([name, { ms }]) => `${name} ${ms} ms`).join(', ')}`);
    for (const name of ['page', 'login', 'qrScan'] as const) {
      expect(answers[name].res.text).toContain('The attendance register is briefly unavailable');
      expect(answers[name].res.text).toContain('Nothing was saved. Please try again in a minute.');
      expect(answers[name].res.headers['retry-after']).toBe('30');
    }
    expect(answers.json.res.body.error.code).toBe('unavailable');
    expect(answers.page.res.text).toContain(`href="${withLtik(home, r.ltik ?? '').replace(/&/g, '&amp;')}"`); // "Try again"

    // A phone scans the projector's current code while the database is down.
    const phone = supertest.agent(tool.url);
    const scanUrl = `/checkin/${qr.publicId}?code=${qr.codeNow()}`;
    const scanned = await phone.get(scanUrl);
    expect(scanned.status).toBe(503);
    expect(scanned.text).toContain('The attendance register is briefly unavailable');
    expect(scanned.text).toContain(`href="${scanUrl}"`);
    expect(String(scanned.headers['set-cookie'])).toMatch(/la_scan=.*HttpOnly/);
    const cookies = (scanned.headers["set-cookie"] as unknown as string[]).map((c) => c.split(";")[0] ?? "");

    // The database comes back where it was, on the same data: the tool answers again without a
    // restart (both its connection and ltijs's), and the same launch works.
    db = await startStandin({ projectRoot, persistFile, port: Number(dbPort) }, quiet);
    const health = async () => (await r.agent.get('/readyz')).status;
    for (let i = 0; i < 60 && (await health()) !== 200; i++) await new Promise((res) => setTimeout(res, 500));
    expect(await health()).toBe(200);
    let again = await r.agent.get(withLtik(home, r.ltik ?? ''));
    for (let i = 0; i < 30 && again.status === 503; i++) {
      await new Promise((res) => setTimeout(res, 500));
      again = await r.agent.get(withLtik(home, r.ltik ?? ''));
    }
    expect(again.status).toBe(200);

    // A minute later the code has rotated on (rotation 15 s, grace 5 s). The same phone's retry
    // still counts as its scan; a new phone, or another browser given only the receipt, does not.
    clockOffsetMs = 60_000;
    expect((await supertest(tool.url).get(scanUrl)).text).toContain('This code has expired');
    const receiptOnly = cookies.filter((c) => c.startsWith('la_scan='));
    expect((await supertest(tool.url).get(scanUrl).set('Cookie', receiptOnly.join('; '))).text).toContain('This code has expired');
    const retried = await phone.get(scanUrl);
    expect(retried.status).toBe(303);
    expect(retried.headers.location).toMatch(new RegExp(`^/checkin/${qr.publicId}\\??$`));
    expect(String(retried.headers['set-cookie'])).toMatch(/la_scan=;/); // the receipt is used up
    const held = await HeldScanModel.find({ sessionId: qr.id }).lean();
    expect(held).toHaveLength(1);
    expect(Math.abs(held[0]!.scannedAt.getTime() - qr.scannedAt)).toBeLessThan(30_000);
  });
});

/** A session open now with the rotating QR; codeNow() is what its projector shows at this moment. */
async function addQrSession() {
  const r = await lms.launch({ role: 'Instructor', context: { id: 'qr-course' }, resourceLink: { id: 'rl1' }, user: { id: 'teacher-qr' } });
  expect(r.status).toBe(200);
  const activityPath = /\/activity\/([^/]+)\//.exec(new URL(finalPath(r.res), tool.url).pathname);
  const activityId = decodeURIComponent(activityPath?.[1] ?? '');
  const stored = await ActivityModel.findById(activityId).lean();
  const id = randomUUID();
  const secret = randomBytes(32);
  const publicId = randomBytes(12).toString('base64url');
  await AttendanceSessionModel.create({
    _id: id, courseId: stored!.courseId, activityId, startsAt: new Date(Date.now() - 5 * 60_000), durationMinutes: 90, timezone: 'Europe/Riga',
    description: 'Optics', audience: { kind: 'all' }, statusSetId: `${activityId}-default`, createdBy: 'teacher', checkInSecret: secret.toString('base64'), publicId,
    selfMarking: { enabled: true, password: 'ACDEFG', showQr: true, rotateSeconds: 15, graceSeconds: 5, opensMinutesBefore: 0, statusMode: 'auto', lateAfterMinutes: 10, allowChange: false, oneDevicePerStudent: true, allowedCidrs: [] },
  });
  const scannedAt = Date.now();
  return { id, publicId, scannedAt, codeNow: () => qrToken(secret, id, slotOf(Date.now(), 15)) };
}
