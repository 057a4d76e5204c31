import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { AttendanceRecordModel } from '../../src/attendance/attendance-record.model';
import { activityKey, courseKey } from '../../src/courses/keys';
import { GroupModel } from '../../src/groups/group.model';
import { MemberModel } from '../../src/roster/member.model';
import { AttendanceSessionModel } from '../../src/sessions/attendance-session.model';
import { screenshot } from '../support/browser';
import type { TestHarness } from '../support/tool';
import { browserSuite } from '../support/browser-suite';

let h: TestHarness;
let browser: Browser;
const contextId = 'e2e-report';
// [userId, given, family, in group "Lab A", marks for the 4 past sessions]
const CLASS = [
  ['s-anna', 'Anna', 'Bērziņa', true, 'PPLP'],
  ['s-zane', 'Zane', 'Čakste', false, 'AAPE'],
  ['s-janis', 'Jānis', 'Kalniņš', true, 'PLAA'],
  ['s-liga', 'Līga', 'Ozola', false, 'PPPP'],
] as const;

browserSuite((harness, b) => { h = harness; browser = b; });

/** Four past weekly sessions (and one far ahead), every student marked; run after the teacher's launch created the activity. */
async function seed(): Promise<void> {
  const courseId = courseKey(h.lms.issuer, h.lms.clientId, contextId, 'rl1');
  const activityId = activityKey(courseId, 'rl1');
  const setId = `${activityId}-default`;
  await MemberModel.insertMany(CLASS.map(([userId, givenName, familyName]) => ({
    courseId, userId, givenName, familyName, name: `${givenName} ${familyName}`, email: `${userId}@example.com`, role: 'student', active: true, ltiRoles: ['Learner'], createdAt: new Date('2020-01-01'),
  })));
  await GroupModel.create({ _id: randomUUID(), courseId, name: 'Lab A', nameKey: 'lab a', memberIds: CLASS.filter((c) => c[3]).map((c) => c[0]) });
  const starts = ['2021-03-01', '2021-03-08', '2021-03-15', '2021-03-22', '2099-03-02'];
  const ids = starts.map(() => randomUUID());
  await AttendanceSessionModel.insertMany(starts.map((day, i) => ({
    _id: ids[i], courseId, activityId, startsAt: new Date(`${day}T08:00:00Z`), durationMinutes: 90, timezone: 'Europe/Riga',
    description: `Lecture ${i + 1}`, audience: { kind: 'all' }, statusSetId: setId, createdBy: 'teacher-1',
  })));
  await AttendanceRecordModel.insertMany(CLASS.flatMap(([userId, , , , marks]) => [...marks].map((acronym, i) => ({
    courseId, activityId, sessionId: ids[i], userId, statusSetId: setId, statusId: `${setId}-${acronym}`, remark: '',
  }))));
}

const rowNames = (page: Page) => page.locator('table.report-table tbody th[scope="row"]').evaluateAll((cells) => cells.map((c) => (c.firstChild?.textContent ?? '').trim()));

describe('the teacher report in a real browser', () => {
  it('when the teacher opens the report and filters by a group, then only that group is listed; sorting by percentage works in place', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const problems: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(msg.text());
    });
    page.on('pageerror', (err) => problems.push(err.message));
    await page.goto(h.lms.browserLaunchUrl({ role: 'Instructor', context: { id: contextId, title: 'Physics 101' }, resourceLink: { id: 'rl1', title: 'Lectures' } }));
    await page.getByRole('navigation', { name: 'Activity sections' }).waitFor({ timeout: 15_000 });
    await seed();

    await page.getByRole('navigation', { name: 'Activity sections' }).getByRole('link', { name: 'Report' }).click();
    await page.getByRole('heading', { level: 1, name: 'Report' }).waitFor();
    expect(await rowNames(page)).toEqual(['Bērziņa, Anna', 'Čakste, Zane', 'Kalniņš, Jānis', 'Ozola, Līga']);
    // Zane: A A P E = 3 of 8 → 37.5 %; Jānis: P L A A = 3 of 8 → 37.5 %: both flagged in text, not only colour.
    await expect(page.getByText('2 of 4 students are below 70 %.').isVisible()).resolves.toBe(true);
    await expect(page.locator('tr.is-below .badge', { hasText: 'Below 70 %' }).count()).resolves.toBe(2);
    await expect(page.getByRole('img', { name: /Attendance rate of 5 sessions/ }).isVisible()).resolves.toBe(true);

    await page.getByLabel('Group', { exact: true }).selectOption({ label: 'Lab A' });
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/group=/);
    expect(await rowNames(page)).toEqual(['Bērziņa, Anna', 'Kalniņš, Jānis']);
    await expect(page.getByText('1 of 2 students is below 70 %.').isVisible()).resolves.toBe(true);

    // The header link sorts without a reload (reports.js) and keeps the filter in the address.
    await page.evaluate("window.reportMarker = 'same page'");
    await page.locator('a.js-sort[data-sort="percentage"]').click();
    expect(await rowNames(page)).toEqual(['Kalniņš, Jānis', 'Bērziņa, Anna']);
    await expect(page.locator('th[aria-sort="ascending"] a[data-sort="percentage"]').count()).resolves.toBe(1);
    expect(page.url()).toMatch(/group=.*sort=percentage/);
    expect(await page.evaluate('window.reportMarker')).toBe('same page');

    await screenshot(page, 'report');
    expect(problems).toEqual([]);
    await page.close();
  });
});
