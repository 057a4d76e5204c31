import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { AttendanceRecordModel } from '../../src/attendance/attendance-record.model';
import { activityKey, courseKey } from '../../src/courses/keys';
import { MemberModel } from '../../src/roster/member.model';
import { AttendanceSessionModel } from '../../src/sessions/attendance-session.model';
import { describeViolations, seriousViolations } from '../support/axe';
import { screenshot } from '../support/browser';
import type { TestHarness } from '../support/tool';
import { browserSuite } from '../support/browser-suite';

let h: TestHarness;
let browser: Browser;
const contextId = 'e2e-take';
const CLASS = [
  ['s-anna', 'Anna', 'Bērziņa'],
  ['s-zane', 'Zane', 'Čakste'],
  ['s-janis', 'Jānis', 'Kalniņš'],
  ['s-liga', 'Līga', 'Ozola'],
  ['s-peteris', 'Pēteris', 'Zariņš'],
  ['s-eva', 'Eva', 'Lapiņa'],
] as const;

browserSuite((harness, b) => { h = harness; browser = b; });

const courseId = () => courseKey(h.lms.issuer, h.lms.clientId, contextId, 'rl1');
const activityId = () => activityKey(courseId(), 'rl1');

/** The 6 students and a fresh session of the course (after a first launch created the course and its status set). */
async function seedSession(): Promise<string> {
  await MemberModel.bulkWrite(CLASS.map(([userId, givenName, familyName]) => ({
    updateOne: { filter: { courseId: courseId(), userId }, update: { $set: { givenName, familyName, name: `${givenName} ${familyName}`, email: `${userId}@example.com`, role: 'student', active: true } }, upsert: true },
  })));
  const sessionId = randomUUID();
  await AttendanceSessionModel.create({
    _id: sessionId, courseId: courseId(), activityId: activityId(), startsAt: new Date('2099-03-02T08:00:00Z'), durationMinutes: 90, timezone: 'Europe/Riga',
    description: 'Mechanics, lecture 1', audience: { kind: 'all' }, statusSetId: `${activityId()}-default`, createdBy: 'teacher-1',
  });
  return sessionId;
}

type Teacher = { id: string; givenName: string; familyName: string };

/** The teacher's launch in the browser; then Sessions → the session's take link, as a teacher clicks. */
async function launchAndOpen(page: Page, sessionId: () => Promise<string>, user?: Teacher): Promise<string> {
  await page.goto(h.lms.browserLaunchUrl({ role: 'Instructor', context: { id: contextId, title: 'Physics 101' }, resourceLink: { id: 'rl1', title: 'Lectures' }, ...(user ? { user } : {}) }));
  const nav = page.getByRole('navigation', { name: 'Activity sections' });
  await nav.waitFor({ timeout: 15_000 });
  const id = await sessionId();
  await nav.getByRole('link', { name: 'Sessions' }).click();
  await page.getByRole('heading', { level: 1, name: 'Sessions' }).waitFor();
  await page.locator(`a[href*="${id}/take"]`).first().click();
  await page.getByRole('heading', { level: 1, name: 'Take attendance' }).waitFor();
  return id;
}

/** Launches the teacher in the browser, then opens the take page of a fresh 6-student session. */
async function openTakePage(page: Page): Promise<{ sessionId: string }> {
  return { sessionId: await launchAndOpen(page, seedSession) };
}

const counter = (page: Page) => page.locator('.js-unmarked-text');
const checkedAcronym = (page: Page, row: number) => page.locator(`input[name="s${row}"]:checked + span`).evaluate((el) => el.firstChild?.textContent ?? '').catch(() => '');

