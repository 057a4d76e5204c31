import { randomUUID } from 'node:crypto';
import supertest from 'supertest';
import { AttendanceRecordModel } from '../../../src/attendance/attendance-record.model';
import { DeviceConflictModel } from '../../../src/check-in/device-conflict.model';
import { DevicePairingModel } from '../../../src/check-in/device-pairing.model';
import { subscribeAttendanceChanged } from '../../../src/grading/grade-hooks';
import { withLtik } from '../../../src/shared/links';
import { addStudents, launchTeacher, TakeCourse, visibleText } from '../attendance/take-helpers';
import { at, qrSuite, recordOf, scanUrl } from './qr-helpers';

/**
 * Flow 2: the projector's QR opened top-level on a phone. Phones are cookie agents of their own
 * (no LMS cookies); students launch through the mock LMS on separate agents, as the LMS app
 * or browser on that phone would. The tool's clock is injected (qr-helpers).
 */
const q = qrSuite({ CHECKIN_IP_WRONG_CODES_PER_10_MINUTES: '8' });
const { addQrSession, codeNow, phone, student, completeLink } = q;

describe('unpaired phone: scan, launch in the LMS, complete, pair; then instant check-ins', () => {
  let t: TakeCourse;
  beforeAll(async () => {
    q.clock = at(2);
    t = await launchTeacher(q.h, 'qr-main');
    await addStudents(t.courseId, [{ id: 'qr-anna', givenName: 'Anna', familyName: 'Bērziņa' }, { id: 'qr-boris', givenName: 'Boris', familyName: 'Ozols' }]);
  });

  it('holds the scan, sends the student to the LMS, completes with the ticket and pairs the phone', async () => {
    const s = await addQrSession(t, { lateAfterMinutes: 5 });
    const p = phone();
    q.clock = at(3);
    const scanned = await p.get(scanUrl(s, codeNow(s)));
    expect(scanned.status).toBe(303);
    expect(scanned.headers.location).toBe(`/checkin/${s.publicId}?`); // the code leaves the address bar
    const cookies = String(scanned.headers['set-cookie']);
    expect(cookies).toMatch(/la_device=.*HttpOnly/);
    expect(cookies).toMatch(/la_pending=.*SameSite=Lax/);
    const waiting = await p.get(`/checkin/${s.publicId}`);
    expect(visibleText(waiting.text)).toContain('Open the Attendance activity of your course in the LMS on this phone');
    expect(await recordOf(s.id, 'qr-anna')).toBeNull();

    // Later (within the held scan's 5 minutes), the student has launched from the LMS and taps
    // "Complete check-in": Present is judged at the scan (08:03; late after 08:05), though 08:07 would be Late.
    q.clock = at(7);
    const anna = await student('qr-main', 'qr-anna');
    const link = await completeLink(t, anna);
    const hooks: string[][] = [];
    const off = subscribeAttendanceChanged((_c, _a, ids) => { hooks.push(ids); });
    const completed = await p.get(link);
    off();
    expect(completed.status).toBe(303);
    expect(completed.headers.location).toMatch(new RegExp(`^/checkin/${s.publicId}/done\\?t=`));
    const rec = await recordOf(s.id, 'qr-anna');
    expect(rec).toMatchObject({ source: 'self', statusId: t.status.P });
    expect(rec?.deviceId).toEqual(expect.any(String));
    expect(hooks).toEqual([['qr-anna']]);
    expect(String(completed.headers['set-cookie'])).toMatch(/la_pending=;/); // the held scan is used up

    const done = await p.get(completed.headers.location as string);
    expect(done.status).toBe(200);
    expect(visibleText(done.text)).toContain('Thank you, Sam qr-anna');
    expect(visibleText(done.text)).toContain('Remember this phone');

    const pair = /name="t" value="([^"]+)"/.exec(done.text)?.[1] ?? '';
    // Without the phone's own device cookie (a cross-site form cannot send it) nothing is paired.
    const forged = await supertest(q.h.tool.url).post('/checkin/pair').type('form').send({ publicId: s.publicId, t: pair.replace(/&amp;/g, '&') });
    expect(forged.status).toBe(403);
    expect(await DevicePairingModel.countDocuments({ courseId: t.courseId })).toBe(0);
    const paired = await p.post('/checkin/pair').type('form').send({ publicId: s.publicId, t: pair.replace(/&amp;/g, '&') });
    expect(paired.status).toBe(303);
    expect(paired.headers.location).toContain('paired=paired');
    expect(visibleText((await p.get(paired.headers.location as string)).text)).toContain('This phone is now paired with your account');
    expect(await DevicePairingModel.countDocuments({ courseId: t.courseId, userId: 'qr-anna' })).toBe(1);

    // Next session: the paired phone checks Anna in at the scan, no LMS needed.
    const next = await addQrSession(t, {}, at(120));
    q.clock = at(121);
    const instant = await p.get(scanUrl(next, codeNow(next)));
    expect(instant.status).toBe(303);
    expect(instant.headers.location).toBe(`/checkin/${next.publicId}/done?`);
    expect(await recordOf(next.id, 'qr-anna')).toMatchObject({ source: 'self', statusId: t.status.P });
    expect(visibleText((await p.get(instant.headers.location as string)).text)).toContain('Thank you, Sam qr-anna');
    // Scanning again says so and changes nothing.
    const again = await p.get(scanUrl(next, codeNow(next)));
    expect(again.status).toBe(409);
    expect(visibleText(again.text)).toContain('already');
    expect(await AttendanceRecordModel.countDocuments({ sessionId: next.id })).toBe(1);

    // The teacher sees and revokes the pairing; the phone is back to the held path.
    const page = await t.agent.get(withLtik(`/activity/${t.activityId}/teacher/roster/phones`, t.ltik));
    expect(visibleText(page.text)).toContain('Sam qr-anna');
    const action = /action="([^"]+\/revoke)"/.exec(page.text)?.[1] ?? '';
    const revoked = await t.agent.post(action).type('form').send({ ltik: t.ltik });
    expect(revoked.status).toBe(303);
    expect(await DevicePairingModel.countDocuments({ courseId: t.courseId })).toBe(0);
    const third = await addQrSession(t, {}, at(240));
    q.clock = at(241);
    expect((await p.get(scanUrl(third, codeNow(third)))).headers.location).toBe(`/checkin/${third.publicId}?`);
    expect(await recordOf(third.id, 'qr-anna')).toBeNull();
  });

  it('refuses a phone that already checked in another student in the session, and logs it for the teacher', async () => {
    const s = await addQrSession(t, {}, at(300));
    const p = phone();
    q.clock = at(301);
    await p.get(scanUrl(s, codeNow(s)));
    const anna = await student('qr-main', 'qr-anna');
    expect((await p.get(await completeLink(t, anna))).status).toBe(303);

    await p.get(scanUrl(s, codeNow(s)));
    const boris = await student('qr-main', 'qr-boris');
    const refused = await p.get(await completeLink(t, boris));
    expect(refused.status).toBe(403);
    expect(visibleText(refused.text)).toMatch(/device|phone/i);
    expect(await recordOf(s.id, 'qr-boris')).toBeNull();
    expect(await DeviceConflictModel.findOne({ sessionId: s.id }).lean()).toMatchObject({ userId: 'qr-boris', otherUserId: 'qr-anna' });
  });

  it('lets a student unpair their own phone from the home, and refuses the teacher page to students', async () => {
    await DevicePairingModel.create({ _id: randomUUID(), courseId: t.courseId, deviceId: 'dev-x', userId: 'qr-boris', label: 'Firefox · Android', createdAt: q.clock });
    await DevicePairingModel.create({ _id: randomUUID(), courseId: t.courseId, deviceId: 'dev-y', userId: 'qr-anna', label: 'Safari · iOS', createdAt: q.clock });
    const boris = await student('qr-main', 'qr-boris');
    const home = await boris.agent.get(withLtik(`/activity/${t.activityId}/student`, boris.ltik));
    expect(visibleText(home.text)).toContain('Firefox · Android');
    expect(visibleText(home.text)).not.toContain('Safari · iOS');
    const annaPairing = await DevicePairingModel.findOne({ deviceId: 'dev-y' }).lean();
    // Another student's pairing id: nothing happens.
    await boris.agent.post(`/activity/${t.activityId}/student/pairings/${annaPairing?._id}/unpair`).type('form').send({ ltik: boris.ltik });
    expect(await DevicePairingModel.countDocuments({ deviceId: 'dev-y' })).toBe(1);
    const action = /action="([^"]+\/unpair)"/.exec(home.text)?.[1] ?? '';
    const res = await boris.agent.post(action).type('form').send({ ltik: boris.ltik });
    expect(res.status).toBe(303);
    expect(await DevicePairingModel.countDocuments({ deviceId: 'dev-x' })).toBe(0);
    expect((await boris.agent.get(withLtik(`/activity/${t.activityId}/teacher/roster/phones`, boris.ltik))).status).toBe(403);
  });
});

