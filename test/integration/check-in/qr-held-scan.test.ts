import supertest from 'supertest';
import { AttendanceRecordModel } from '../../../src/attendance/attendance-record.model';
import { HeldScanModel } from '../../../src/check-in/held-scan.model';
import { cleanupExpired } from '../../../src/lti/cleanup.worker';
import { addStudents, launchTeacher, TakeCourse, visibleText } from '../attendance/take-helpers';
import { at, qrSuite, QrSessionSeed, recordOf, scanUrl, setCookie } from './qr-helpers';

/**
 * A held scan (an unpaired phone's valid scan, waiting for the student's LMS launch) belongs to
 * the phone that scanned it, is used once, and expires a few minutes after the scan (issue #12,
 * item 2). The default limit (CHECKIN_HELD_SCAN_MINUTES=5) applies here.
 */
const q = qrSuite();
const { addQrSession, codeNow, phone, student, completeLink } = q;

let t: TakeCourse;
beforeAll(async () => {
  q.clock = at(0);
  t = await launchTeacher(q.h, 'held');
  await addStudents(t.courseId, ['anna', 'boris', 'cara'].map((id) => ({ id: `held-${id}`, givenName: 'Sam', familyName: id })));
});

/** A phone scans the session's current code; returns its two cookies as a Cookie header can carry them. */
async function scanOn(s: QrSessionSeed): Promise<{ device: string; pending: string }> {
  const res = await supertest(q.h.tool.url).get(scanUrl(s, codeNow(s)));
  expect(res.status).toBe(303);
  const device = setCookie(res, 'la_device');
  const pending = setCookie(res, 'la_pending');
  if (!device || !pending) throw new Error('the scan set no cookies');
  return { device, pending };
}

const withCookies = (req: supertest.Test, cookies: Record<string, string>) =>
  req.set('Cookie', Object.entries(cookies).map(([k, v]) => `${k}=${v}`).join('; '));

async function completeAs(userId: string, cookies: Record<string, string>): Promise<supertest.Response> {
  const link = await completeLink(t, await student('held', userId));
  return withCookies(supertest(q.h.tool.url).get(link), cookies);
}

describe('a held scan belongs to the phone that scanned it', () => {
  it('when the held-scan cookie is copied to another phone, then that phone cannot complete with it, and the scanning phone still can', async () => {
    q.clock = at(3);
    const s = await addQrSession(t);
    const anna = await scanOn(s);
    // Boris's phone has a device cookie of its own (from scanning another session earlier).
    const other = await addQrSession(t);
    const boris = await scanOn(other);

    const copied = await completeAs('held-boris', { la_device: boris.device, la_pending: anna.pending });
    expect(copied.status).toBe(403);
    expect(visibleText(copied.text)).toContain('This scan belongs to another phone');
    const noDevice = await completeAs('held-cara', { la_pending: anna.pending });
    expect(noDevice.status).toBe(403);
    expect(await AttendanceRecordModel.countDocuments({ sessionId: s.id })).toBe(0);

    const own = await completeAs('held-anna', { la_device: anna.device, la_pending: anna.pending });
    expect(own.status).toBe(303);
    expect(await recordOf(s.id, 'held-anna')).toMatchObject({ source: 'self', statusId: t.status.P });
  });
});