describe('taking attendance in a real browser', () => {
  it('when the teacher marks students with the keyboard and saves, then the counter drops and a reload shows the saved marks with the rest highlighted', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const problems: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(msg.text());
    });
    page.on('pageerror', (err) => problems.push(err.message));
    const { sessionId } = await openTakePage(page);

    await expect(counter(page).textContent()).resolves.toBe('6 still unmarked');
    await expect(page.getByText(/Keyboard: in a student's row, press the letter/).isVisible()).resolves.toBe(true);
    // Rows are by last name: Bērziņa, Čakste, Kalniņš, Lapiņa, Ozola, Zariņš.
    await page.locator('input[name="s0"]').first().focus();
    await page.keyboard.press('p');
    await page.keyboard.press('L'); // focus moved to the next row; letters are case-insensitive
    await page.keyboard.press('a');
    await expect(counter(page).textContent()).resolves.toBe('3 still unmarked');
    await expect(page.locator('.js-unsaved').isVisible()).resolves.toBe(true);
    expect(await page.evaluate('document.activeElement && document.activeElement.name')).toBe('s3');
    expect([await checkedAcronym(page, 0), await checkedAcronym(page, 1), await checkedAcronym(page, 2)]).toEqual(['P', 'L', 'A']);
    await expect(page.locator('tr.take-row--unmarked').count()).resolves.toBe(3);
    await expect(page.locator('.take-flag:visible').count()).resolves.toBe(3);
    await page.getByLabel('Remark for Kalniņš, Jānis').fill('Ill, phoned in');

    await page.getByRole('button', { name: 'Save attendance' }).first().click();
    await page.getByText('Attendance saved: 3 changes.').waitFor();
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Take attendance' }).waitFor();
    expect([await checkedAcronym(page, 0), await checkedAcronym(page, 1), await checkedAcronym(page, 2)]).toEqual(['P', 'L', 'A']);
    await expect(page.getByLabel('Remark for Kalniņš, Jānis').inputValue()).resolves.toBe('Ill, phoned in');
    await expect(counter(page).textContent()).resolves.toBe('3 still unmarked');
    const unmarked = page.locator('tr.take-row--unmarked');
    await expect(unmarked.count()).resolves.toBe(3);
    await expect(unmarked.first().getByText('Unmarked').isVisible()).resolves.toBe(true);
    await expect(unmarked.first().locator('th').textContent()).resolves.toContain('Lapiņa, Eva');
    await screenshot(page, 'take-attendance');

    const records = await AttendanceRecordModel.find({ sessionId }).lean();
    expect(records.map((r) => r.userId).sort()).toEqual(['s-anna', 's-janis', 's-zane']);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('when the teacher presses "Only the unmarked: A" with JavaScript on, then the remaining rows are filled in the page without saving', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const { sessionId } = await openTakePage(page);
    await page.locator('input[name="s1"]').first().check();
    await page.getByRole('button', { name: 'Only the unmarked: A · Absent' }).click();
    await expect(counter(page).textContent()).resolves.toBe('Everyone is marked');
    expect(await checkedAcronym(page, 1)).toBe('P');
    expect(await checkedAcronym(page, 5)).toBe('A');
    await expect(page.locator('.take-flag:visible').count()).resolves.toBe(0);
    expect(await AttendanceRecordModel.countDocuments({ sessionId })).toBe(0);
    await page.close();
  });

  it('when two pages have the same session open and the second saves over a change the first made, then the row is highlighted with both values, and "use mine" decides', async () => {
    const sizes = [{ width: 1000, height: 900 }, { width: 700, height: 900 }, { width: 390, height: 844 }];
    const pageA = await browser.newPage({ viewport: sizes[0] });
    // Page B's context lets axe-core in (the tool's CSP refuses injected scripts otherwise).
    const contextB = await browser.newContext({ bypassCSP: true, viewport: sizes[0] });
    const pageB = await contextB.newPage();
    const problems: string[] = [];
    for (const p of [pageA, pageB]) p.on('pageerror', (err) => problems.push(err.message));
    const sessionId = await launchAndOpen(pageA, seedSession);
    await launchAndOpen(pageB, async () => sessionId, { id: 'teacher-janis', givenName: 'Jānis', familyName: 'Ozols' });
    // Both pages show everyone unmarked. Page A marks Ozola L with a remark and saves first.
    const ozolaA = pageA.getByRole('group', { name: 'Status of Ozola, Līga' });
    await ozolaA.getByLabel('L Late').check();
    await pageA.getByLabel('Remark for Ozola, Līga').fill('bus');
    await pageA.getByRole('button', { name: 'Save attendance' }).first().click();
    await pageA.getByText('Attendance saved: 1 change.').waitFor();

    // Page B still shows Ozola unmarked; it marks Ozola P and Kalniņš E, and saves.
    await pageB.getByRole('group', { name: 'Status of Ozola, Līga' }).getByLabel('P Present').check();
    await pageB.getByRole('group', { name: 'Status of Kalniņš, Jānis' }).getByLabel('E Excused').check();
    await pageB.getByRole('button', { name: 'Save attendance' }).first().click();
    await pageB.getByText(/Attendance saved: 1 change\. 1 conflict:/).waitFor();
    const conflict = pageB.locator('tr.take-conflict-row');
    await expect(conflict.count()).resolves.toBe(1);
    await expect(conflict.textContent()).resolves.toMatch(/Changed by Terry Teacher at \d\d:\d\d to L · Late, remark “bus”\.\s*You chose P · Present, no remark\./);
    await expect(pageB.locator('tr.take-row--conflict th').textContent()).resolves.toContain('Ozola, Līga');
    // "Keep theirs" is chosen, and the row shows theirs; the teacher's choice is one click away.
    const choices = pageB.getByRole('group', { name: 'Which mark to keep for Ozola, Līga' });
    await expect(choices.getByLabel('Keep theirs: L · Late').isChecked()).resolves.toBe(true);
    await expect(pageB.getByLabel('Remark for Ozola, Līga').inputValue()).resolves.toBe('bus');
    expect(describeViolations('take page with a conflict', await seriousViolations(pageB))).toBe('');
    for (const size of sizes) {
      await pageB.setViewportSize(size);
      const overflow = await pageB.evaluate('Math.max(document.documentElement.scrollWidth - document.documentElement.clientWidth, ...Array.from(document.querySelectorAll(".table-wrap"), (e) => e.scrollWidth - e.clientWidth))');
      expect([size.width, overflow]).toEqual([size.width, 0]);
      await screenshot(pageB, `take-attendance-conflict-${size.width}`);
    }
    await pageB.setViewportSize(sizes[0]!);

    await choices.getByLabel('Use mine: P · Present').check();
    await expect(pageB.getByRole('group', { name: 'Status of Ozola, Līga' }).getByLabel('P Present').isChecked()).resolves.toBe(true);
    await expect(pageB.getByLabel('Remark for Ozola, Līga').inputValue()).resolves.toBe('');
    await pageB.getByRole('button', { name: 'Save attendance' }).first().click();
    await pageB.getByText('Attendance saved: 1 change.').waitFor();
    const records = await AttendanceRecordModel.find({ sessionId }).lean();
    expect(records.map((r) => [r.userId, r.statusId.slice(-1), r.remark, r.updatedBy]).sort()).toEqual([
      ['s-janis', 'E', '', 'teacher-janis'], ['s-liga', 'P', '', 'teacher-janis'],
    ]);
    expect(problems).toEqual([]);
    await pageA.close();
    await contextB.close();
  });
});