describe('the way back to the LMS from an unpaired phone', () => {
  it('uses the teacher\'s activity link (refusing non-web addresses), else the launch\'s return URL', async () => {
    q.clock = at(2);
    const t = await launchTeacher(q.h, 'qr-link');
    const s = await addQrSession(t);
    const p = phone();
    await p.get(scanUrl(s, codeNow(s)));
    const before = await p.get(`/checkin/${s.publicId}`);
    const href = /data-testid="open-lms"/.test(before.text) ? /href="([^"]+)"[^>]*data-testid="open-lms"/.exec(before.text)?.[1] : undefined;
    expect(href).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/return/); // the mock LMS's launch_presentation.return_url

    const settings = `/activity/${t.activityId}/teacher/settings/lms-link`;
    const bad = await t.agent.post(settings).type('form').send({ ltik: t.ltik, lmsActivityUrl: 'javascript:alert(1)' });
    expect(bad.status).toBe(400);
    expect(visibleText(bad.text)).toContain('Enter a full web address');
    expect(bad.text).toContain('value="javascript:alert(1)"');
    const ok = await t.agent.post(settings).type('form').send({ ltik: t.ltik, lmsActivityUrl: 'https://lms.example.edu/mod/lti/view.php?id=7' });
    expect(ok.status).toBe(303);
    const after = await p.get(`/checkin/${s.publicId}`);
    expect(after.text).toContain('href="https://lms.example.edu/mod/lti/view.php?id=7"');
    const student = await q.h.lms.launch({ role: 'Learner', context: { id: 'qr-link' }, resourceLink: { id: 'rl1' }, user: { id: 'qr-link-s' } });
    expect((await student.agent.post(settings).type('form').send({ ltik: student.ltik, lmsActivityUrl: 'https://evil.example' })).status).toBe(403);
  });
});

