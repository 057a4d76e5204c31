import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { AttendanceRecordModel } from '../../src/attendance/attendance-record.model';
import { saveSelfMarking } from '../../src/check-in/self-marking.service';
import { DEFAULT_SELF_MARKING } from '../../src/check-in/settings';
import { activityKey, courseKey } from '../../src/courses/keys';
import { AttendanceSessionModel } from '../../src/sessions/attendance-session.model';
import { describeViolations, seriousViolations } from '../support/axe';
import { screenshot } from '../support/browser';
import type { MockUser } from '../support/mock-lms';
import type { TestHarness } from '../support/tool';
import { browserSuite } from '../support/browser-suite';

/**
 * Issue #8's accessibility bar: axe-core (WCAG 2 A/AA rules) finds no serious or critical
 * violation on the main pages, and the take page works with the keyboard alone.
 */
let h: TestHarness;
let browser: Browser;
let axeContext: BrowserContext;
const contextId = 'e2e-a11y';
const COURSE = { context: { id: contextId, title: 'Physics 101' }, resourceLink: { id: 'rl1', title: 'Lectures' } };
const student = (id: string, givenName: string, familyName: string): MockUser => ({ id, givenName, familyName, email: `${id}@example.com`, roles: ['Learner'], status: 'Active' });
const CLASS = [student('s-anna', 'Anna', 'Bērziņa'), student('s-janis', 'Jānis', 'Kalniņš'), student('s-liga', 'Līga', 'Ozola')];
const courseId = () => courseKey(h.lms.issuer, h.lms.clientId, contextId, 'rl1');
const activityId = () => activityKey(courseId(), 'rl1');
const setId = () => `${activityId()}-default`;

browserSuite(async (harness, b) => {
  h = harness;
  browser = b;
  // The tool's CSP refuses injected scripts; axe needs one.
  axeContext = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
  h.lms.setMembers(contextId, [{ id: 'teacher-1', givenName: 'Terry', familyName: 'Teacher', roles: ['Instructor'] }, ...CLASS], COURSE.context);
});

async function launchTeacher(page: Page): Promise<void> {
  await page.goto(h.lms.browserLaunchUrl({ role: 'Instructor', ...COURSE }));
  await page.getByRole('navigation', { name: 'Activity sections' }).waitFor({ timeout: 15_000 });
}

async function addSession(startsAt: Date, description: string): Promise<string> {
  const _id = randomUUID();
  await AttendanceSessionModel.create({
    _id, courseId: courseId(), activityId: activityId(), startsAt, durationMinutes: 90, timezone: 'Europe/Riga',
    description, audience: { kind: 'all' }, statusSetId: setId(), createdBy: 'teacher-1',
  });
  return _id;
}

/** A marked past lecture (for the report) and a lecture running now with password self-marking and a QR. */
async function seed(): Promise<void> {
  const pastId = await addSession(new Date(Date.now() - 7 * 24 * 3600_000), 'Mechanics, lecture 1');
  await AttendanceRecordModel.insertMany(CLASS.map((s, i) => ({
    courseId: courseId(), activityId: activityId(), sessionId: pastId, userId: s.id, statusSetId: setId(), statusId: `${setId()}-${'PLA'[i] ?? 'P'}`, remark: '',
  })));
  const nowId = await addSession(new Date(Date.now() - 5 * 60_000), 'Mechanics, lecture 2');
  await saveSelfMarking(courseId(), activityId(), nowId, { ...DEFAULT_SELF_MARKING, allowedCidrs: [], password: 'ACDEFG', enabled: true, showQr: true, rotateSeconds: 0 });
}

async function expectNoSeriousViolations(page: Page, name: string, skipRules: string[] = []): Promise<void> {
  const found = await seriousViolations(page, skipRules);
  if (found.length > 0) console.log(describeViolations(name, found));
  expect(describeViolations(name, found)).toBe('');
}

