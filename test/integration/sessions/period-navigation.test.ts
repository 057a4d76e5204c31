import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { AttendanceSessionModel } from '../../../src/sessions/attendance-session.model';
import { startHarness, TestHarness } from '../../support/tool';
import { launchTeacher, TeacherPages, visibleText } from './helpers';

const RIGA = 'Europe/Riga';
// Thursday 3 December 2026, 12:00 in Riga: this week is Mon 30 Nov – Sun 6 Dec.
const clock = new Date('2026-12-03T10:00:00Z');

let h: TestHarness;
beforeAll(async () => {
  h = await startHarness({ now: () => clock });
});
afterAll(async () => {
  await h?.close();
});

/**
 * 41 upcoming sessions: 21 daily ones at 08:00 from Fri 4 Dec to Thu 24 Dec 2026, and 20 weekly
 * ones on Mondays at 14:00 from 7 Dec 2026 to 19 Apr 2027.
 */
async function fortyOneSessions(t: TeacherPages): Promise<string[]> {
  const starts = [
    ...Array.from({ length: 21 }, (_, i) => DateTime.fromISO('2026-12-04T08:00', { zone: RIGA }).plus({ days: i })),
    ...Array.from({ length: 20 }, (_, i) => DateTime.fromISO('2026-12-07T14:00', { zone: RIGA }).plus({ weeks: i })),
  ];
  const ids = starts.map(() => randomUUID());
  await AttendanceSessionModel.insertMany(starts.map((start, i) => ({
    _id: ids[i], courseId: t.courseId, activityId: t.activityId, startsAt: start.toJSDate(), durationMinutes: 90, timezone: RIGA,
    description: i < 21 ? `Daily ${i + 1}` : `Weekly ${i - 20}`, audience: { kind: 'all' }, statusSetId: `${t.activityId}-default`, createdBy: 'teacher-1',
  })));
  return ids;
}

const rows = (html: string) => (html.match(/<input type="checkbox" name="ids"/g) ?? []).length;
const decode = (href: string) => href.replace(/&amp;/g, '&');
/** The href of the link with this accessible name (aria-label or its text). */
function linkNamed(html: string, name: string): string {
  const byLabel = new RegExp(`<a [^>]*href="([^"]+)"[^>]*aria-label="${name}"`).exec(html);
  const byText = new RegExp(`<a href="([^"]+)"[^>]*>${name}</a>`).exec(html);
  const href = byLabel?.[1] ?? byText?.[1];
  if (!href) throw new Error(`no link named ${name}`);
  return decode(href);
}
const open = (t: TeacherPages, href: string) => t.agent.get(href);