describe('scan refusals, each with its own message and no record', () => {
  let t: TakeCourse;
  beforeAll(async () => {
    q.clock = at(2);
    t = await launchTeacher(q.h, 'qr-refusals');
    await addStudents(t.courseId, [{ id: 'qr-cara', givenName: 'Cara', familyName: 'Liepa' }]);
  });

  it('tells an expired code from a wrong one, refuses outside the window, unknown links and stale tickets', async () => {
    const s = await addQrSession(t);
    const p = phone();
    q.clock = at(10);
    const expired = await p.get(scanUrl(s, codeNow(s, 3)));
    expect(expired.status).toBe(400);
    expect(visibleText(expired.text)).toContain('This code has expired');
    const wrong = await p.get(scanUrl(s, 'AAAAAAAAAAAAAAAA'));
    expect(wrong.status).toBe(400);
    expect(visibleText(wrong.text)).toContain('This code is not valid');
    // The previous slot's code is accepted during the grace period.
    q.clock = new Date(Math.ceil(at(11).getTime() / 15_000) * 15_000 + 2000);
    expect((await p.get(scanUrl(s, codeNow(s, 1)))).status).toBe(303);

    q.clock = at(95);
    const closed = await p.get(scanUrl(s, codeNow(s)));
    expect(closed.status).toBe(403);
    expect(String(closed.headers['set-cookie'] ?? '')).not.toContain('la_pending=e');

    const early = await addQrSession(t, {}, at(600));
    q.clock = at(590);
    const notOpen = await p.get(scanUrl(early, codeNow(early)));
    expect(notOpen.status).toBe(403);
    expect(visibleText(notOpen.text)).toMatch(/opens/i);

    expect((await p.get('/checkin/doesnotexist123?code=AAAA')).status).toBe(404);
    const stale = await p.get('/checkin/complete?t=forged.token');
    expect(stale.status).toBe(400);
    expect(visibleText(stale.text)).toContain('This link has expired');
    expect(await AttendanceRecordModel.countDocuments({ courseId: t.courseId })).toBe(0);
  });

  it('applies the IP restriction and the choose mode on the completion page', async () => {
    const restricted = await addQrSession(t, { allowedCidrs: ['10.0.0.0/8'] }, at(700));
    const p = phone();
    q.clock = at(701);
    await p.get(scanUrl(restricted, codeNow(restricted)));
    const cara = await student('qr-refusals', 'qr-cara');
    const refused = await p.get(await completeLink(t, cara));
    expect(refused.status).toBe(403);
    expect(await recordOf(restricted.id, 'qr-cara')).toBeNull();

    const choose = await addQrSession(t, { statusMode: 'choose' }, at(800));
    q.clock = at(801);
    await p.get(scanUrl(choose, codeNow(choose)));
    const toForm = await p.get(await completeLink(t, await student('qr-refusals', 'qr-cara')));
    expect(toForm.status).toBe(303);
    const form = await p.get(toForm.headers.location as string);
    expect(visibleText(form.text)).toContain('Checking in as Sam qr-cara');
    const ticket = (/name="t" value="([^"]+)"/.exec(form.text)?.[1] ?? '').replace(/&amp;/g, '&');
    const posted = await p.post(`/checkin/${choose.publicId}`).type('form').send({ t: ticket, statusId: t.status.P });
    expect(posted.status).toBe(303);
    expect(await recordOf(choose.id, 'qr-cara')).toMatchObject({ statusId: t.status.P, source: 'self' });
  });

  it('rate-limits wrong codes per IP (expired ones do not count), but never a valid scan', async () => {
    const s = await addQrSession(t, {}, at(900));
    const p = phone();
    q.clock = at(901);
    for (let i = 0; i < 3; i++) expect((await p.get(scanUrl(s, codeNow(s, 4)))).status).toBe(400);
    let last = 0;
    for (let i = 0; i < 12 && last !== 429; i++) last = (await p.get(scanUrl(s, `WRONG${i}AAAAAAAAAAA`))).status;
    expect(last).toBe(429);
    const blocked = await p.get(scanUrl(s, 'WRONGxAAAAAAAAAAA'));
    expect(blocked.status).toBe(429);
    expect(blocked.headers['retry-after']).toBeDefined();
    // The right code from the same address is held as always (a lecture hall shares one address).
    expect((await p.get(scanUrl(s, codeNow(s)))).status).toBe(303);
  });
});
