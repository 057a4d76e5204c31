import { randomUUID } from 'node:crypto';
import { AttendanceRecordModel } from '../../../src/attendance/attendance-record.model';
import { ActivityModel } from '../../../src/courses/activity.model';
import { MemberModel } from '../../../src/roster/member.model';
import { AttendanceSessionModel } from '../../../src/sessions/attendance-session.model';
import { withLtik } from '../../../src/shared/links';
import { addGroup, launchTeacher, TakeCourse, visibleText } from '../attendance/take-helpers';
import { startHarness, TestHarness } from '../../support/tool';

/**
 * The teacher report page on a crafted data set; every expected number is computed by hand.
 * Default set: P 2, L 1, E 1 (excused), A 0 (automatic) → a session is worth 2.
 * "now" = Fri 2026-03-20 12:00 UTC; activity zone Europe/Riga (UTC+2 in March before the 29th).
 * Everyone joined 2026-01-01 except Pēteris (2026-03-10). Group G1 = { Anna, Jānis }.
 *
 *                  S1 03-02  S2 03-04  S3 03-09  S4 03-11  S5 03-16  S6 03-25
 *                  all       all       G1        all       all       all (upcoming)
 *   Anna Bērziņa   P         E "Doctor" P        L         ?         ·     taken 4, 6/8 = 75.0 %
 *   Jānis Kalniņš  L         P         A         P         ?         ·     taken 4, 5/8 = 62.5 %  below
 *   Līga Ozola     A         P         (not G1)  E         ?         ·     taken 3, 3/6 = 50.0 %  below
 *   Pēteris Zariņš (joined)  (joined)  (joined)  P         ?         ·     taken 1, 2/2 = 100.0 %
 *   Zane Čakste    ?         ?         (not G1)  ?         ?         ·     taken 0, –
 *   Eva Lapiņa (inactive)    P in S1                                       not shown
 */

const NOW = new Date('2026-03-20T12:00:00Z');
const JOINED = new Date('2026-01-01T00:00:00Z');
const NAMES = { anna: 'Bērziņa, Anna', janis: 'Kalniņš, Jānis', liga: 'Ozola, Līga', peteris: 'Zariņš, Pēteris', zane: 'Čakste, Zane' };

let h: TestHarness;

interface Seeded { t: TakeCourse; g1: string; sessions: string[]; path(query?: string): string }

async function seed(contextId: string): Promise<Seeded> {
  const t = await launchTeacher(h, contextId);
  const { courseId, activityId, status: S } = t;
  const member = (userId: string, givenName: string, familyName: string, over: Record<string, unknown> = {}) => ({
    courseId, userId, givenName, familyName, name: `${givenName} ${familyName}`, role: 'student', active: true, ltiRoles: ['Learner'], createdAt: JOINED, ...over,
  });
  await MemberModel.insertMany([
    member('anna', 'Anna', 'Bērziņa'), member('janis', 'Jānis', 'Kalniņš'), member('liga', 'Līga', 'Ozola'),
    member('peteris', 'Pēteris', 'Zariņš', { createdAt: new Date('2026-03-10T00:00:00Z') }), member('zane', 'Zane', 'Čakste'),
    member('eva', 'Eva', 'Lapiņa', { active: false }),
  ]);
  const g1 = await addGroup(courseId, 'G1', ['anna', 'janis']);
  const days: Array<[string, 'all' | 'g1', string]> = [
    ['2026-03-02', 'all', 'Intro'], ['2026-03-04', 'all', 'Lab 1'], ['2026-03-09', 'g1', 'Group seminar'],
    ['2026-03-11', 'all', 'Lecture 4'], ['2026-03-16', 'all', 'Lecture 5'], ['2026-03-25', 'all', 'Future'],
  ];
  const sessions = days.map(() => randomUUID());
  await AttendanceSessionModel.insertMany(days.map(([day, who, description], i) => ({
    _id: sessions[i], courseId, activityId, startsAt: new Date(`${day}T08:00:00Z`), durationMinutes: 90, timezone: 'Europe/Riga', description,
    audience: who === 'all' ? { kind: 'all' } : { kind: 'group', groupId: g1 }, statusSetId: `${activityId}-default`, createdBy: 'teacher',
  })));
  const rec = (s: number, userId: string, statusId: string, remark = '') => ({ courseId, activityId, sessionId: sessions[s], userId, statusSetId: `${activityId}-default`, statusId, remark });
  await AttendanceRecordModel.insertMany([
    rec(0, 'anna', S.P), rec(0, 'janis', S.L), rec(0, 'liga', S.A), rec(0, 'eva', S.P),
    rec(1, 'anna', S.E, 'Doctor'), rec(1, 'janis', S.P), rec(1, 'liga', S.P),
    rec(2, 'anna', S.P), rec(2, 'janis', S.A),
    rec(3, 'anna', S.L), rec(3, 'janis', S.P), rec(3, 'liga', S.E), rec(3, 'peteris', S.P),
  ]);
  const base = `/activity/${activityId}/teacher/report`;
  return { t, g1, sessions, path: (query) => withLtik(query ? `${base}?${query}` : base, t.ltik) };
}

