import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { AttendanceRecordModel } from '../../src/attendance/attendance-record.model';
import { checkInUrl } from '../../src/check-in/qr-codes';
import { qrToken, slotOf, typedCode } from '../../src/check-in/rotating-code';
import { saveSelfMarking } from '../../src/check-in/self-marking.service';
import { DEFAULT_SELF_MARKING } from '../../src/check-in/settings';
import { activityKey, courseKey } from '../../src/courses/keys';
import { MemberModel } from '../../src/roster/member.model';
import { AttendanceSessionModel } from '../../src/sessions/attendance-session.model';
import { screenshot } from '../support/browser';
import { decodeQrElement } from '../support/qr-decode';
import type { TestHarness } from '../support/tool';
import { browserSuite } from '../support/browser-suite';


let h: TestHarness;
let browser: Browser;
const contextId = 'e2e-projector';
const ROTATE = 5;

browserSuite((harness, b) => { h = harness; browser = b; });

interface Opened { sessionId: string; courseId: string; activityId: string; secret: Buffer; publicId: string }

/** The teacher launches in the browser, then opens the projector of a running lecture with a 5 s rotating QR. */
async function openProjector(page: Page): Promise<Opened> {
  await page.goto(h.lms.browserLaunchUrl({ role: 'Instructor', context: { id: contextId, title: 'Physics 101' }, resourceLink: { id: 'rl1', title: 'Lectures' } }));
  await page.getByRole('navigation', { name: 'Activity sections' }).waitFor({ timeout: 15_000 });
  const ltik = new URL(page.url()).searchParams.get('ltik') ?? '';
  const courseId = courseKey(h.lms.issuer, h.lms.clientId, contextId, 'rl1');
  const activityId = activityKey(courseId, 'rl1');
  await MemberModel.bulkWrite(['s-anna', 's-zane', 's-janis'].map((userId) => ({
    updateOne: { filter: { courseId, userId }, update: { $set: { givenName: userId, familyName: 'Student', name: userId, role: 'student', active: true } }, upsert: true },
  })));
  const sessionId = randomUUID();
  await AttendanceSessionModel.create({
    _id: sessionId, courseId, activityId, startsAt: new Date(Date.now() - 5 * 60_000), durationMinutes: 90, timezone: 'Europe/Riga',
    description: 'Mechanics, lecture 1', audience: { kind: 'all' }, statusSetId: `${activityId}-default`, createdBy: 'teacher-1',
  });
  await saveSelfMarking(courseId, activityId, sessionId, { ...DEFAULT_SELF_MARKING, allowedCidrs: [], password: 'ACDEFG', enabled: true, showQr: true, rotateSeconds: ROTATE });
  const doc = await AttendanceSessionModel.findById(sessionId).lean();
  await page.goto(`${h.tool.url}/activity/${activityId}/teacher/sessions/${sessionId}/projector?ltik=${encodeURIComponent(ltik)}`);
  await page.locator('img.js-qr').waitFor();
  return { sessionId, courseId, activityId, secret: Buffer.from(doc?.checkInSecret ?? '', 'base64'), publicId: doc?.publicId ?? '' };
}

const decodeQr = (page: Page) => decodeQrElement(page.locator('img.js-qr'));

const shownCode = async (page: Page) => ((await page.locator('.js-code').textContent()) ?? '').replace(/\s+/g, '');

/** The slot whose typed code the page shows: the current one or, right at a rotation, the previous. */
function slotShowing(o: Opened, code: string): number | undefined {
  const now = slotOf(Date.now(), ROTATE);
  return [now, now - 1, now + 1].find((s) => typedCode(o.secret, o.sessionId, s) === code);
}

describe('projector in a real browser', () => {
  it('when the teacher opens the projector, then the QR on screen decodes to the current check-in URL and the code rotates without a reload', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems: string[] = [];
    page.on('console', (msg) => { if (msg.type() === 'error') problems.push(msg.text()); });
    page.on('pageerror', (err) => problems.push(err.message));
    let loads = 0;
    page.on('load', () => { loads += 1; });
    const o = await openProjector(page);
    const loadsAtOpen = loads;

    const decoded = await decodeQr(page);
    const now = slotOf(Date.now(), ROTATE);
    const accepted = [now, now - 1].map((s) => checkInUrl(h.tool.url, o.publicId, qrToken(o.secret, o.sessionId, s)));
    expect(accepted).toContain(decoded);
    expect(decoded?.startsWith(`${h.tool.url}/checkin/${o.publicId}?code=`)).toBe(true);

    // A marker that only survives if the page is never reloaded (by the script or the meta refresh).
    await page.evaluate('window.projectorMarker = 42');
    const before = await shownCode(page);
    const beforeText = (await page.locator('.js-code').textContent()) ?? '';
    await page.locator('.js-code', { hasNotText: beforeText }).waitFor({ timeout: (ROTATE + 4) * 1000 });
    const after = await shownCode(page);
    expect(after).not.toBe(before);
    expect(await page.evaluate('window.projectorMarker')).toBe(42);
    expect(await page.evaluate("performance.getEntriesByType('navigation')[0].type")).toBe('navigate');
    expect(loads).toBe(loadsAtOpen);

    // The QR rotated with the code: it decodes to the URL of the slot whose code is shown.
    const slot = slotShowing(o, after);
    expect(slot).toBeDefined();
    const rotated = await decodeQr(page);
    const candidates = [slot ?? 0, (slot ?? 0) + 1].map((s) => checkInUrl(h.tool.url, o.publicId, qrToken(o.secret, o.sessionId, s)));
    expect(candidates).toContain(rotated);
    await expect(page.locator('.js-countdown').textContent()).resolves.toMatch(/^New code in [0-5] s$/);

    // The counter follows check-ins within a poll (~5 s), still without a reload.
    await expect(page.locator('.js-counter').textContent()).resolves.toBe('0 of 3 checked in');
    await AttendanceRecordModel.create({ courseId: o.courseId, activityId: o.activityId, sessionId: o.sessionId, userId: 's-zane', statusSetId: `${o.activityId}-default`, statusId: `${o.activityId}-default-P`, source: 'self', selfRecordedAt: new Date() });
    await page.locator('.js-counter', { hasText: '1 of 3 checked in' }).waitFor({ timeout: 8000 });
    expect(await page.evaluate('window.projectorMarker')).toBe(42);
    await expect(page.locator('.js-reconnecting').isVisible()).resolves.toBe(false);
    await screenshot(page, 'projector-qr');
    expect(problems).toEqual([]);
    await page.close();
  });
});
