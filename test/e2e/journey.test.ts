import { readFile } from 'node:fs/promises';
import { DateTime } from 'luxon';
import type { Browser, BrowserContext, FrameLocator, Page } from 'playwright-core';
import { AttendanceRecordModel } from '../../src/attendance/attendance-record.model';
import { activityKey, courseKey } from '../../src/courses/keys';
import { MemberModel } from '../../src/roster/member.model';
import { AttendanceSessionModel } from '../../src/sessions/attendance-session.model';
import { parseCsv } from '../integration/reports/export-support';
import { screenshot } from '../support/browser';
import type { MockUser } from '../support/mock-lms';
import { decodeQrElement } from '../support/qr-decode';
import type { TestHarness } from '../support/tool';
import { browserSuite } from '../support/browser-suite';

/**
 * The whole journey in a real browser, as issue #8 describes it: the teacher plans and opens a
 * lecture inside the LMS's iframe, two students check themselves in (password in Latvian, QR on a
 * phone), the teacher marks the rest, and the report, the CSV export and the LMS gradebook agree.
 * Real clock; grade delivery runs every 200 ms like the production worker.
 */
let h: TestHarness;
let browser: Browser;
const contextId = 'e2e-journey';
const ZONE = 'Europe/Riga'; // the harness's DEFAULT_TIMEZONE
const COURSE = { context: { id: contextId, label: 'PHY101', title: 'Physics 101' }, resourceLink: { id: 'rl1', title: 'Lectures' } };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36' };

const student = (id: string, givenName: string, familyName: string): MockUser => ({ id, givenName, familyName, email: `${id}@example.com`, roles: ['Learner'], status: 'Active' });
const ANNA = student('s-anna', 'Anna', 'Bērziņa');
const ZANE = student('s-zane', 'Zane', 'Čakste');
const JANIS = student('s-janis', 'Jānis', 'Kalniņš');
const LIGA = student('s-liga', 'Līga', 'Ozola');
const courseId = () => courseKey(h.lms.issuer, h.lms.clientId, contextId, 'rl1');
const activityId = () => activityKey(courseId(), 'rl1');

browserSuite((harness, b) => {
  h = harness;
  browser = b;
  h.lms.setMembers(contextId, [{ id: 'teacher-1', givenName: 'Terry', familyName: 'Teacher', roles: ['Instructor'] }, ANNA, ZANE, JANIS, LIGA], COURSE.context);
}, { gradeSyncIntervalMs: 200 });

const nav = (tool: FrameLocator, name: string) => tool.getByRole('navigation', { name: 'Activity sections' }).getByRole('link', { name }).click();

async function createSeries(page: Page, tool: FrameLocator): Promise<void> {
  const first = DateTime.now().setZone(ZONE).plus({ days: 7 });
  await nav(tool, 'Sessions');
  await tool.getByRole('link', { name: 'Add repeating sessions' }).first().click();
  await tool.getByLabel('First date').fill(first.toISODate() ?? '');
  await tool.getByLabel('End date').fill(first.plus({ days: 27 }).toISODate() ?? '');
  await tool.getByRole('checkbox', { name: first.setLocale('en').toFormat('cccc') }).check();
  await tool.getByLabel('Start time').fill('08:15');
  await tool.getByLabel('Duration (minutes)').fill('90');
  await tool.getByRole('button', { name: 'Preview dates' }).click();
  await tool.getByText('4 sessions will be created').waitFor();
  await screenshot(page, 'journey-2a-series-preview');
  await tool.getByRole('button', { name: 'Create 4 sessions' }).click();
  await tool.getByText('4 sessions created.').waitFor();
}

/** A session today at the current minute (Riga time); returns its id. */
async function createLectureNow(page: Page, tool: FrameLocator): Promise<string> {
  const now = DateTime.now().setZone(ZONE);
  await tool.getByRole('link', { name: 'Add a session' }).first().click();
  await tool.getByLabel('Date').fill(now.toISODate() ?? '');
  await tool.getByLabel('Start time').fill(now.toFormat('HH:mm'));
  await tool.getByLabel('Duration (minutes)').fill('90');
  await tool.getByLabel(/Description/).fill('Optics, lecture 1');
  await tool.getByRole('button', { name: 'Add session' }).click();
  await tool.getByText('Session saved.').waitFor();
  const session = await AttendanceSessionModel.findOne({ courseId: courseId(), description: 'Optics, lecture 1' }).lean();
  if (!session) throw new Error('the lecture was not saved');
  expect(DateTime.fromJSDate(session.startsAt).setZone(ZONE).toFormat('yyyy-MM-dd HH:mm')).toBe(now.toFormat('yyyy-MM-dd HH:mm'));
  await screenshot(page, 'journey-2b-sessions-list');
  return session._id;
}