const decode = (s: string) => s.replace(/&#34;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const cellsOf = (tr: string) => [...tr.matchAll(/<t([dh])([^>]*)>([\s\S]*?)<\/t[dh]>/g)].map((m) => ({ attrs: m[2] ?? '', text: visibleText(m[3] ?? '').trim() }));

interface StudentRow { name: string; below: boolean; counts: string[]; taken: string; points: string; percentage: string; marks: string[]; titles: string[] }

/** The student table as a teacher reads it: counts P L E A, taken, points, percentage, then one mark per session. */
function studentRows(html: string): StudentRow[] {
  const table = /<table class="data report-table[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  return [...table.matchAll(/<tr data-n[^>]*>([\s\S]*?)<\/tr>/g)].map((m) => {
    const cells = cellsOf(m[1] ?? '');
    const nameCell = cells[0]?.text ?? '';
    const below = /Below 70 %/.test(nameCell);
    return {
      name: nameCell.replace(/\s*Below 70 %/, ''), below,
      counts: cells.slice(1, 5).map((c) => c.text), taken: cells[5]?.text ?? '', points: cells[6]?.text ?? '', percentage: cells[7]?.text ?? '',
      marks: cells.slice(8).map((c) => c.text), titles: cells.slice(8).map((c) => decode(/title="([^"]*)"/.exec(c.attrs)?.[1] ?? '')),
    };
  });
}

function sessionRows(html: string): string[][] {
  const table = /<table class="data report-sessions">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  return [...table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => cellsOf(m[1] ?? '').map((c) => c.text));
}

const byName = (rows: StudentRow[]) => Object.fromEntries(rows.map((r) => [r.name, r]));

beforeAll(async () => {
  h = await startHarness({ now: () => NOW });
});
afterAll(async () => {
  await h?.close();
});

