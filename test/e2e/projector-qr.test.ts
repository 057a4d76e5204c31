import { randomUUID } from 'node:crypto';
import type { Browser, Page, Request } from 'playwright-core';
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

interface Opened { projector: Page; sessionId: string; courseId: string; activityId: string; secret: Buffer; publicId: string; requests: () => Request[] }

/**
 * The teacher launches in the browser, a lecture with a 5 s rotating QR is running, and the
 * teacher reaches its projector by clicking: Sessions, then "Projector" (or, with `via`
 * 'settings', the session's self-marking page and its Projector button). The projector opens in
 * a new tab; `requests()` lists that tab's requests so far, from its first one on.
 */
async function openProjector(page: Page, via: 'list' | 'settings' = 'list', description = 'Mechanics, lecture 1'): Promise<Opened> {
  await page.goto(h.lms.browserLaunchUrl({ role: 'Instructor', context: { id: contextId, title: 'Physics 101' }, resourceLink: { id: 'rl1', title: 'Lectures' } }));
  const nav = page.getByRole('navigation', { name: 'Activity sections' });
  await nav.waitFor({ timeout: 15_000 });
  const courseId = courseKey(h.lms.issuer, h.lms.clientId, contextId, 'rl1');
  const activityId = activityKey(courseId, 'rl1');
  await MemberModel.bulkWrite(['s-anna', 's-zane', 's-janis'].map((userId) => ({
    updateOne: { filter: { courseId, userId }, update: { $set: { givenName: userId, familyName: 'Student', name: userId, role: 'student', active: true } }, upsert: true },
  })));
  const sessionId = randomUUID();
  await AttendanceSessionModel.create({
    _id: sessionId, courseId, activityId, startsAt: new Date(Date.now() - 5 * 60_000), durationMinutes: 90, timezone: 'Europe/Riga',
    description, audience: { kind: 'all' }, statusSetId: `${activityId}-default`, createdBy: 'teacher-1',
  });
  await saveSelfMarking(courseId, activityId, sessionId, { ...DEFAULT_SELF_MARKING, allowedCidrs: [], password: 'ACDEFG', enabled: true, showQr: true, rotateSeconds: ROTATE });
  const doc = await AttendanceSessionModel.findById(sessionId).lean();

  await nav.getByRole('link', { name: 'Sessions' }).click();
  let link = page.locator(`a[href*="/sessions/${sessionId}/projector"]`);
  if (via === 'settings') {
    await page.locator(`a[href*="/sessions/${sessionId}/self-marking"]`).click();
    link = page.getByTestId('projector-link');
  }
  const requests: Request[] = [];
  const record = (r: Request) => { requests.push(r); };
  page.context().on('request', record);
  const [projector] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
  await projector.setViewportSize({ width: 1280, height: 800 });
  await projector.locator('img.js-qr').waitFor();
  return { projector, sessionId, courseId, activityId, secret: Buffer.from(doc?.checkInSecret ?? '', 'base64'), publicId: doc?.publicId ?? '', requests: () => requests.filter((r) => r.frame().page() === projector) };
}

/** The tab shows /projector/<token>: the ltik-bearing first URL left neither the address bar, the history nor any Referer. */
async function expectNoLtikIn(o: Opened): Promise<void> {
  const url = new URL(o.projector.url());
  expect(url.pathname).toMatch(/^\/projector\/[A-Za-z0-9_-]{43}$/);
  expect(o.projector.url()).not.toMatch(/ltik/i);
  expect(await o.projector.evaluate('history.length')).toBe(1);
  expect(await o.projector.evaluate('document.referrer')).toBe('');
  expect(await o.projector.content()).not.toMatch(/ltik/i);
  // The click itself carries the ltik (it proves the teacher); nothing after it does.
  const [click, ...rest] = o.requests();
  expect(click?.url()).toContain(`/sessions/${o.sessionId}/projector?ltik=`);
  expect(rest.length).toBeGreaterThan(0);
  for (const r of o.requests()) {
    const referer = (await r.allHeaders()).referer ?? '';
    expect(referer).not.toMatch(/ltik/i);
  }
  for (const r of rest) expect(r.url()).not.toMatch(/ltik/i);
}

const decodeQr = (page: Page) => decodeQrElement(page.locator('img.js-qr'));

const shownCode = async (page: Page) => ((await page.locator('.js-code').textContent()) ?? '').replace(/\s+/g, '');

/** The slot whose typed code the page shows: the current one or, right at a rotation, the previous. */
function slotShowing(o: Opened, code: string): number | undefined {
  const now = slotOf(Date.now(), ROTATE);
  return [now, now - 1, now + 1].find((s) => typedCode(o.secret, o.sessionId, s) === code);
}

describe('projector in a real browser', () => {
  it("when the teacher clicks Projector, then a new tab shows a projector link without the ltik, its QR decodes to the current check-in URL and the code rotates without a reload", async () => {
    const teacher = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const o = await openProjector(teacher);
    const page = o.projector;
    const problems: string[] = [];
    page.on('console', (msg) => { if (msg.type() === 'error') problems.push(msg.text()); });
    page.on('pageerror', (err) => problems.push(err.message));
    let loads = 0;
    page.on('load', () => { loads += 1; });
    const loadsAtOpen = loads;
    await expectNoLtikIn(o);

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
    await teacher.close();
  });

  it('when the teacher revokes the projector link on the settings page, then the open projector says the link is no longer valid and stops asking', async () => {
    const teacher = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const o = await openProjector(teacher, 'settings');
    await expectNoLtikIn(o);
    await expect(teacher.getByText('The projector page shows only the check-in codes and the count').isVisible()).resolves.toBe(true);

    await teacher.getByRole('button', { name: 'Revoke projector link' }).click();
    await teacher.getByText('Projector link revoked').waitFor();
    await screenshot(teacher, 'projector-settings-revoked');
    await o.projector.getByRole('heading', { name: 'This projector link is no longer valid' }).waitFor({ timeout: (ROTATE + 6) * 1000 });
    expect(await o.projector.locator('img.js-qr').count()).toBe(0);
    const asked = () => o.requests().filter((r) => r.url().endsWith('/state')).length;
    const before = asked();
    await o.projector.waitForTimeout(6000); // longer than one rotation and one poll
    expect(asked()).toBe(before);
    await screenshot(o.projector, 'projector-link-revoked');
    await o.projector.close();
    await teacher.close();
  });

  it('when the session has a 500-character description, then the title is cut and the whole QR and code stay on the screen', async () => {
    const teacher = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const long = `Introduction to quantum mechanics: ${'wave functions, operators and measurement; '.repeat(12)}`.slice(0, 500);
    const o = await openProjector(teacher, 'list', long);
    const view = o.projector.viewportSize() ?? { width: 0, height: 0 };
    const inView = async (selector: string) => {
      const r = await o.projector.locator(selector).boundingBox();
      return !!r && r.y >= 0 && r.x >= 0 && r.y + r.height <= view.height && r.x + r.width <= view.width;
    };
    const fits = { qr: await inView('img.js-qr'), code: await inView('.projector-code-box'), title: (await o.projector.locator('h1').textContent()) ?? '' };
    expect(fits.qr).toBe(true);
    expect(fits.code).toBe(true);
    expect(fits.title.length).toBeLessThan(100);
    await screenshot(o.projector, 'projector-long-title');
    await o.projector.close();
    await teacher.close();
  });
});
