import type { Browser, Page } from 'playwright-core';
import { browserSuite } from '../support/browser-suite';
import { crawl, getRoutes, routePattern } from '../support/crawl';
import { seedCrawlCourse } from '../support/crawl-course';
import type { TestHarness } from '../support/tool';

/**
 * Issue #14: every page the tool declares can be reached by following its own links from the
 * home page of a real LMS launch (the export form had no link at all). The crawler follows
 * links and GET forms breadth-first with the launch's cookies and ltik, never sends a POST, and
 * stays on the tool's origin (the "back to the LMS" link is not followed). A new teacher or
 * student page without a link to it fails here, unless it is listed below with the reason.
 */

/** GET routes that are answers to a form POST, not pages anyone links to. */
const AFTER_POST_ONLY: Record<string, string> = {
  '/activity/:activityId/student/sessions/:sessionId/check-in/done': 'the answer to a submitted check-in (303 after the POST)',
};

let h: TestHarness;
let browser: Browser;
const contextId = 'e2e-crawl';
const COURSE = { context: { id: contextId, label: 'PHY101', title: 'Physics 101' }, resourceLink: { id: 'rl1', title: 'Lectures' } };
const STUDENTS = [['s-anna', 'Anna', 'Bērziņa'], ['s-janis', 'Jānis', 'Kalniņš'], ['s-liga', 'Līga', 'Ozola']] as const;

browserSuite((harness, b) => { h = harness; browser = b; });

/**
 * A course where every page has something to show. A mark in the running session too: the
 * crawler submits GET forms as they come (the sessions list shows upcoming ones), and a marked
 * row is what links to a student's change history.
 */
const seed = () => seedCrawlCourse(h, contextId, {
  students: STUDENTS, email: (id) => `${id}@example.com`, group: { name: 'Lab A', memberIds: ['s-anna', 's-janis'] },
  descriptions: { past: 'Mechanics', lab: 'Lab 1', open: 'Optics', future: 'Waves' },
  marks: [['past', 's-anna', 'P'], ['past', 's-janis', 'L'], ['lab', 's-anna', 'A'], ['open', 's-liga', 'P']],
  createdBy: 'teacher-1',
});

/** The app's GET routes of one side (teacher or student pages), and how to name a concrete path's route. */
function routesOf(side: 'teacher' | 'student') {
  const all = getRoutes(h.tool.app);
  const prefix = `/activity/:activityId/${side}`;
  const mine = all.filter((r) => r === prefix || r.startsWith(`${prefix}/`));
  const patterns = all.map((r) => [r, routePattern(r)] as const);
  const routeOf = (path: string) => patterns.find(([, re]) => re.test(path))?.[0];
  return { mine, routeOf };
}

async function launchAndCrawl(page: Page, role: 'Instructor' | 'Learner', side: 'teacher' | 'student') {
  const user = role === 'Instructor' ? { id: 'teacher-1', givenName: 'Terry', familyName: 'Teacher' } : { id: 's-anna', givenName: 'Anna', familyName: 'Bērziņa' };
  await page.goto(h.lms.browserLaunchUrl({ role, ...COURSE, user }));
  await page.getByRole('heading', { level: 1 }).first().waitFor({ timeout: 15_000 });
  const home = page.url();
  expect(new URL(home).pathname).toMatch(new RegExp(`/${side}$`));
  const { mine, routeOf } = routesOf(side);
  const result = await crawl(page, home, { origin: h.tool.url, routeOf, maxPages: 150 });
  return { mine, result };
}

describe('every page can be reached by following links from the launch', () => {
  beforeAll(async () => {
    // The teacher's launch creates the course; then the data every page needs.
    const page = await browser.newPage();
    await page.goto(h.lms.browserLaunchUrl({ role: 'Instructor', ...COURSE, user: { id: 'teacher-1', givenName: 'Terry', familyName: 'Teacher' } }));
    await page.getByRole('navigation', { name: 'Activity sections' }).waitFor({ timeout: 15_000 });
    await page.close();
    await seed();
  });

  it.each([
    ['teacher', 'Instructor'],
    ['student', 'Learner'],
  ] as const)('when the %s (LTI role %s) launches and follows every link and GET form, then every page of that side is reached and none fails', async (side, role) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const { mine, result } = await launchAndCrawl(page, role, side);
    const expected = mine.filter((r) => !(r in AFTER_POST_ONLY));
    const unreachable = expected.filter((r) => !result.reached.has(r));
    expect({ side, unreachable }).toEqual({ side, unreachable: [] });
    expect(result.failures).toEqual([]);
    // The list of exceptions must not outlive its routes.
    for (const route of Object.keys(AFTER_POST_ONLY).filter((r) => r.includes(`/${side}/`))) expect(mine).toContain(route);
    expect(result.visited).toBeLessThan(150);
    await context.close();
  });
});