describe('a held scan is used once', () => {
  it('when a second student completes with the same phone\'s used scan, then it is refused as already used', async () => {
    q.clock = at(100);
    const s = await addQrSession(t, { oneDevicePerStudent: false }, at(100));
    const held = await scanOn(s);
    const first = await completeAs('held-anna', { la_device: held.device, la_pending: held.pending });
    expect(first.status).toBe(303);
    // The completion cleared the cookie; someone kept a copy and puts it back for a friend.
    const second = await completeAs('held-boris', { la_device: held.device, la_pending: held.pending });
    expect(second.status).toBe(409);
    expect(visibleText(second.text)).toContain('This scan was already used');
    expect(await recordOf(s.id, 'held-boris')).toBeNull();
    expect(await AttendanceRecordModel.countDocuments({ sessionId: s.id })).toBe(1);
  });

  it('when two students complete with one scan at the same moment, then exactly one is recorded', async () => {
    q.clock = at(200);
    const s = await addQrSession(t, { oneDevicePerStudent: false }, at(200));
    const held = await scanOn(s);
    const cookies = { la_device: held.device, la_pending: held.pending };
    const links = await Promise.all(['held-anna', 'held-boris', 'held-cara'].map(async (id) => completeLink(t, await student('held', id))));
    const results = await Promise.all(links.map((link) => withCookies(supertest(q.h.tool.url).get(link), cookies)));
    expect(results.map((r) => r.status).sort()).toEqual([303, 409, 409]);
    expect(await AttendanceRecordModel.countDocuments({ sessionId: s.id })).toBe(1);
  });

  it('when the student must first pick an allowed status, then the scan stays usable until the check-in is recorded', async () => {
    q.clock = at(300);
    const s = await addQrSession(t, { statusMode: 'choose' }, at(300));
    const held = await scanOn(s);
    const cookies = { la_device: held.device, la_pending: held.pending };
    const toForm = await completeAs('held-cara', cookies);
    expect(toForm.status).toBe(303);
    const form = await withCookies(supertest(q.h.tool.url).get(toForm.headers.location as string), cookies);
    const ticket = (/name="t" value="([^"]+)"/.exec(form.text)?.[1] ?? '').replace(/&amp;/g, '&');
    const post = (statusId: string) => withCookies(supertest(q.h.tool.url).post(`/checkin/${s.publicId}`).type('form').send({ t: ticket, statusId }), cookies);
    const notAllowed = await post(t.status.E);
    expect(notAllowed.status).toBe(400);
    expect(await recordOf(s.id, 'held-cara')).toBeNull();
    const ok = await post(t.status.L);
    expect(ok.status).toBe(303);
    expect(await recordOf(s.id, 'held-cara')).toMatchObject({ statusId: t.status.L });
    // A second tap finds the scan used by the same student: it shows what was recorded, and changes nothing.
    const again = await post(t.status.P);
    expect(again.status).toBe(303);
    expect(again.headers.location).toMatch(new RegExp(`^/checkin/${s.publicId}/done\\?t=`));
    expect(await recordOf(s.id, 'held-cara')).toMatchObject({ statusId: t.status.L });
  });
});

describe('a held scan expires a few minutes after the scan', () => {
  it('when the student completes 4:59 after the scan, then it is recorded; 5:01 after, then it is refused as expired', async () => {
    q.clock = at(400);
    const late = await addQrSession(t, {}, at(400));
    const held = await scanOn(late);
    q.clock = at(405, 1);
    const expired = await completeAs('held-anna', { la_device: held.device, la_pending: held.pending });
    expect(expired.status).toBe(410);
    expect(visibleText(expired.text)).toContain('This scan has expired');
    expect(await recordOf(late.id, 'held-anna')).toBeNull();
    // The phone's waiting page says so too, instead of sending the student to the LMS.
    const waiting = await withCookies(supertest(q.h.tool.url).get(`/checkin/${late.publicId}`), { la_device: held.device, la_pending: held.pending });
    expect(visibleText(waiting.text)).toContain('This scan has expired');

    q.clock = at(410);
    const inTime = await addQrSession(t, {}, at(410));
    const again = await scanOn(inTime);
    q.clock = at(414, 59);
    expect((await completeAs('held-anna', { la_device: again.device, la_pending: again.pending })).status).toBe(303);
    expect(await recordOf(inTime.id, 'held-anna')).toMatchObject({ source: 'self' });
  });
});

describe('the honest flow', () => {
  it('when a phone scans, the student launches on it and taps Complete check-in, then it is recorded once', async () => {
    q.clock = at(500);
    const s = await addQrSession(t, {}, at(500));
    const p = phone();
    expect((await p.get(scanUrl(s, codeNow(s)))).status).toBe(303);
    q.clock = at(502);
    const done = await p.get(await completeLink(t, await student('held', 'held-boris')));
    expect(done.status).toBe(303);
    expect(await recordOf(s.id, 'held-boris')).toMatchObject({ source: 'self', statusId: t.status.P });
    expect(visibleText((await p.get(done.headers.location as string)).text)).toContain('Thank you');
  });
});

describe('expired held scans are deleted by the cleanup job', () => {
  it('when the cleanup runs, then held scans past their expiry are gone and current ones stay', async () => {
    q.clock = at(600);
    const s = await addQrSession(t, {}, at(600));
    await scanOn(s);
    q.clock = at(610);
    await scanOn(s);
    expect(await HeldScanModel.countDocuments({ sessionId: s.id })).toBe(2);
    const removed = await cleanupExpired({ ltijsDbName: `${q.h.config.dbName}_ltijs`, tokenMaxAgeSeconds: 60 }, at(610, 30));
    expect(removed.held_scans).toBeGreaterThanOrEqual(1);
    expect(await HeldScanModel.find({ sessionId: s.id }, { scannedAt: 1 }).lean()).toEqual([expect.objectContaining({ scannedAt: at(610) })]);
  });
});
