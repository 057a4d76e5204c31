import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { AttendanceRecordModel } from '../../src/attendance/attendance-record.model';
import { saveSelfMarking } from '../../src/check-in/self-marking.service';
import { DEFAULT_SELF_MARKING } from '../../src/check-in/settings';
import { activityKey, courseKey } from '../../src/courses/keys';
import { AttendanceSessionModel } from '../../src/sessions/attendance-session.model';
import { screenshot } from '../support/browser';
import type { TestHarness } from '../support/tool';
import { browserSuite } from '../support/browser-suite';

let h: TestHarness;
let browser: Browser;
const contextId = 'e2e-check-in';

browserSuite((harness, b) => { h = harness; browser = b; });

/** The teacher's launch creates the activity; a lecture that started 5 minutes ago is open for the password ACDEFG. */
async function openLecture(description: string): Promise<{ sessionId: string; activityId: string }> {
  const teacher = await h.lms.launch({ role: 'Instructor', context: { id: contextId, title: 'Physics 101' }, resourceLink: { id: 'rl1', title: 'Lectures' } });
  if (!teacher.ltik) throw new Error(`teacher launch failed: ${teacher.status}`);
  const courseId = courseKey(h.lms.issuer, h.lms.clientId, contextId, 'rl1');
  const activityId = activityKey(courseId, 'rl1');
  const sessionId = randomUUID();
  await AttendanceSessionModel.create({
    _id: sessionId, courseId, activityId, startsAt: new Date(Date.now() - 5 * 60_000), durationMinutes: 90, timezone: 'Europe/Riga',
    description, audience: { kind: 'all' }, statusSetId: `${activityId}-default`, createdBy: 'teacher-1',
  });
  await saveSelfMarking(courseId, activityId, sessionId, { ...DEFAULT_SELF_MARKING, allowedCidrs: [], password: 'ACDEFG', enabled: true });
  return { sessionId, activityId };
}

async function launchStudent(page: Page, user: { id: string; givenName: string; familyName: string }, locale = 'en'): Promise<void> {
  await page.goto(h.lms.browserLaunchUrl({ role: 'Learner', context: { id: contextId, title: 'Physics 101' }, resourceLink: { id: 'rl1', title: 'Lectures' }, user, locale }));
}

function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => { if (msg.type() === 'error') problems.push(msg.text()); });
  page.on('pageerror', (err) => problems.push(err.message));
  return problems;
}

describe('password check-in in a real browser', () => {
  it('when a student opens the activity, submits the open lecture and types the password, then the confirmation names them, the session and the status', async () => {
    const { sessionId } = await openLecture('Mechanics, lecture 2');
    const page = await browser.newPage({ viewport: { width: 900, height: 800 } });
    const problems = watchProblems(page);
    await launchStudent(page, { id: 's-liga', givenName: 'Līga', familyName: 'Ozola' });
    const open = page.getByRole('region', { name: 'Now', exact: true });
    await open.waitFor({ timeout: 15_000 });
    await expect(open.textContent()).resolves.toContain('Mechanics, lecture 2');
    await open.locator('li', { hasText: 'Mechanics, lecture 2' }).getByRole('link', { name: 'Submit attendance' }).click();

    await page.getByRole('heading', { level: 1, name: 'Submit attendance' }).waitFor();
    await page.getByLabel('Password').fill('acd-efg'); // case and separators do not matter
    await page.getByRole('button', { name: 'Submit attendance' }).click();

    await page.getByRole('heading', { level: 1, name: 'Attendance recorded' }).waitFor();
    const confirmation = (await page.locator('main').textContent()) ?? '';
    expect(confirmation).toContain('Thank you, Līga Ozola. Your attendance is recorded.');
    expect(confirmation).toContain('Mechanics, lecture 2');
    expect(confirmation).toContain('P · Present');
    await screenshot(page, 'check-in-password-done');

    const records = await AttendanceRecordModel.find({ sessionId }).lean();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ userId: 's-liga', source: 'self' });
    expect(records[0]?.selfRecordedAt).toBeInstanceOf(Date);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('when a student types a wrong password, then the translated error is shown, the form stays and nothing is recorded', async () => {
    const { sessionId } = await openLecture('Optics, lecture 1');
    const page = await browser.newPage({ viewport: { width: 900, height: 800 } });
    const problems = watchProblems(page);
    await launchStudent(page, { id: 's-janis', givenName: 'Jānis', familyName: 'Kalniņš' }, 'lv');
    const open = page.getByRole('region', { name: 'Tagad', exact: true });
    await open.waitFor({ timeout: 15_000 });
    await open.locator('li', { hasText: 'Optics, lecture 1' }).getByRole('link', { name: 'Iesniegt apmeklējumu' }).click();

    await page.getByRole('heading', { level: 1, name: 'Iesniegt apmeklējumu' }).waitFor();
    await page.getByLabel('Parole').fill('WRONG9');
    await page.getByRole('button', { name: 'Iesniegt apmeklējumu' }).click();

    const alert = page.getByRole('alert');
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toBe('Nepareiza parole. Atlikuši 4 mēģinājumi.');
    await expect(page.getByLabel('Parole').isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Iesniegt apmeklējumu' }).isVisible()).resolves.toBe(true);
    await screenshot(page, 'check-in-password-wrong');
    expect(await AttendanceRecordModel.countDocuments({ sessionId })).toBe(0);
    expect(problems.filter((p) => !/status of 400/.test(p))).toEqual([]);
    await page.close();
  });
});
