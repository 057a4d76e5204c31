import { startHarness, TestHarness } from '../../support/tool';
import { addGroup, addMembers, addSession, ExportCourse, launchExportTeacher } from './export-support';

/**
 * Issue #14, defect 1: the report page leads to the export form (docs/teacher-guide.md: "Report → Export"),
 * and the report's group and dates arrive there already chosen.
 */

let h: TestHarness;
let a: ExportCourse;
let groupId = '';

beforeAll(async () => {
  h = await startHarness();
  a = await launchExportTeacher(h, 'exp-link');
  await addMembers(a.courseId, [
    { id: 's-anna', givenName: 'Anna', familyName: 'Bērziņa' },
    { id: 's-liga', givenName: 'Līga', familyName: 'Ozola' },
  ]);
  groupId = await addGroup(a.courseId, 'Grupa B', ['s-liga']);
  await addSession(a, '2025-03-03T08:00:00Z', 'Intro');
});
afterAll(async () => {
  await h?.close();
});

const decode = (s: string) => s.replace(/&#34;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The href of the link whose whole text is `text`, as the browser would follow it. */
function linkTo(html: string, text: string): string | undefined {
  const m = new RegExp(`<a\\b[^>]*\\bhref="([^"]*)"[^>]*>\\s*${text}\\s*</a>`).exec(html);
  return m?.[1] === undefined ? undefined : decode(m[1]);
}

async function reportPage(query: string) {
  return a.agent.get(`/activity/${a.activityId}/teacher/report?${query}${query ? '&' : ''}ltik=${encodeURIComponent(a.ltik)}`);
}

describe('Report → Export', () => {
  it('when the report is filtered by group and dates, then its Export link carries them and the export form opens with them chosen', async () => {
    const report = await reportPage(`group=${groupId}&from=2025-03-01&to=2025-03-31&view=week&below=1&sort=percentage`);
    expect(report.status).toBe(200);
    const href = linkTo(report.text, 'Export');
    expect(href).toBeDefined();
    const url = new URL(href ?? '', h.tool.url);
    expect(url.pathname).toBe(`/activity/${a.activityId}/teacher/report/export`);
    expect(Object.fromEntries(url.searchParams)).toEqual({ group: groupId, from: '2025-03-01', to: '2025-03-31', ltik: a.ltik });

    const form = await a.agent.get(`${url.pathname}${url.search}`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('<h1>Export attendance</h1>');
    expect(form.text).toContain('name="who" value="group" checked');
    expect(form.text).toContain(`<option value="${groupId}" selected>Grupa B</option>`);
    expect(form.text).toMatch(/id="from" name="from" value="2025-03-01"/);
    expect(form.text).toMatch(/id="to" name="to" value="2025-03-31"/);
  });

  it('when the report is not filtered, then Export opens the form for all participants and every date', async () => {
    const href = linkTo((await reportPage('')).text, 'Export') ?? '';
    const url = new URL(href, h.tool.url);
    expect(url.pathname).toBe(`/activity/${a.activityId}/teacher/report/export`);
    expect([...url.searchParams.keys()]).toEqual(['ltik']);
    const form = await a.agent.get(`${url.pathname}${url.search}`);
    expect(form.text).toContain('name="who" value="all" checked');
    expect(form.text).toMatch(/id="from" name="from" value=""/);
  });

  it('when a typed date is not a date, then the Export link leaves that date out and keeps the rest', async () => {
    const report = await reportPage(`group=${groupId}&from=2025-02-30&to=2025-03-31`);
    expect(report.status).toBe(400);
    const url = new URL(linkTo(report.text, 'Export') ?? '', h.tool.url);
    expect(Object.fromEntries(url.searchParams)).toEqual({ group: groupId, to: '2025-03-31', ltik: a.ltik });
  });

  it('when the teacher uses Latvian, then the link says so in Latvian', async () => {
    const lv = await launchExportTeacher(h, 'exp-link', { locale: 'lv', userId: 'teacher-lv' });
    const res = await lv.agent.get(`/activity/${lv.activityId}/teacher/report?ltik=${encodeURIComponent(lv.ltik)}`);
    expect(linkTo(res.text, 'Eksportēt')).toContain('/teacher/report/export?ltik=');
  });

  it('when a student launches, then no page of theirs links to the export and the export form is refused', async () => {
    const s = await h.lms.launch({ role: 'Learner', context: { id: 'exp-link' }, resourceLink: { id: 'rl1' }, user: { id: 's-anna', givenName: 'Anna', familyName: 'Bērziņa' } });
    const ltik = encodeURIComponent(s.ltik ?? '');
    const home = await s.agent.get(`/activity/${a.activityId}/student?ltik=${ltik}`);
    expect(home.status).toBe(200);
    expect(home.text).not.toContain('/report/export');
    const form = await s.agent.get(`/activity/${a.activityId}/teacher/report/export?group=${groupId}&ltik=${ltik}`);
    expect(form.status).toBe(403);
    expect(form.text).not.toContain('Export attendance');
  });
});
