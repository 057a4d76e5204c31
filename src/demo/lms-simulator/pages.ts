/**
 * The simulator's own pages in demo mode: the course page (its people, "Launch as …" buttons,
 * the launch language), the gradebook (what the tool posted over AGS) and the page of the
 * launches' return_url. Plain HTML strings; every value is escaped. This is the simulator's
 * origin, not the tool's, so a <style> is fine.
 */
import type http from 'node:http';
import { DEMO_CONTEXT, DEMO_RESOURCE_LINK, roleLabel } from '../demo-course';
import type { LmsSimulator } from './simulator';
import type { ExtraRoutes, MockUser } from './types';
import { escapeHtml as h, send } from './util';

type Lang = 'en' | 'lv';
const LANGS: Record<Lang, string> = { en: 'English', lv: 'Latviešu' };
const langOf = (url: URL): Lang => (url.searchParams.get('lang') === 'lv' ? 'lv' : 'en');
const fullName = (u: MockUser): string => `${u.givenName} ${u.familyName}`;

const STYLE = `
body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1d2330;background:#f4f5f8}
header{background:#23395d;color:#fff;padding:.75rem 1.5rem}header a{color:#fff}
main{max-width:70rem;margin:0 auto;padding:1rem 1.5rem}
.card{background:#fff;border:1px solid #d6d9e0;border-radius:6px;padding:1rem 1.25rem;margin:1rem 0}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid #e3e5ea}
a.button,button{display:inline-block;padding:.25rem .6rem;border:1px solid #23395d;border-radius:4px;
color:#23395d;background:#fff;text-decoration:none;font-size:.9rem;margin:.1rem 0}
a.button:hover,button:hover{background:#e8edf6}.muted{color:#5b6170}
iframe{width:100%;height:75vh;border:1px solid #c4c8d0;background:#fff}`;

