import type { Browser, Page } from 'playwright-core';
import { browserSuite } from '../support/browser-suite';
import { crawl, getRoutes, routePattern } from '../support/crawl';
import { seedCrawlCourse } from '../support/crawl-course';
import type { TestHarness } from '../support/tool';

/**
 * Issue #14, one crawl per side for two checks:
 * - Reachable by clicking: every page the tool declares can be reached by following its own
 *   links from the home page of a real LMS launch (the export form had no link at all). The
 *   crawler follows links and GET forms breadth-first with the launch's cookies and ltik, never
 *   sends a POST, and stays on the tool's origin (the "back to the LMS" link is not followed). A
 *   new teacher or student page without a link to it fails here, unless it is listed below with
 *   the reason.
 * - Fits the frame (defect 4): Moodle's embedded view gives the tool ~926–969 px at a 1366 px
 *   screen, a phone gives 390 px; no page reached may make the frame scroll sideways. Wide data
 *   tables may scroll inside their own box, the page may not.
 */

/** GET routes that are answers to a form POST, not pages anyone links to. */
const AFTER_POST_ONLY: Record<string, string> = {
  '/activity/:activityId/student/sessions/:sessionId/check-in/done': 'the answer to a submitted check-in (303 after the POST)',
};

let h: TestHarness;
let browser: Browser;
/** A phone, a narrow LMS frame, Moodle's content column at a 1366 px screen, and the screen itself. */
const WIDTHS = [390, 760, 926, 1366] as const;
const contextId = 'e2e-crawl';
const COURSE = { context: { id: contextId, label: 'PHY101', title: 'Physics 101' }, resourceLink: { id: 'rl1', title: 'Lectures' } };
const TEACHER = { id: 'teacher-1', givenName: 'Terry', familyName: 'Teacher' };
/** Long names, so that a page that only fits with short ones fails. */
const STUDENT = { id: 's-anna', givenName: 'Anna-Marija Elizabete', familyName: 'Bērziņa-Kalniņa-Ozoliņa' };
const STUDENTS = [
  ['s-anna', STUDENT.givenName, STUDENT.familyName],
  ['s-janis', 'Jānis Kristaps Aleksandrs', 'Vanags-Dombrovskis-Kristapsons-Ziemelis'],
  ['s-liga', 'Līga', 'Ozola'],
  ['s-long', 'Maksimiliāns', 'Pārdaugavasgrīziņkalnskrastmalasiela'],
] as const;

browserSuite((harness, b) => { h = harness; browser = b; });

/**
 * A course where every page has something to show: sessions (past, in a group, running with
 * self-marking on, future), long names, a group, marks. A mark in the running session too: the
 * crawler submits GET forms as they come (the sessions list shows upcoming ones), and a marked
 * row is what links to a student's change history.
 */
const seed = () => seedCrawlCourse(h, contextId, {
  students: STUDENTS, email: (id) => `${id}.with-a-rather-long-address@students.example-university.lv`,
  group: { name: 'Laboratory group A (Tuesdays)', memberIds: ['s-anna', 's-janis', 's-long'] },
  descriptions: { past: 'Classical mechanics: Newton’s laws, momentum and energy conservation', lab: 'Laboratory work 1', open: 'Optics', future: 'Waves' },
  marks: [['past', 's-anna', 'P'], ['past', 's-janis', 'L'], ['past', 's-long', 'E'], ['lab', 's-anna', 'A'], ['open', 's-liga', 'P']],
  createdBy: TEACHER.id,
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

async function launchAndCrawl(page: Page, side: 'teacher' | 'student') {
  const role = side === 'teacher' ? 'Instructor' : 'Learner';
  await page.goto(h.lms.browserLaunchUrl({ role, ...COURSE, user: side === 'teacher' ? TEACHER : STUDENT }));
  await page.getByRole('heading', { level: 1 }).first().waitFor({ timeout: 15_000 });
  const home = page.url();
  expect(new URL(home).pathname).toMatch(new RegExp(`/${side}$`));
  const { mine, routeOf } = routesOf(side);
  const result = await crawl(page, home, { origin: h.tool.url, routeOf, maxPages: 150 });
  return { mine, result };
}

/** The HTML pages among the addresses reached (one per route). */
async function htmlPages(page: Page, addresses: Iterable<string>): Promise<string[]> {
  const urls: string[] = [];
  for (const address of addresses) {
    const url = new URL(address, h.tool.url).href;
    const res = await page.request.get(url);
    if ((res.headers()['content-type'] ?? '').startsWith('text/html')) urls.push(url);
  }
  return urls;
}

/** Data tables that scroll sideways inside their own box; only the report's grids may (they grow with the sessions). */
const INNER_SCROLL = `[...document.querySelectorAll('body:not(.report-page) .table-wrap')]
  .map((e) => e.scrollWidth - e.clientWidth).filter((n) => n > 0)`;

/** Every page at every width: how far it is wider than the viewport ("path @ width: +N px"). */
async function overflows(page: Page, urls: string[]): Promise<{ page: string[]; table: string[] }> {
  const out = { page: [] as string[], table: [] as string[] };
  for (const url of urls) {
    const name = new URL(url).pathname.replace(/\/activity\/[^/]+/, '');
    await page.setViewportSize({ width: WIDTHS[0], height: 900 });
    await page.goto(url, { waitUntil: 'load' });
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      const over = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
      if (over > 0) out.page.push(`${name} @ ${width}px: +${over}px`);
      const inner = (await page.evaluate(INNER_SCROLL)) as number[];
      if (inner.length > 0) out.table.push(`${name} @ ${width}px: table +${inner.join(', +')}px`);
    }
  }
  return out;
}

describe('every page is reached by following links from the launch, and fits the LMS frame', () => {
  beforeAll(async () => {
    // The teacher's launch creates the course; then the data every page needs.
    const page = await browser.newPage();
    await page.goto(h.lms.browserLaunchUrl({ role: 'Instructor', ...COURSE, user: TEACHER }));
    await page.getByRole('navigation', { name: 'Activity sections' }).waitFor({ timeout: 15_000 });
    await page.close();
    await seed();
  });

  it.each(['teacher', 'student'] as const)('when the %s launches and follows every link and GET form, then every page of that side is reached, none fails, and none scrolls sideways at 390, 760, 926 or 1366 px', async (side) => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    const { mine, result } = await launchAndCrawl(page, side);
    const expected = mine.filter((r) => !(r in AFTER_POST_ONLY));
    const unreachable = expected.filter((r) => !result.reached.has(r));
    expect({ side, unreachable }).toEqual({ side, unreachable: [] });
    expect(result.failures).toEqual([]);
    // The list of exceptions must not outlive its routes.
    for (const route of Object.keys(AFTER_POST_ONLY).filter((r) => r.includes(`/${side}/`))) expect(mine).toContain(route);
    expect(result.visited).toBeLessThan(150);

    const urls = await htmlPages(page, result.reached.values());
    expect(urls.length).toBeGreaterThan(side === 'teacher' ? 10 : 1);
    const found = await overflows(page, urls);
    // The page itself never scrolls sideways in the LMS frame...
    expect({ side, overflowing: found.page }).toEqual({ side, overflowing: [] });
    // ...and the lists with row actions (sessions' Take attendance/Edit/Delete, the status
    // editor's Delete) reflow instead of hiding them to the right of a scrolling table.
    expect({ side, tablesScrolling: found.table }).toEqual({ side, tablesScrolling: [] });
    await context.close();
  });
});