describe('the teacher report page', () => {
  let d: Seeded;
  beforeAll(async () => {
    d = await seed('rep-main');
  });

  it('when a teacher opens the report, then each active student has the hand-computed counts, taken, points and percentage, by last name', async () => {
    const res = await d.t.agent.get(d.path());
    expect(res.status).toBe(200);
    const rows = studentRows(res.text);
    expect(rows.map((r) => r.name)).toEqual([NAMES.anna, NAMES.zane, NAMES.janis, NAMES.liga, NAMES.peteris]);
    const r = byName(rows);
    expect(r[NAMES.anna]).toMatchObject({ counts: ['2', '1', '1', '0'], taken: '4', points: '6 / 8', percentage: '75.0 %', below: false });
    expect(r[NAMES.janis]).toMatchObject({ counts: ['2', '1', '0', '1'], taken: '4', points: '5 / 8', percentage: '62.5 %', below: true });
    expect(r[NAMES.liga]).toMatchObject({ counts: ['1', '0', '1', '1'], taken: '3', points: '3 / 6', percentage: '50.0 %', below: true });
    expect(r[NAMES.peteris]).toMatchObject({ counts: ['1', '0', '0', '0'], taken: '1', points: '2 / 2', percentage: '100.0 %', below: false });
    expect(r[NAMES.zane]).toMatchObject({ counts: ['0', '0', '0', '0'], taken: '0', points: '0 / 0', percentage: '–', below: false });
    expect(visibleText(res.text)).not.toContain('Lapiņa');
    expect(visibleText(res.text)).toContain('2 of 5 students are below 70 %.');
  });

  it('when a teacher reads the session columns, then each shows the acronym, "?" for unmarked ended sessions, blank outside the audience, and a title with the description and remark', async () => {
    const r = byName(studentRows((await d.t.agent.get(d.path())).text));
    expect(r[NAMES.anna]?.marks).toEqual(['P', 'E', 'P', 'L', '?', '']);
    expect(r[NAMES.anna]?.titles.slice(0, 2)).toEqual(['Present', 'Excused — Doctor']);
    expect(r[NAMES.anna]?.titles[4]).toBe('Not marked');
    expect(r[NAMES.anna]?.titles[5]).toBe('Not taken yet');
    expect(r[NAMES.liga]?.marks).toEqual(['A', 'P', '', 'E', '?', '']);
    expect(r[NAMES.liga]?.titles[2]).toBe('');
    expect(r[NAMES.peteris]?.marks).toEqual(['', '', '', 'P', '?', '']);
    expect(r[NAMES.zane]?.marks).toEqual(['?', '?', '', '?', '?', '']);
  });

  it('when a teacher reads the per-session summary, then each session has its audience, marked, unmarked (or "upcoming"), counts and rate', async () => {
    const res = await d.t.agent.get(d.path());
    const rows = sessionRows(res.text);
    // when, description, for, students, marked, unmarked, P, L, E, A, rate
    expect(rows.map((c) => c.slice(1))).toEqual([
      ['Intro', 'All students', '4', '3', '1', '1', '1', '0', '1', '50.0 %'],
      ['Lab 1', 'All students', '4', '3', '1', '2', '0', '1', '0', '83.3 %'],
      ['Group seminar', 'G1', '2', '2', '0', '1', '0', '0', '1', '50.0 %'],
      ['Lecture 4', 'All students', '5', '4', '1', '2', '1', '1', '0', '75.0 %'],
      ['Lecture 5', 'All students', '5', '0', '5', '0', '0', '0', '0', '–'],
      ['Future', 'All students', '5', '0', 'upcoming', '0', '0', '0', '0', '–'],
    ]);
    expect(rows[0]?.[0]).toBe('Mon, 2 Mar 2026, 10:00–11:30');
  });

  it('when the page shows charts, then each is an SVG image with a summary label and a data table', async () => {
    const html = (await d.t.agent.get(d.path())).text;
    expect(html.match(/<svg[^>]*role="img"/g)).toHaveLength(2);
    expect(decode(html)).toContain('aria-label="Attendance rate of 6 sessions: lowest 50.0 %, highest 83.3 %; 2 below the 70 % threshold."');
    expect(decode(html)).toContain('aria-label="Marks per status: P 6, L 2, E 2, A 2, ? 8."');
    expect(html.match(/<rect class="chart__bar"[^>]*><title>/g)).toHaveLength(4); // the sessions that have a rate
    expect(html).toContain('<rect class="chart__bar bar--unmarked"');
    expect(visibleText(html)).toContain('Show the data as a table');
  });

  it('when the group filter is applied, then only its members are listed and sessions for other groups are left out', async () => {
    const rows = studentRows((await d.t.agent.get(d.path(`group=${d.g1}`))).text);
    expect(rows.map((r) => r.name)).toEqual([NAMES.anna, NAMES.janis]);
    expect(rows[0]?.marks).toEqual(['P', 'E', 'P', 'L', '?', '']);
  });

  it('when a date range is applied, then only sessions of those local days count ("to" inclusive) and the numbers follow', async () => {
    const res = await d.t.agent.get(d.path('from=2026-03-04&to=2026-03-09'));
    const r = byName(studentRows(res.text));
    expect(r[NAMES.anna]).toMatchObject({ marks: ['E', 'P'], taken: '2', points: '3 / 4', percentage: '75.0 %' });
    expect(r[NAMES.janis]).toMatchObject({ marks: ['P', 'A'], points: '2 / 4', percentage: '50.0 %' });
    expect(r[NAMES.liga]).toMatchObject({ marks: ['P', ''], points: '2 / 2', percentage: '100.0 %' });
    expect(r[NAMES.peteris]).toMatchObject({ marks: ['', ''], taken: '0', percentage: '–' });
    expect(res.text).toContain('value="2026-03-04"');
  });

  it('when "only below" is ticked, then only students below the threshold are listed, highlighted with a text label', async () => {
    const res = await d.t.agent.get(d.path('below=1'));
    const rows = studentRows(res.text);
    expect(rows.map((r) => [r.name, r.below])).toEqual([[NAMES.janis, true], [NAMES.liga, true]]);
    expect(res.text.match(/<tr data-n="\d+" data-p="[\d.]*" class="is-below">/g)).toHaveLength(2);
  });

  it('when the view is "past", then the upcoming session is left out; by week, then sessions sit under week headers of the activity zone', async () => {
    const past = studentRows((await d.t.agent.get(d.path('view=past'))).text);
    expect(past[0]?.marks).toEqual(['P', 'E', 'P', 'L', '?']);
    const week = (await d.t.agent.get(d.path('view=week'))).text;
    const heads = (html: string) => [...html.matchAll(/<th scope="colgroup" colspan="(\d+)" class="period">([\s\S]*?)<\/th>/g)].map((m) => [m[1], visibleText(m[2] ?? '').trim()]);
    expect(heads(week)).toEqual([['2', 'Week 10 2.03.–8.03.'], ['2', 'Week 11 9.03.–15.03.'], ['1', 'Week 12 16.03.–22.03.'], ['1', 'Week 13 23.03.–29.03.']]);
    const month = (await d.t.agent.get(d.path('view=month'))).text;
    expect(heads(month)).toEqual([['6', 'March 2026']]);
  });

  it('when the teacher sorts by percentage or name, then rows follow (no grade last) and the header says so with aria-sort', async () => {
    const asc = await d.t.agent.get(d.path('sort=percentage'));
    expect(studentRows(asc.text).map((r) => r.percentage)).toEqual(['50.0 %', '62.5 %', '75.0 %', '100.0 %', '–']);
    expect(asc.text).toMatch(/aria-sort="ascending"><a class="js-sort" data-sort="percentage"/);
    const desc = await d.t.agent.get(d.path('sort=percentage&dir=desc'));
    expect(studentRows(desc.text).map((r) => r.percentage)).toEqual(['100.0 %', '75.0 %', '62.5 %', '50.0 %', '–']);
    const byNameDesc = await d.t.agent.get(d.path('sort=name&dir=desc'));
    expect(studentRows(byNameDesc.text).map((r) => r.name)).toEqual([NAMES.peteris, NAMES.liga, NAMES.janis, NAMES.zane, NAMES.anna]);
    expect(byNameDesc.text).toMatch(/aria-sort="descending"><a class="js-sort" data-sort="name"/);
    // The header links keep the filters and flip the direction.
    const filtered = await d.t.agent.get(d.path(`group=${d.g1}&sort=name`));
    expect(decode(filtered.text)).toContain(`data-sort="name" href="/activity/${d.t.activityId}/teacher/report?group=${d.g1}&dir=desc&ltik=`);
  });

  it('when a date is not a date, or "to" is before "from", then the form comes back (400) with the message and the values typed', async () => {
    const bad = await d.t.agent.get(d.path('from=2026-02-30&to=soon'));
    expect(bad.status).toBe(400);
    expect(visibleText(bad.text)).toContain('Enter a real date (YYYY-MM-DD).');
    expect(bad.text).toContain('value="2026-02-30"');
    expect(bad.text).toContain('aria-invalid="true" aria-describedby="from-error"');
    expect(studentRows(bad.text)).toEqual([]);
    const reversed = await d.t.agent.get(d.path('from=2026-03-10&to=2026-03-01'));
    expect(reversed.status).toBe(400);
    expect(visibleText(reversed.text)).toContain('The end date is before the start date.');
  });

  it('when the address holds an unknown view, then the default is used and the page says what was reset', async () => {
    const res = await d.t.agent.get(d.path('view=yearly'));
    expect(res.status).toBe(200);
    expect(visibleText(res.text)).toContain('were reset to their defaults: Show.');
    expect(studentRows(res.text)).toHaveLength(5);
  });

  it("when the group filter names another course's group, then 404", async () => {
    const other = await launchTeacher(h, 'rep-other');
    const foreign = await addGroup(other.courseId, 'Foreign', []);
    expect((await d.t.agent.get(d.path(`group=${foreign}`))).status).toBe(404);
    expect((await d.t.agent.get(d.path(`group=${foreign}&from=nope`))).status).toBe(404);
  });
});