function layout(title: string, body: string, head = ''): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${h(title)} · LMS simulator</title>${head}<style>${STYLE}</style></head><body>` +
    `<header><strong>LMS simulator</strong> · <a href="/">${h(DEMO_CONTEXT.title)}</a> · <a href="/gradebook">Gradebook</a></header>` +
    `<main>${body}</main></body></html>`
  );
}

function launchHref(user: MockUser, mode: 'frame' | 'window', lang: Lang): string {
  return `/launch/${encodeURIComponent(user.id)}?mode=${mode}&lang=${lang}`;
}

function homePage(sim: LmsSimulator, lang: Lang): string {
  const rows = sim.members(DEMO_CONTEXT.id).map((u) => {
    const name = h(fullName(u));
    return (
      `<tr><td>${name}</td><td>${h(roleLabel(u))}</td><td>` +
      `<a class="button" href="${h(launchHref(u, 'frame', lang))}">Launch as ${name} (in the course page)</a> ` +
      `<a class="button" href="${h(launchHref(u, 'window', lang))}" target="_blank" rel="noopener">Launch as ${name} (new window)</a>` +
      `</td></tr>`
    );
  });
  const options = (Object.keys(LANGS) as Lang[])
    .map((l) => `<option value="${l}"${l === lang ? ' selected' : ''}>${h(LANGS[l])}</option>`)
    .join('');
  const body =
    `<h1>${h(DEMO_CONTEXT.title)}</h1>` +
    `<p class="muted">A simulated LMS course with the LTI Attendance tool added as “${h(DEMO_RESOURCE_LINK.title)}”. ` +
    `Launch as the teacher first: the tool then reads the class list from this LMS.</p>` +
    `<form class="card" method="get" action="/"><label for="lang">Language of the launches</label> ` +
    `<select id="lang" name="lang">${options}</select> <button type="submit">Apply</button></form>` +
    `<div class="card"><h2>People (${rows.length})</h2><table><thead><tr><th scope="col">Name</th><th scope="col">Role</th>` +
    `<th scope="col">Launch</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>` +
    `<p><a href="/gradebook">Open the gradebook</a> — the grades the tool sends back.</p>`;
  return layout(DEMO_CONTEXT.title, body);
}

function framePage(user: MockUser, startUrl: string): string {
  const body =
    `<h1>${h(DEMO_CONTEXT.title)}: ${h(DEMO_RESOURCE_LINK.title)}</h1>` +
    `<p class="muted">Signed in to the LMS as ${h(fullName(user))} (${h(roleLabel(user))}). <a href="/">Back to the course</a></p>` +
    `<iframe id="tool" title="LTI Attendance" src="${h(startUrl)}" allow="camera"></iframe>`;
  return layout(DEMO_CONTEXT.title, body);
}

function gradebookPage(sim: LmsSimulator): string {
  const names = new Map(sim.members(DEMO_CONTEXT.id).map((u) => [u.id, fullName(u)]));
  const items = sim.lineItems(DEMO_CONTEXT.id).map(
    (i) => `<tr><td>${h(String(i.label ?? ''))}</td><td class="num">${h(String(i.scoreMaximum ?? ''))}</td><td><code>${h(String(i.id ?? ''))}</code></td></tr>`,
  );
  const rows = sim
    .gradebook(DEMO_CONTEXT.id)
    .sort((a, b) => (b.timestamp ?? '').localeCompare(a.timestamp ?? ''))
    .map((r) => {
      const score = r.resultScore === null ? '—' : `${r.resultScore} / ${r.resultMaximum}`;
      return (
        `<tr><td>${h(r.timestamp ?? '')}</td><td>${h(names.get(r.userId) ?? r.userId)}</td><td>${h(r.label)}</td>` +
        `<td>${h(score)}</td><td>${h(r.activityProgress ?? '')} / ${h(r.gradingProgress ?? '')}</td><td>${h(r.comment ?? '')}</td></tr>`
      );
    });
  const none = (cols: number, text: string) => `<tr><td colspan="${cols}" class="muted">${h(text)}</td></tr>`;
  const body =
    `<h1>Gradebook</h1><p class="muted">The line items and scores LTI Attendance posted (AGS), newest first. ` +
    `This page refreshes every 10 seconds.</p>` +
    `<div class="card"><h2>Line items</h2><table><thead><tr><th scope="col">Label</th><th scope="col">Maximum</th>` +
    `<th scope="col">Id</th></tr></thead><tbody>${items.join('') || none(3, 'No line items yet.')}</tbody></table></div>` +
    `<div class="card"><h2>Scores</h2><table><thead><tr><th scope="col">Received</th><th scope="col">Student</th>` +
    `<th scope="col">Line item</th><th scope="col">Score</th><th scope="col">Progress (activity / grading)</th>` +
    `<th scope="col">Comment</th></tr></thead><tbody>${rows.join('') || none(6, 'No scores yet.')}</tbody></table></div>`;
  return layout('Gradebook', body, '<meta http-equiv="refresh" content="10">');
}

/**
 * The launch's return_url: where the tool's "back to the LMS" sends the person, often inside the
 * course page's iframe. Its links leave the frame (base target _top) for the course page.
 */
function returnPage(): string {
  const body =
    `<h1>Returned to LMS.</h1><p class="muted">You left LTI Attendance.</p>` +
    `<p><a class="button" href="/">Back to the course page: ${h(DEMO_CONTEXT.title)}</a></p>`;
  return layout('Returned to LMS', body, '<base target="_top">');
}

function startLaunch(sim: LmsSimulator, res: http.ServerResponse, url: URL, userId: string): void {
  const user = sim.members(DEMO_CONTEXT.id).find((m) => m.id === userId);
  if (!user) return send(res, 404, layout('Not found', '<h1>No such person in this course</h1>'), 'text/html');
  const start = sim.browserLaunchUrl({
    user: { id: user.id }, context: DEMO_CONTEXT, resourceLink: DEMO_RESOURCE_LINK, locale: langOf(url),
  });
  if (url.searchParams.get('mode') === 'frame') return send(res, 200, framePage(user, start), 'text/html');
  res.writeHead(302, { Location: start, 'Cache-Control': 'no-store' });
  res.end();
}

/** The routes for LmsSimulator's `extraRoutes`; `sim` is looked up late because it is built after its server. */
export function demoPages(sim: () => LmsSimulator | undefined): ExtraRoutes {
  return (req, res, url) => {
    const lms = sim();
    if (!lms || req.method !== 'GET') return false;
    const launch = /^\/launch\/([\w-]+)$/.exec(url.pathname);
    if (url.pathname === '/') send(res, 200, homePage(lms, langOf(url)), 'text/html');
    else if (url.pathname === '/gradebook') send(res, 200, gradebookPage(lms), 'text/html');
    else if (url.pathname === '/return') send(res, 200, returnPage(), 'text/html');
    else if (launch?.[1] !== undefined) startLaunch(lms, res, url, launch[1]);
    else return false;
    return true;
  };
}