/** Self-marking on with a QR rotating every 60 s (the decoded code stays valid). */
async function enableSelfMarking(page: Page, tool: FrameLocator, sessionId: string): Promise<void> {
  await tool.locator(`a[href*="${sessionId}/self-marking"]`).click();
  await tool.getByRole('heading', { level: 1, name: 'Self-marking' }).waitFor();
  await tool.getByLabel('Students may mark their own attendance').check();
  await tool.getByLabel('A QR code that changes, with a code to type').check();
  await tool.getByLabel('Change the code every (seconds)').fill('60');
  await tool.getByRole('button', { name: 'Save' }).click();
  await tool.getByText('Self-marking settings saved.').waitFor();
  await screenshot(page, 'journey-2c-self-marking');
}

/**
 * The student's own browser, UI in Latvian: home → "Iesniegt apmeklējumu" → the code → done.
 * With a rotating QR the form asks for the code on the projector ("Pašreizējais kods") instead
 * of the session password, so the student types what the projector shows.
 */
async function codeCheckInLatvian(projector: Page): Promise<void> {
  const context = await browser.newContext({ viewport: { width: 900, height: 800 } });
  const page = await context.newPage();
  await page.goto(h.lms.browserLaunchUrl({ role: 'Learner', ...COURSE, user: LIGA, locale: 'lv' }));
  const open = page.getByRole('region', { name: 'Tagad', exact: true });
  await open.waitFor({ timeout: 15_000 });
  await screenshot(page, 'journey-4a-student-home-lv');
  await open.locator('li', { hasText: 'Optics, lecture 1' }).getByRole('link', { name: 'Iesniegt apmeklējumu' }).click();
  const code = (await projector.locator('.js-code').textContent()) ?? '';
  await page.getByLabel('Pašreizējais kods').fill(code.replace(/\s+/g, ''));
  await page.getByRole('button', { name: 'Iesniegt apmeklējumu' }).click();
  await page.getByRole('heading', { level: 1, name: 'Apmeklējums reģistrēts' }).waitFor();
  await expect(page.locator('main').textContent()).resolves.toContain('Līga Ozola');
  await screenshot(page, 'journey-4b-code-done-lv');
  await context.close();
}

/** A phone scans the projector: held, the student opens the course in the LMS, completes, done. */
async function qrCheckInOnPhone(url: string): Promise<void> {
  const phone: BrowserContext = await browser.newContext(PHONE);
  const scanned = await phone.newPage();
  await scanned.goto(url);
  await scanned.getByTestId('qr-message').waitFor();
  await screenshot(scanned, 'journey-5a-phone-held');
  const lms = await phone.newPage();
  await lms.goto(h.lms.embedUrl({ role: 'Learner', ...COURSE, user: JANIS }));
  const complete = lms.frameLocator('iframe').getByTestId('complete-check-in').first();
  await complete.waitFor({ timeout: 15_000 });
  const [done] = await Promise.all([phone.waitForEvent('page'), complete.click()]);
  await done.getByTestId('qr-done').waitFor({ timeout: 15_000 });
  await expect(done.getByTestId('qr-done').textContent()).resolves.toContain('Jānis Kalniņš');
  await screenshot(done, 'journey-5b-phone-done');
  await phone.close();
}

/** Rows are by last name: Bērziņa, Čakste, Kalniņš (QR), Ozola (password). */
async function takeTheRest(page: Page, tool: FrameLocator, sessionId: string): Promise<void> {
  await nav(tool, 'Sessions');
  await tool.locator(`a[href*="${sessionId}/take"]`).first().click();
  await tool.getByRole('heading', { level: 1, name: 'Take attendance' }).waitFor();
  await expect(tool.locator('.js-unmarked-text').textContent()).resolves.toBe('2 still unmarked');
  await tool.getByRole('group', { name: /Bērziņa/ }).getByLabel('L Late').check();
  await tool.getByRole('group', { name: /Čakste/ }).getByLabel('A Absent').check();
  await screenshot(page, 'journey-6a-take');
  await tool.getByRole('button', { name: 'Save attendance' }).first().click();
  await tool.getByText(/Attendance saved/).waitFor();
  await screenshot(page, 'journey-6b-take-saved');
}