describe('the activity option "count unmarked past sessions as the automatic status"', () => {
  it('when it is set in the database, then unmarked ended sessions count as A and the numbers drop', async () => {
    const d = await seed('rep-auto');
    await ActivityModel.updateOne({ _id: d.t.activityId }, { $set: { 'grading.countUnmarkedAsAuto': true } });
    const res = await d.t.agent.get(d.path());
    const r = byName(studentRows(res.text));
    expect(r[NAMES.anna]).toMatchObject({ counts: ['2', '1', '1', '1'], taken: '5', points: '6 / 10', percentage: '60.0 %', below: true });
    expect(r[NAMES.liga]).toMatchObject({ taken: '4', points: '3 / 8', percentage: '37.5 %' });
    expect(r[NAMES.peteris]).toMatchObject({ taken: '2', points: '2 / 4', percentage: '50.0 %' });
    expect(r[NAMES.zane]).toMatchObject({ counts: ['0', '0', '0', '4'], taken: '4', points: '0 / 8', percentage: '0.0 %', below: true });
    expect(r[NAMES.zane]?.titles[0]).toBe('Not marked: counts as A');
    expect(visibleText(res.text)).toContain('5 of 5 students are below 70 %.');
  });
});

describe('refusals and empty states', () => {
  it('when a student asks for the teacher report, then 403', async () => {
    const s = await h.lms.launch({ role: 'Learner', context: { id: 'rep-403' }, resourceLink: { id: 'rl1' }, user: { id: 'stu-1', givenName: 'Sam', familyName: 'Student' } });
    const activityId = /\/activity\/([^/]+)\/student/.exec(String((s.res as unknown as { req: { path: string } }).req.path))?.[1] ?? '';
    expect(activityId).not.toBe('');
    const res = await s.agent.get(withLtik(`/activity/${activityId}/teacher/report`, s.ltik ?? ''));
    expect(res.status).toBe(403);
  });

  it('when there are no sessions yet, then the page says so and offers to add one; with students missing, it says that', async () => {
    const t = await launchTeacher(h, 'rep-empty');
    const base = `/activity/${t.activityId}/teacher/report`;
    const empty = await t.agent.get(withLtik(base, t.ltik));
    expect(empty.status).toBe(200);
    expect(visibleText(empty.text)).toContain('No sessions yet');
    expect(empty.text).toContain(`/activity/${t.activityId}/teacher/sessions/new`);
    await AttendanceSessionModel.create({
      _id: randomUUID(), courseId: t.courseId, activityId: t.activityId, startsAt: new Date('2026-03-02T08:00:00Z'), durationMinutes: 90,
      timezone: 'Europe/Riga', audience: { kind: 'all' }, statusSetId: `${t.activityId}-default`, createdBy: 'teacher',
    });
    const noStudents = await t.agent.get(withLtik(base, t.ltik));
    expect(visibleText(noStudents.text)).toContain('No students yet');
    const narrowed = await t.agent.get(withLtik(`${base}?from=2027-01-01`, t.ltik));
    expect(visibleText(narrowed.text)).toContain('No sessions match');
  });
});
