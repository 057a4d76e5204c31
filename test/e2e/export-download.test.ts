import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { AttendanceRecordModel } from '../../src/attendance/attendance-record.model';
import { activityKey, courseKey } from '../../src/courses/keys';
import { MemberModel } from '../../src/roster/member.model';
import { AttendanceSessionModel } from '../../src/sessions/attendance-session.model';
import { screenshot } from '../support/browser';
import type { TestHarness } from '../support/tool';
import { parseCsv } from '../integration/reports/export-support';
import { browserSuite } from '../support/browser-suite';

let h: TestHarness;
let browser: Browser;
const contextId = 'e2e-export';
const CLASS = [
  ['s-anna', 'Anna', 'Bērziņa', 'P', 'Late, "bus"'],
  ['s-janis', 'Jānis', 'Ķēniņš', 'A', ''],
  ['s-eve', 'Eve', '=Evil', 'L', '@once'],
] as const;

browserSuite((harness, b) => { h = harness; browser = b; });

describe('exporting in a real browser', () => {
  it('when the teacher fills in the export form and picks CSV, then the browser downloads a file with one header row and the class', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 }, acceptDownloads: true });
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(err.message));
    await page.goto(h.lms.browserLaunchUrl({ role: 'Instructor', context: { id: contextId, label: 'PHY101', title: 'Physics 101' }, resourceLink: { id: 'rl1', title: 'Lectures' } }));
    await page.getByRole('navigation', { name: 'Activity sections' }).waitFor({ timeout: 15_000 });
    const courseId = courseKey(h.lms.issuer, h.lms.clientId, contextId, 'rl1');
    const activityId = activityKey(courseId, 'rl1');
    await MemberModel.insertMany(CLASS.map(([userId, givenName, familyName]) => ({
      courseId, userId, givenName, familyName, name: `${givenName} ${familyName}`, email: `${userId}@example.com`, role: 'student', active: true,
    })));
    const sessionId = randomUUID();
    await AttendanceSessionModel.create({
      _id: sessionId, courseId, activityId, startsAt: new Date('2025-03-03T08:00:00Z'), durationMinutes: 90, timezone: 'Europe/Riga',
      description: 'Mechanics', audience: { kind: 'all' }, statusSetId: `${activityId}-default`, createdBy: 'teacher-1',
    });
    await AttendanceRecordModel.insertMany(CLASS.map(([userId, , , a, remark]) => ({
      courseId, activityId, sessionId, userId, statusSetId: `${activityId}-default`, statusId: `${activityId}-default-${a}`, remark, source: 'teacher',
    })));

    // Report → Export, as the teacher guide says; the report's date filter comes along.
    await page.getByRole('navigation', { name: 'Activity sections' }).getByRole('link', { name: 'Report' }).click();
    await page.getByRole('heading', { level: 1, name: 'Report' }).waitFor();
    await page.getByLabel('From', { exact: true }).fill('2025-03-01');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/from=2025-03-01/);
    await page.getByRole('link', { name: 'Export', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Export attendance' }).waitFor();
    await expect(page.getByLabel('From', { exact: true }).inputValue()).resolves.toBe('2025-03-01');
    await page.getByRole('group', { name: 'Identifier column' }).getByLabel('LMS user ID').check();
    await page.getByLabel('Remarks (a column after each session)').check();
    await screenshot(page, 'export-form');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^PHY101-Lectures-attendance-\d{4}-\d{2}-\d{2}\.csv$/);
    const path = await download.path();
    const bytes = await readFile(path);
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const rows = parseCsv(bytes.toString('utf8').slice(1));
    expect(rows[0]).toEqual([
      'Last name', 'First name', 'LMS user ID', '2025-03-03 10:00 · All students', '2025-03-03 10:00 · All students · remark',
      'P count', 'L count', 'E count', 'A count', 'Sessions taken', 'Points earned', 'Points possible', 'Percentage',
    ]);
    expect(rows.slice(1)).toEqual([
      ["'=Evil", 'Eve', 's-eve', 'L', "'@once", '0', '1', '0', '0', '1', '1', '2', '50'],
      ['Bērziņa', 'Anna', 's-anna', 'P', 'Late, "bus"', '1', '0', '0', '0', '1', '2', '2', '100'],
      ['Ķēniņš', 'Jānis', 's-janis', 'A', '', '0', '0', '0', '1', '1', '0', '2', '0'],
    ]);
    // The page stays on the form: a download does not navigate away.
    await expect(page.getByRole('heading', { level: 1, name: 'Export attendance' }).isVisible()).resolves.toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });
});
