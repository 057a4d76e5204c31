import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { courseKey } from '../../src/courses/keys';
import { AttendanceSessionModel } from '../../src/sessions/attendance-session.model';
import { MemberModel } from '../../src/roster/member.model';
import { screenshot } from '../support/browser';
import type { TestHarness } from '../support/tool';
import { browserSuite } from '../support/browser-suite';

let h: TestHarness;
let browser: Browser;
const contextId = 'e2e-planning';
const courseId = () => courseKey(h.lms.issuer, h.lms.clientId, contextId, 'rl-1');

browserSuite((harness, b) => {
  h = harness;
  browser = b;
  h.lms.setMembers(contextId, [
    { id: 'teacher-1', givenName: 'Terry', familyName: 'Teacher', roles: ['Instructor'] },
    { id: 's-anna', givenName: 'Anna', familyName: 'Bērziņa', email: 'anna@example.com', username: 'anna', roles: ['Learner'] },
    { id: 's-janis', givenName: 'Jānis', familyName: 'Kalniņš', email: 'janis@example.com', username: 'janis', roles: ['Learner'] },
    { id: 's-liga', givenName: 'Līga', familyName: 'Ozola', email: 'liga@example.com', username: 'liga', roles: ['Learner'] },
  ]);
});

async function teacherPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await page.goto(h.lms.browserLaunchUrl({ role: 'Instructor', context: { id: contextId, title: 'Physics 101' } }));
  await page.getByRole('navigation', { name: 'Activity sections' }).waitFor({ timeout: 15_000 });
  return page;
}

const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Activity sections' }).getByRole('link', { name }).click();

describe('a teacher planning the term in a real browser', () => {
  it('when the teacher previews and creates a weekly series, then the sessions appear in the list at local times', async () => {
    const page = await teacherPage();
    await nav(page, 'Sessions');
    await page.getByRole('link', { name: 'Add repeating sessions' }).first().click();
    await page.getByLabel('First date').fill('2099-03-02');
    await page.getByLabel('End date').fill('2099-04-27');
    await page.getByRole('checkbox', { name: /Monday|Mon/ }).check();
    await page.getByLabel('Start time').fill('10:00');
    await page.getByLabel('Duration (minutes)').fill('90');
    await page.getByRole('button', { name: 'Preview dates' }).click();
    await page.getByText('9 sessions will be created').waitFor();
    await screenshot(page, 'series-preview');
    await page.getByRole('button', { name: 'Create 9 sessions' }).click();
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect(await AttendanceSessionModel.countDocuments({ courseId: courseId() })).toBe(9);
    await expect(page.getByText('10:00–11:30').first().isVisible()).resolves.toBe(true);
    await screenshot(page, 'sessions-list');
    await page.close();
  });

  it('when the teacher selects all sessions across the weekly tables and sets a duration, then every listed session changes', async () => {
    const page = await teacherPage();
    await nav(page, 'Sessions');
    await page.getByRole('checkbox', { name: 'Select all sessions in the list' }).check(); // one table, week rows inside
    await page.getByLabel(/minutes/i).last().fill('45');
    await page.getByRole('button', { name: 'Set duration' }).click();
    await page.getByRole('heading', { level: 1 }).waitFor();
    // Only the upcoming (listed) sessions were selected: all nine of the 2099 series.
    const durations = await AttendanceSessionModel.distinct('durationMinutes', { courseId: courseId() });
    expect(durations).toEqual([45]);
    await page.close();
  });

  it('when the teacher picks a CSV file for a group, then its contents are imported and unmatched rows are listed', async () => {
    const page = await teacherPage();
    expect(await MemberModel.countDocuments({ courseId: courseId(), role: 'student' })).toBe(3); // roster synced at launch
    await nav(page, 'Groups');
    await page.getByRole('textbox').first().fill('Lab A');
    await page.getByRole('button', { name: /Create/ }).click();
    const dir = mkdtempSync(join(tmpdir(), 'csv-'));
    const file = join(dir, 'lab-a.csv');
    writeFileSync(file, '\uFEFFemail\nANNA@example.com\njanis\nnobody@example.com\n');
    await page.locator('input[type="file"]').setInputFiles(file);
    // The script reads the file with FileReader (asynchronous) into the textarea.
    await page.waitForFunction("document.querySelector('textarea[name=csv]').value.includes('ANNA@example.com')", undefined, { timeout: 5000 });
    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByText('Import finished').waitFor();
    await expect(page.getByText('nobody@example.com').isVisible()).resolves.toBe(true);
    await screenshot(page, 'group-import');
    await page.close();
  });

  it('when the teacher opens Participants and Statuses, then the LMS roster and the default P/L/E/A set are there', async () => {
    const page = await teacherPage();
    await nav(page, 'Participants');
    await page.getByRole('button', { name: 'Refresh roster' }).waitFor();
    for (const name of ['Bērziņa', 'Kalniņš', 'Ozola']) await expect(page.getByText(name).first().isVisible()).resolves.toBe(true);
    await screenshot(page, 'roster');
    await nav(page, 'Statuses');
    await page.getByRole('link', { name: /^Edit / }).first().click();
    await expect(page.locator('input[value="Present"]').count()).resolves.toBe(1);
    await screenshot(page, 'status-set-edit');
    await page.close();
  });
});
