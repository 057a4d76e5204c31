import type { Express } from 'express';
import type { Page } from 'playwright-core';

/**
 * The link crawler of test/e2e/crawl.test.ts: which GET routes the app declares, and which of
 * them a person can reach by following links and GET forms from a launch's home page.
 */

interface Layer {
  name?: string;
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every GET route path of the app's routers (express 4 keeps them in `_router.stack`). */
export function getRoutes(app: Express): string[] {
  const out = new Set<string>();
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route?.methods.get) for (const p of [layer.route.path].flat()) out.add(p);
      else if (!layer.route && layer.name === 'router' && layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { _router: { stack: Layer[] } })._router.stack);
  return [...out].sort();
}

/** `/a/:id/b.csv` → a RegExp matching concrete paths as express does (trailing slash allowed, any case). */
export function routePattern(route: string): RegExp {
  const body = route.replace(/[.+*?^$()[\]{}|\\]/g, '\\$&').replace(/:\w+/g, '[^/]+');
  return new RegExp(`^${body}/?$`, 'i');
}

interface Found { links: string[]; getForms: string[] }

/**
 * In the browser (plain JS: the project's TypeScript has no DOM types): the page's links and the
 * addresses its GET forms submit to, one per submit button, with the fields as the page fills
 * them in, resolved against the page's own address. DOMParser runs no script and loads nothing.
 */
const EXTRACT = `(source, baseUrl) => {
  const doc = new DOMParser().parseFromString(source, 'text/html');
  const abs = (href) => {
    try { return new URL(href, baseUrl).href; } catch { return 'about:blank'; }
  };
  const links = [...doc.querySelectorAll('a[href]')].map((a) => abs(a.getAttribute('href')));
  const getForms = [];
  for (const form of doc.querySelectorAll('form')) {
    const fields = [];
    for (const el of form.querySelectorAll('input[name], select[name], textarea[name]')) {
      if (el.disabled) continue;
      if (el.tagName === 'INPUT') {
        if (['submit', 'button', 'image', 'reset', 'file'].includes(el.type)) continue;
        if ((el.type === 'checkbox' || el.type === 'radio') && !el.checked) continue;
        fields.push([el.name, el.value]);
      } else if (el.tagName === 'SELECT') {
        const chosen = [...el.options].filter((o) => o.selected);
        for (const o of chosen.length > 0 || el.multiple ? chosen : [...el.options].slice(0, 1)) fields.push([el.name, o.value]);
      } else fields.push([el.name, el.value]);
    }
    const buttons = [...form.querySelectorAll('button:not([type]), button[type="submit"], input[type="submit"]')];
    for (const button of buttons.length > 0 ? buttons : [null]) {
      const method = ((button && button.getAttribute('formmethod')) || form.getAttribute('method') || 'get').toLowerCase();
      if (method !== 'get') continue; // a POST changes things: the crawler never sends one
      const url = new URL(abs((button && button.getAttribute('formaction')) || form.getAttribute('action') || baseUrl));
      url.search = '';
      for (const [k, v] of fields) url.searchParams.append(k, v);
      if (button && button.name) url.searchParams.append(button.name, button.value);
      getForms.push(url.href);
    }
  }
  return { links, getForms };
}`;

function extract(page: Page, html: string, base: string): Promise<Found> {
  return page.evaluate(`(${EXTRACT})(${JSON.stringify(html)}, ${JSON.stringify(base)})`) as Promise<Found>;
}

export interface CrawlOptions {
  /** Only addresses of this origin are followed (links to the LMS and elsewhere are not). */
  origin: string;
  /** Route path of a concrete path, or undefined when no route of interest matches. */
  routeOf(path: string): string | undefined;
  maxPages?: number;
  /** At most this many paths per route (of 40 sessions' take pages, a few are enough)... */
  perRoute?: number;
  /** ...and this many addresses per path (sort orders and filters of one page). */
  perPath?: number;
}

export interface CrawlResult {
  /** Route → the first address that reached it. */
  reached: Map<string, string>;
  /** Addresses that answered ≥ 400, with the page that linked to them. */
  failures: string[];
  visited: number;
}

/**
 * Breadth-first over links and GET forms from `start`, with the browser context's cookies (the
 * launch's) through `page.request`. Only HTML answers are read for more links; downloads count
 * as reached. Static files are not pages. A GET form is sent as the page fills it in (its
 * selects are not tried one option at a time), so data a filter hides by default is not seen.
 */
export async function crawl(page: Page, start: string, opts: CrawlOptions): Promise<CrawlResult> {
  const maxPages = opts.maxPages ?? 150;
  const perRoute = opts.perRoute ?? 4;
  const perPath = opts.perPath ?? 2;
  const queue: Array<{ url: string; from: string }> = [{ url: start, from: '(launch)' }];
  const seen = new Set<string>([start]);
  const pathsOfRoute = new Map<string, Set<string>>();
  const perPathCount = new Map<string, number>();
  const reached = new Map<string, string>();
  const failures: string[] = [];
  let visited = 0;
  const note = (url: URL) => {
    const route = opts.routeOf(url.pathname);
    if (route && !reached.has(route)) reached.set(route, url.pathname + url.search);
  };
  while (queue.length > 0 && visited < maxPages) {
    const { url, from } = queue.shift() as { url: string; from: string };
    visited += 1;
    const res = await page.request.get(url, { maxRedirects: 5, timeout: 15_000 });
    const final = new URL(res.url());
    if (res.status() >= 400) {
      failures.push(`${res.status()} ${new URL(url).pathname} (linked from ${from})`);
      continue;
    }
    note(new URL(url));
    note(final);
    if (!(res.headers()['content-type'] ?? '').startsWith('text/html')) continue;
    const found = await extract(page, await res.text(), final.href);
    for (const next of [...found.links, ...found.getForms]) {
      const u = new URL(next);
      u.hash = '';
      if (u.origin !== opts.origin || u.pathname.startsWith('/static/') || seen.has(u.href)) continue;
      const paths = pathsOfRoute.get(opts.routeOf(u.pathname) ?? u.pathname) ?? new Set<string>();
      if (!paths.has(u.pathname) && paths.size >= perRoute) continue;
      const count = perPathCount.get(u.pathname) ?? 0;
      if (count >= perPath) continue;
      paths.add(u.pathname);
      pathsOfRoute.set(opts.routeOf(u.pathname) ?? u.pathname, paths);
      perPathCount.set(u.pathname, count + 1);
      seen.add(u.href);
      queue.push({ url: u.href, from: final.pathname });
    }
  }
  return { reached, failures, visited };
}
