import type { Browser, Page } from 'playwright-core';
import { browserSuite } from '../support/browser-suite';
import { crawl, getRoutes, routePattern } from '../support/crawl';
import { seedCrawlCourse } from '../support/crawl-course';
import type { TestHarness } from '../support/tool';

/**
 * Issue #14 (defect 4): pages wider than the LMS frame. Moodle's embedded view gives the tool
 * ~926–969 px at a 1366 px screen, a phone gives 390 px; no teacher or student page may make the
 * frame scroll sideways. Wide data tables may scroll inside their own box, the page may not.
 * Every page a real launch reaches by following links (test/support/crawl.ts) is measured.
 */

let h: TestHarness;
let browser: Browser;
/** A phone, a narrow LMS frame, Moodle's content column at a 1366 px screen, and the screen itself. */
const WIDTHS = [390, 760, 926, 1366] as const;
const contextId = 'e2e-widths';
const COURSE = { context: { id: contextId, label: 'PHY101', title: 'Physics 101' }, resourceLink: { id: 'rl1', title: 'Lectures' } };
const TEACHER = { id: 'teacher-1', givenName: 'Terry', familyName: 'Teacher' };
const STUDENT = { id: 's-anna', givenName: 'Anna-Marija Elizabete', familyName: 'Bērziņa-Kalniņa-Ozoliņa' };
const STUDENTS = [
  ['s-anna', STUDENT.givenName, STUDENT.familyName],
  ['s-janis', 'Jānis Kristaps Aleksandrs', 'Vanags-Dombrovskis-Kristapsons-Ziemelis'],
  ['s-liga', 'Līga', 'Ozola'],
  ['s-long', 'Maksimiliāns', 'Pārdaugavasgrīziņkalnskrastmalasiela'],
] as const;

browserSuite((harness, b) => { h = harness; browser = b; });

/** Sessions (past, in a group, running with self-marking on, future), long names, a group, marks. */
const seed = () => seedCrawlCourse(h, contextId, {
  students: STUDENTS, email: (id) => `${id}.with-a-rather-long-address@students.example-university.lv`,
  group: { name: 'Laboratory group A (Tuesdays)', memberIds: ['s-anna', 's-janis', 's-long'] },
  descriptions: { past: 'Classical mechanics: Newton’s laws, momentum and energy conservation', lab: 'Laboratory work 1', open: 'Optics', future: 'Waves' },
  marks: [['past', 's-anna', 'P'], ['past', 's-janis', 'L'], ['past', 's-long', 'E'], ['lab', 's-anna', 'A'], ['open', 's-liga', 'P']],
  createdBy: TEACHER.id,
});

function routeOfFor(side: 'teacher' | 'student') {
  const patterns = getRoutes(h.tool.app).map((r) => [r, routePattern(r)] as const);
  const prefix = `/activity/:activityId/${side}`;
  return (path: string) => patterns.find(([r, re]) => (r === prefix || r.startsWith(`${prefix}/`)) && re.test(path))?.[0];
}

/** Launches as the LMS would, crawls the side's pages, and returns the HTML pages reached (one per route). */
async function pagesOf(page: Page, side: 'teacher' | 'student'): Promise<string[]> {
  const role = side === 'teacher' ? 'Instructor' : 'Learner';
  await page.goto(h.lms.browserLaunchUrl({ role, ...COURSE, user: side === 'teacher' ? TEACHER : STUDENT }));
  await page.getByRole('heading', { level: 1 }).first().waitFor({ timeout: 15_000 });
  const result = await crawl(page, page.url(), { origin: h.tool.url, routeOf: routeOfFor(side), maxPages: 150 });
  const urls: string[] = [];
  for (const address of result.reached.values()) {
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

describe('pages fit the width the LMS frame gives them', () => {
  beforeAll(async () => {
    const page = await browser.newPage();
    await page.goto(h.lms.browserLaunchUrl({ role: 'Instructor', ...COURSE, user: TEACHER }));
    await page.getByRole('navigation', { name: 'Activity sections' }).waitFor({ timeout: 15_000 });
    await page.close();
    await seed();
  });

  it.each(['teacher', 'student'] as const)('when the %s opens every page reachable from the launch at 390, 760, 926 and 1366 px wide, then no page scrolls sideways', async (side) => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    const urls = await pagesOf(page, side);
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