describe('sessions list: navigating by week and month', () => {
  it('when a teacher opens the week view, then only this week\'s sessions are listed, and ◀ ▶ move by one week', async () => {
    const t = await launchTeacher(h, 'pn-week');
    await fortyOneSessions(t);

    const week = await t.get('/sessions?period=week');
    expect(week.status).toBe(200);
    expect(rows(week.text)).toBe(3); // Fri 4, Sat 5, Sun 6 Dec
    expect(visibleText(week.text)).toMatch(/30 Nov – 6 Dec 2026/);
    expect(visibleText(week.text)).toContain('Daily 3');
    expect(visibleText(week.text)).not.toContain('Daily 4');
    expect(week.text).toContain('aria-label="Previous week"');
    expect(week.text).toContain('aria-label="Next week"');

    const next = await open(t, linkNamed(week.text, 'Next week'));
    expect(next.status).toBe(200);
    expect(rows(next.text)).toBe(8); // 7 daily + Monday's weekly
    expect(visibleText(next.text)).toMatch(/7 – 13 Dec 2026/);
    expect(visibleText(next.text)).toContain('Weekly 1');

    const back = await open(t, linkNamed(next.text, 'This week'));
    expect(rows(back.text)).toBe(3);

    const previous = await open(t, linkNamed(week.text, 'Previous week'));
    expect(rows(previous.text)).toBe(0);
    expect(visibleText(previous.text)).toMatch(/23 – 29 Nov 2026/);
    expect(visibleText(previous.text)).toContain('No sessions here');
  });

  it('when a teacher switches to Month and All, then the month shows its sessions and All shows all 41', async () => {
    const t = await launchTeacher(h, 'pn-month');
    await fortyOneSessions(t);
    const week = await t.get('/sessions?period=week');

    const month = await open(t, linkNamed(week.text, 'Month'));
    expect(visibleText(month.text)).toContain('December 2026');
    expect(rows(month.text)).toBe(25); // 21 daily + Mondays 7, 14, 21, 28
    const january = await open(t, linkNamed(month.text, 'Next month'));
    expect(visibleText(january.text)).toContain('January 2027');
    expect(rows(january.text)).toBe(4);

    const all = await open(t, linkNamed(january.text, 'All'));
    expect(rows(all.text)).toBe(41);
    expect(visibleText(all.text)).toContain('41 sessions shown');
  });

  it('when no period is asked for, then the list shows all upcoming sessions as before (the documented default)', async () => {
    const t = await launchTeacher(h, 'pn-default');
    await fortyOneSessions(t);
    const list = await t.get('/sessions');
    expect(rows(list.text)).toBe(41);
    expect(list.text).toMatch(/aria-current="true" class="is-current">All</);
  });

  it.each([
    ['an unknown period', '?period=year&from=2026-12-07', 41],
    ['a date that does not exist', '?period=week&from=2026-13-45', 3],
    ['a from that is not a date', '?period=month&from=%3Cscript%3E', 25],
  ])('when the query has %s, then the page falls back to the default instead of failing', async (_what, query, expected) => {
    const t = await launchTeacher(h, `pn-bad-${Math.random()}`);
    await fortyOneSessions(t);
    const res = await t.get(`/sessions${query}`);
    expect(res.status).toBe(200);
    expect(rows(res.text)).toBe(expected);
    expect(res.text).not.toContain('<script>');
  });

  it('when the list has other filters, then every period link keeps them and the ltik', async () => {
    const t = await launchTeacher(h, 'pn-keep');
    await fortyOneSessions(t);
    const week = await t.get('/sessions?period=week&from=2026-12-09&by=month&group=everyone');
    for (const name of ['Previous week', 'Next week', 'This week', 'Month', 'All']) {
      const url = new URL(linkNamed(week.text, name), 'http://tool');
      expect(url.searchParams.get('ltik')).toBe(t.ltik);
      expect(url.searchParams.get('by')).toBe('month');
      expect(url.searchParams.get('group')).toBe('everyone');
    }
    expect(new URL(linkNamed(week.text, 'Next week'), 'http://tool').searchParams.get('from')).toBe('2026-12-14');
    expect(week.text).toContain('<input type="hidden" name="period" value="week">');
    expect(week.text).toContain('<input type="hidden" name="from" value="2026-12-07">');
  });

  it('when a bulk change is made in a week view, then the teacher comes back to that week', async () => {
    const t = await launchTeacher(h, 'pn-bulk');
    const ids = await fortyOneSessions(t);
    const res = await t.post('/sessions/bulk', { action: 'duration', minutes: '60', ids: [ids[3] ?? ''], view: 'upcoming', by: 'week', group: 'all', period: 'week', from: '2026-12-07' });
    expect(res.status).toBe(303);
    const back = await t.agent.get(res.headers.location ?? '');
    expect(visibleText(back.text)).toContain('Duration changed for 1 session.');
    expect(rows(back.text)).toBe(8);
  });

  it('when a student asks for a week of the sessions list, then they are refused (403)', async () => {
    await launchTeacher(h, 'pn-student');
    const student = await launchTeacher(h, 'pn-student', { role: 'Learner', userId: 'student-1' });
    expect((await student.get('/sessions?period=week&from=2026-12-07')).status).toBe(403);
  });
});
