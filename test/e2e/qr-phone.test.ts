import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { AttendanceRecordModel } from '../../src/attendance/attendance-record.model';
import { DevicePairingModel } from '../../src/check-in/device-pairing.model';
import { saveSelfMarking } from '../../src/check-in/self-marking.service';
import { DEFAULT_SELF_MARKING } from '../../src/check-in/settings';
import { activityKey, courseKey } from '../../src/courses/keys';
import { MemberModel } from '../../src/roster/member.model';
import { AttendanceSessionModel } from '../../src/sessions/attendance-session.model';
import { screenshot } from '../support/browser';
import { decodeQrElement } from '../support/qr-decode';
import type { TestHarness } from '../support/tool';
import { browserSuite } from '../support/browser-suite';

/**
 * The QR flow on phones, in a real browser: the projector's QR (decoded from the screen) opened
 * top-level on a phone-sized context. An unpaired phone completes through the LMS (the mock
 * LMS's course page, the tool in its iframe) and pairs; the paired phone then checks in at the scan.
 */
let h: TestHarness;
let browser: Browser;
const contextId = 'e2e-qr-phone';
const courseId = () => courseKey(h.lms.issuer, h.lms.clientId, contextId, 'rl1');
const activityId = () => activityKey(courseId(), 'rl1');
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36' };

browserSuite((harness, b) => { h = harness; browser = b; });

/**
 * The teacher launches, a lecture with a one-minute rotating QR is running, and the teacher
 * clicks Sessions, then "Projector": the projector opens in a new tab, which is returned.
 */
async function teacherProjector(page: Page): Promise<{ sessionId: string; projector: Page }> {
  await page.goto(h.lms.browserLaunchUrl({ role: 'Instructor', context: { id: contextId, title: 'Physics 101' }, resourceLink: { id: 'rl1', title: 'Lectures' } }));
  const nav = page.getByRole('navigation', { name: 'Activity sections' });
  await nav.waitFor({ timeout: 15_000 });
  await MemberModel.updateOne({ courseId: courseId(), userId: 's-liga' }, { $set: { givenName: 'Līga', familyName: 'Ozola', name: 'Līga Ozola', role: 'student', active: true } }, { upsert: true });
  const sessionId = randomUUID();
  await AttendanceSessionModel.create({
    _id: sessionId, courseId: courseId(), activityId: activityId(), startsAt: new Date(Date.now() - 2 * 60_000), durationMinutes: 90, timezone: 'Europe/Riga',
    description: `Optics ${sessionId.slice(0, 4)}`, audience: { kind: 'all' }, statusSetId: `${activityId()}-default`, createdBy: 'teacher-1',
  });
  // A minute's rotation keeps the decoded code valid while the phone opens it.
  await saveSelfMarking(courseId(), activityId(), sessionId, { ...DEFAULT_SELF_MARKING, allowedCidrs: [], password: 'ACDEFG', enabled: true, showQr: true, rotateSeconds: 60, graceSeconds: 30 });
  await nav.getByRole('link', { name: 'Sessions' }).click();
  const [projector] = await Promise.all([page.context().waitForEvent('page'), page.locator(`a[href*="/sessions/${sessionId}/projector"]`).click()]);
  await projector.setViewportSize({ width: 1280, height: 800 });
  await projector.locator('img.js-qr').waitFor();
  return { sessionId, projector };
}

async function scanWith(phone: BrowserContext, projector: Page): Promise<Page> {
  const url = await decodeQrElement(projector.locator('img.js-qr'));
  expect(url).toMatch(new RegExp(`^${h.tool.url}/checkin/[A-Za-z0-9_-]+\\?code=`));
  const page = await phone.newPage();
  await page.goto(url ?? '');
  return page;
}

describe('QR check-in on a phone', () => {
  it('when an unpaired phone scans, then the student completes after the LMS launch, pairs, and the next scan checks in at once', async () => {
    const teacher = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const first = await teacherProjector(teacher);
    const phone = await browser.newContext(PHONE);

    const scanned = await scanWith(phone, first.projector);
    await scanned.getByTestId('qr-message').waitFor();
    expect(await scanned.getByTestId('qr-message').textContent()).toContain('Open the Attendance activity');
    expect(scanned.url()).not.toContain('code='); // the code left the address bar
    await screenshot(scanned, 'qr-phone-1-held');

    // The student opens the course in the LMS on the same phone (the tool in the LMS's iframe).
    const lms = await phone.newPage();
    await lms.goto(h.lms.embedUrl({ role: 'Learner', context: { id: contextId, title: 'Physics 101' }, resourceLink: { id: 'rl1', title: 'Lectures' }, user: { id: 's-liga', givenName: 'Līga', familyName: 'Ozola' } }));
    const tool = lms.frameLocator('iframe');
    const complete = tool.getByTestId('complete-check-in').first();
    await complete.waitFor({ timeout: 15_000 });
    await screenshot(lms, 'qr-phone-2-lms-home');
    const [done] = await Promise.all([phone.waitForEvent('page'), complete.click()]);
    await done.getByTestId('qr-done').waitFor({ timeout: 15_000 });
    expect(await done.getByTestId('qr-done').textContent()).toContain('Līga Ozola');
    const rec = await AttendanceRecordModel.findOne({ sessionId: first.sessionId, userId: 's-liga' }).lean();
    expect(rec).toMatchObject({ source: 'self' });

    await done.getByTestId('pair-button').click();
    await done.getByTestId('pair-flash').waitFor();
    expect(await done.getByTestId('pair-flash').textContent()).toContain('paired with your account');
    expect(await DevicePairingModel.findOne({ courseId: courseId(), userId: 's-liga' }).lean()).toMatchObject({ label: 'Chrome · Android' });
    await screenshot(done, 'qr-phone-3-done-paired');

    // Next lecture: the paired phone is checked in by the scan alone.
    await first.projector.close();
    const second = await teacherProjector(teacher);
    const instant = await scanWith(phone, second.projector);
    await instant.getByTestId('qr-done').waitFor({ timeout: 15_000 });
    expect(await AttendanceRecordModel.findOne({ sessionId: second.sessionId, userId: 's-liga' }).lean()).toMatchObject({ source: 'self' });
    await screenshot(instant, 'qr-phone-4-instant');
    await phone.close();
    await second.projector.close();
    await teacher.close();
  });
});
