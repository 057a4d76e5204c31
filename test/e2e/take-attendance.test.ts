import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { AttendanceRecordModel } from '../../src/attendance/attendance-record.model';
import { activityKey, courseKey } from '../../src/courses/keys';
import { MemberModel } from '../../src/roster/member.model';
import { AttendanceSessionModel } from '../../src/sessions/attendance-session.model';
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

/** Launches the teacher in the browser, then opens the take page of a fresh 6-student session. */
async function openTakePage(page: Page): Promise<{ sessionId: string; url: string }> {
  await page.goto(h.lms.browserLaunchUrl({ role: 'Instructor', context: { id: contextId, title: 'Physics 101' }, resourceLink: { id: 'rl1', title: 'Lectures' } }));
  await page.getByRole('navigation', { name: 'Activity sections' }).waitFor({ timeout: 15_000 });
  const ltik = new URL(page.url()).searchParams.get('ltik') ?? '';
  const courseId = courseKey(h.lms.issuer, h.lms.clientId, contextId, 'rl1');
  const activityId = activityKey(courseId, 'rl1');
  await MemberModel.bulkWrite(CLASS.map(([userId, givenName, familyName]) => ({
    updateOne: { filter: { courseId, userId }, update: { $set: { givenName, familyName, name: `${givenName} ${familyName}`, email: `${userId}@example.com`, role: 'student', active: true } }, upsert: true },
  })));
  const sessionId = randomUUID();
  await AttendanceSessionModel.create({
    _id: sessionId, courseId, activityId, startsAt: new Date('2099-03-02T08:00:00Z'), durationMinutes: 90, timezone: 'Europe/Riga',
    description: 'Mechanics, lecture 1', audience: { kind: 'all' }, statusSetId: `${activityId}-default`, createdBy: 'teacher-1',
  });
  const url = `${h.tool.url}/activity/${activityId}/teacher/sessions/${sessionId}/take?ltik=${encodeURIComponent(ltik)}`;
  await page.goto(url);
  await page.getByRole('heading', { level: 1, name: 'Take attendance' }).waitFor();
  return { sessionId, url };
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
});