describe('the whole journey in a real browser', () => {
  it('when a teacher plans and opens a lecture, students check in by password and QR and the rest are marked, then the report, the export and the LMS gradebook agree', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(err.message));

    // 1. The teacher opens the activity on the LMS course page.
    await page.goto(h.lms.embedUrl({ role: 'Instructor', ...COURSE, user: { id: 'teacher-1', givenName: 'Terry', familyName: 'Teacher' } }));
    const tool = page.frameLocator('iframe');
    await tool.getByRole('heading', { level: 1, name: 'Lectures' }).waitFor({ timeout: 15_000 });
    expect(await MemberModel.countDocuments({ courseId: courseId(), role: 'student', active: true })).toBe(4);
    await screenshot(page, 'journey-1-teacher-home');

    // 2. A weekly series, one lecture now, self-marking with a QR.
    await createSeries(page, tool);
    const sessionId = await createLectureNow(page, tool);
    await enableSelfMarking(page, tool, sessionId);

    // 3. The projector (a new tab) shows a QR that decodes to the check-in URL.
    const [projector] = await Promise.all([page.context().waitForEvent('page'), tool.getByTestId('projector-link').click()]);
    await projector.setViewportSize({ width: 1280, height: 800 });
    await projector.locator('img.js-qr').waitFor();
    const qrUrl = (await decodeQrElement(projector.locator('img.js-qr'))) ?? '';
    expect(qrUrl).toMatch(new RegExp(`^${h.tool.url}/checkin/[A-Za-z0-9_-]+\\?code=`));
    await screenshot(projector, 'journey-3-projector');

    // 4. Līga types the projector's code (her LMS is in Latvian); 5. Jānis scans with his phone.
    await codeCheckInLatvian(projector);
    await qrCheckInOnPhone(qrUrl);
    await projector.locator('.js-counter', { hasText: '2 of 4 checked in' }).waitFor({ timeout: 8000 });
    await projector.close();
    const self = await AttendanceRecordModel.find({ sessionId }).lean();
    expect(self.map((r) => [r.userId, r.source, r.statusId]).sort()).toEqual([
      ['s-janis', 'self', `${activityId()}-default-P`], ['s-liga', 'self', `${activityId()}-default-P`],
    ]);

    // 6. The teacher marks the other two and saves.
    await takeTheRest(page, tool, sessionId);

    // 7. Report: Anna L (1 of 2 points) = 50 %, Zane A = 0 %, the two self check-ins 100 %.
    await nav(tool, 'Report');
    await tool.getByRole('heading', { level: 1, name: 'Report' }).waitFor();
    await expect(tool.getByText('2 of 4 students are below 70 %.').isVisible()).resolves.toBe(true);
    const rows = await tool.locator('table.report-table tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.querySelector('th')?.firstChild?.textContent?.trim(), tr.getAttribute('data-p')]));
    expect(rows).toEqual([['Bērziņa, Anna', '50'], ['Čakste, Zane', '0'], ['Kalniņš, Jānis', '100'], ['Ozola, Līga', '100']]);
    await screenshot(page, 'journey-7-report');

    // 8. Report → Export: the CSV export downloads and parses.
    await tool.getByRole('link', { name: 'Export', exact: true }).click();
    await tool.getByRole('heading', { level: 1, name: 'Export attendance' }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), tool.getByRole('button', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^PHY101-Lectures-attendance-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = parseCsv((await readFile(await download.path())).toString('utf8').replace(/^\uFEFF/, ''));
    const header = csv[0] ?? [];
    const pct = header.indexOf('Percentage');
    expect(pct).toBeGreaterThan(0);
    expect(csv.slice(1).map((r) => [r[0], r[1], r[pct]])).toEqual([
      ['Bērziņa', 'Anna', '50'], ['Čakste', 'Zane', '0'], ['Kalniņš', 'Jānis', '100'], ['Ozola', 'Līga', '100'],
    ]);
    await screenshot(page, 'journey-8-export');

    // 9. The grade delivery job posts the grades to the LMS gradebook.
    const expected = { 's-anna': 50, 's-janis': 100, 's-liga': 100, 's-zane': 0 };
    const gradebook = () => Object.fromEntries(h.lms.gradebook(contextId).map((r) => [r.userId, r.resultScore] as const).sort((a, b) => a[0].localeCompare(b[0])));
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && JSON.stringify(gradebook()) !== JSON.stringify(expected)) await new Promise((r) => setTimeout(r, 200));
    expect(gradebook()).toEqual(expected);
    expect(problems).toEqual([]);
    await page.close();
  });
});