describe('axe-core on the main pages', () => {
  it('when axe checks the teacher and student pages, then none has a serious or critical violation', async () => {
    const page = await axeContext.newPage();
    await launchTeacher(page);
    await seed();
    const sections = page.getByRole('navigation', { name: 'Activity sections' });

    await sections.getByRole('link', { name: 'Overview' }).click(); // home, now with the sessions
    await page.getByRole('heading', { level: 1, name: 'Lectures' }).waitFor();
    await expectNoSeriousViolations(page, 'teacher home');

    await page.getByTestId('now-card').getByRole('link', { name: /^Take attendance/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Take attendance' }).waitFor();
    await expectNoSeriousViolations(page, 'take page');

    await sections.getByRole('link', { name: 'Sessions' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sessions' }).waitFor();
    await page.getByLabel('Show', { exact: true }).selectOption({ label: 'All' });
    await page.getByRole('button', { name: 'Show sessions' }).click();
    await page.waitForURL(/view=all/);
    await expectNoSeriousViolations(page, 'sessions list');

    // The projector opens in a tab of its own (same context: axe may still inject its script).
    const [projector] = await Promise.all([page.context().waitForEvent('page'), page.getByRole('link', { name: /^Projector/ }).first().click()]);
    await projector.locator('img.js-qr').waitFor();
    // Without JavaScript the projector rotates by a meta refresh; its script cancels the refresh
    // and removes the element once it runs, and then no rule may fail.
    await projector.waitForFunction('!document.querySelector(\'meta[http-equiv="refresh"]\')');
    await expectNoSeriousViolations(projector, 'projector');
    await projector.close();

    await sections.getByRole('link', { name: 'Report' }).click();
    await page.getByRole('heading', { level: 1, name: 'Report' }).waitFor();
    await expectNoSeriousViolations(page, 'report');
    await page.close();

    const studentPage = await axeContext.newPage();
    await studentPage.goto(h.lms.browserLaunchUrl({ role: 'Learner', ...COURSE, user: CLASS[2] }));
    const submit = studentPage.getByRole('link', { name: 'Submit attendance' }).first();
    await submit.waitFor({ timeout: 15_000 });
    await expectNoSeriousViolations(studentPage, 'student home');

    await submit.click();
    await studentPage.getByLabel('Password').waitFor();
    await expectNoSeriousViolations(studentPage, 'check-in form');
    await studentPage.close();
  });
});

describe('the take page with the keyboard only', () => {
  it('when the teacher tabs to the status radios, chooses with Space, arrows and letters, tabs to Save and presses Enter, then the marks are saved', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await launchTeacher(page);
    const sessionId = await addSession(new Date(Date.now() - 24 * 3600_000), 'Keyboard lecture');
    await page.getByRole('navigation', { name: 'Activity sections' }).getByRole('link', { name: 'Sessions' }).click();
    await page.getByLabel('Show', { exact: true }).selectOption({ label: 'Past' });
    await page.getByRole('button', { name: 'Show sessions' }).click();
    await page.locator('tr', { hasText: 'Keyboard lecture' }).getByRole('link', { name: /^Take attendance/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Take attendance' }).waitFor();
    const focused = () => page.evaluate("(() => { const e = document.activeElement; return e ? (e.name || e.tagName) + '|' + (e.type || '') + '|' + (e.textContent || '').trim() : '' })()") as Promise<string>;
    const tabTo = async (matches: (f: string) => boolean, what: string) => {
      for (let i = 0; i < 80; i++) {
        await page.keyboard.press('Tab');
        if (matches(await focused())) return;
      }
      throw new Error(`Tab never reached ${what}; last focus: ${await focused()}`);
    };

    // Rows by last name: Bērziņa (s0), Kalniņš (s1), Ozola (s2).
    await tabTo((f) => f.startsWith('s0|radio'), 'the first student');
    await page.keyboard.press('Space'); // the first option: P
    await tabTo((f) => f.startsWith('s1|radio'), 'the second student');
    await page.keyboard.press('ArrowRight'); // arrows move within the group and choose: L
    await tabTo((f) => f.startsWith('s2|radio'), 'the third student');
    await page.keyboard.press('a'); // the page's letter shortcut; focus moves on to Save
    await expect(page.locator('.js-unmarked-text').textContent()).resolves.toBe('Everyone is marked');
    if (!/^BUTTON\|submit\|Save attendance$/.test(await focused())) await tabTo((f) => /^BUTTON\|submit\|Save attendance$/.test(f), 'Save');
    await page.keyboard.press('Enter');
    await page.getByText('Attendance saved: 3 changes.').waitFor();
    await screenshot(page, 'a11y-take-keyboard');

    const records = await AttendanceRecordModel.find({ sessionId }).lean();
    expect(records.map((r) => [r.userId, r.statusId]).sort()).toEqual([
      ['s-anna', `${setId()}-P`], ['s-janis', `${setId()}-L`], ['s-liga', `${setId()}-A`],
    ]);
    await page.close();
  });
});
