import { DateTime } from 'luxon';
import { loadReport, ReportFilters } from '../../../src/reports/report-data.service';
import { startHarness, TestHarness } from '../../support/tool';
import { visibleText } from '../attendance/take-helpers';
import {
  addGroup, addMembers, addRecords, addSession, expectedFromReport, ExportCourse, fetchRaw, launchExportTeacher, loadWorkbook, parseCsv, Person, sheetRows,
} from './export-support';

let h: TestHarness;
let a: ExportCourse;
const ids = { g1: '', g2: '', s1: '', s2: '', s3: '', s4: '', s5: '' };

// Every Latvian letter with a diacritic appears in a name: ā č ē ģ ī ķ ļ ņ š ū ž.
const PEOPLE: Person[] = [
  { id: 's-anna', givenName: 'Anna', familyName: 'Bērziņa', username: 'anna.b' },
  { id: 's-zane', givenName: 'Zane', familyName: 'Čakste', username: 'zane.c' },
  { id: 's-janis', givenName: 'Jānis', familyName: 'Ķēniņš', username: 'janis.k' },
  { id: 's-liga', givenName: 'Līga', familyName: 'Ozola', username: 'liga.o' },
  { id: 's-una', givenName: 'Ūna', familyName: 'Ļaviņa', username: 'una.l' },
  { id: 's-gederts', givenName: 'Ģederts', familyName: 'Žagars', username: 'gederts.z' },
  { id: 's-mallory', givenName: 'Mal', familyName: '+Mallory', username: '@mallory' },
];
const HYPERLINK = '=HYPERLINK("http://evil.example","click")';
const MULTILINE = 'Late, "bus"\nsecond line';
const TOTALS = ['P count', 'L count', 'E count', 'A count', 'Sessions taken', 'Points earned', 'Points possible', 'Percentage'];
const H = {
  s1: '2025-03-03 10:00 · All students',
  s2: '2025-03-11 00:30 · All students', // 22:30 UTC on the 10th is already the 11th in Riga
  s3: '2025-06-02 10:00 · Grupa A', // summer time: 07:00 UTC
  s4: '2025-06-03 10:00 · Grupa B',
  s5: '2099-01-01 02:00 · All students',
};

beforeAll(async () => {
  h = await startHarness();
  a = await launchExportTeacher(h, 'exp-a');
  await addMembers(a.courseId, PEOPLE);
  ids.g1 = await addGroup(a.courseId, 'Grupa A', ['s-anna', 's-zane', 's-janis']);
  ids.g2 = await addGroup(a.courseId, 'Grupa B', ['s-liga', 's-una', 's-gederts', 's-mallory']);
  ids.s1 = await addSession(a, '2025-03-03T08:00:00Z', 'Ievads, "pirmā" lekcija');
  ids.s2 = await addSession(a, '2025-03-10T22:30:00Z', '=cmd|calc');
  ids.s3 = await addSession(a, '2025-06-02T07:00:00Z', 'Lab 1', ids.g1);
  ids.s4 = await addSession(a, '2025-06-03T07:00:00Z', '-Lab 2', ids.g2);
  ids.s5 = await addSession(a, '2099-01-01T00:00:00Z', 'Future');
  await addRecords(a, ids.s1, [['s-anna', 'P', MULTILINE], ['s-zane', 'L'], ['s-janis', 'E', 'ārsts'], ['s-liga', 'A'], ['s-una', 'P', HYPERLINK], ['s-gederts', 'P'], ['s-mallory', 'P', '+1 extra']]);
  await addRecords(a, ids.s2, [['s-anna', 'L'], ['s-zane', 'P'], ['s-janis', 'A'], ['s-liga', 'E'], ['s-una', 'P'], ['s-mallory', 'A', '@mention']]);
  await addRecords(a, ids.s3, [['s-anna', 'P'], ['s-zane', 'A'], ['s-janis', 'L']]);
  await addRecords(a, ids.s4, [['s-liga', 'P'], ['s-una', 'L'], ['s-gederts', 'E'], ['s-mallory', 'P']]);
});
afterAll(async () => {
  await h?.close();
});

async function csv(params: Record<string, string | string[]> = {}) {
  const res = await fetchRaw(a, 'export.csv', params);
  expect(res.status).toBe(200);
  const body = res.body as Buffer;
  expect(body.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  const text = body.toString('utf8').slice(1);
  return { res, text, rows: parseCsv(text) };
}

/** Rows keyed by the LMS id column (needs id=lmsid) → compared with what loadReport says. */
async function expectMatchesReport(params: Record<string, string | string[]>, filters: ReportFilters, opts: { remarks?: boolean; untaken?: boolean } = {}) {
  const { rows } = await csv({ ...params, id: 'lmsid' });
  const { report } = await loadReport(a.courseId, a.activityId, filters, new Date());
  const expected = expectedFromReport(report, { id: 'lmsid', ...opts });
  expect(rows.slice(1).map((r) => r[2])).toEqual(expect.arrayContaining([...expected.keys()]));
  expect(rows).toHaveLength(1 + expected.size);
  for (const row of rows.slice(1)) expect(row).toEqual(expected.get(row[2] ?? ''));
  return rows;
}

describe('CSV export of the whole class', () => {
  it('when the teacher downloads the CSV, then it is a UTF-8 attachment with a BOM, named after course, activity and date, never cached', async () => {
    const { res, text } = await csv();
    const today = DateTime.now().setZone('Europe/Riga').toISODate();
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="fiz101-lekcijas-attendance-${today}.csv"; filename*=UTF-8''FIZ101-Lekcijas-attendance-${today}.csv`);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(text).toContain('Bērziņa,Anna,s-anna@example.com,');
  });

  it('when the file is read back, then it has exactly one header row and one row per student, in last-name order', async () => {
    const { rows } = await csv();
    expect(rows[0]).toEqual(['Last name', 'First name', 'Email', H.s1, H.s2, H.s3, H.s4, ...TOTALS]);
    expect(rows.filter((r) => r[0] === 'Last name')).toHaveLength(1);
    expect(rows.slice(1).map((r) => r[0])).toEqual(["'+Mallory", 'Bērziņa', 'Čakste', 'Ķēniņš', 'Ļaviņa', 'Ozola', 'Žagars']);
  });

  it('when every cell is compared with the report, then statuses, counts, points and percentages agree', async () => {
    const rows = await expectMatchesReport({}, {});
    // One row by hand: P, L, P (Grupa A), not in Grupa B's session → 2 P, 1 L, 5 of 6 points.
    expect(rows.find((r) => r[2] === 's-anna')).toEqual(['Bērziņa', 'Anna', 's-anna', 'P', 'L', 'P', '', '2', '1', '0', '0', '3', '5', '6', '83.33']);
  });

  it('when names, identifiers and remarks start with = + - @, then they are neutralised with an apostrophe and quoted where needed', async () => {
    const { rows, text } = await csv({ id: 'username', remarks: '1', descriptions: '1' });
    const mallory = rows.find((r) => r[0] === "'+Mallory");
    expect(mallory?.slice(0, 3)).toEqual(["'+Mallory", 'Mal', "'@mallory"]);
    expect(mallory).toContain("'+1 extra");
    expect(mallory).toContain("'@mention");
    expect(rows.find((r) => r[1] === 'Ūna')).toContain(`'${HYPERLINK}`);
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    // Commas, quotes and a line break survive quoting.
    expect(rows.find((r) => r[1] === 'Anna')).toContain(MULTILINE);
    expect(text).toContain('"Late, ""bus""\nsecond line"');
    expect(rows[0]).toContain(`${H.s1} · Ievads, "pirmā" lekcija`);
    expect(rows[0]).toContain(`${H.s2} · =cmd|calc`);
    expect(rows.flat().some((cell) => /^[=+\-@]/.test(cell))).toBe(false);
  });
});

describe('XLSX export', () => {
  it('when the teacher downloads the XLSX, then its first sheet holds the same cells as the CSV, with numbers as numbers', async () => {
    const res = await fetchRaw(a, 'export.xlsx', { id: 'lmsid', remarks: '1' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="fiz101-lekcijas-attendance-\d{4}-\d{2}-\d{2}\.xlsx"/);
    const workbook = await loadWorkbook(res.body as Buffer);
    const [main, sessions] = workbook.worksheets;
    const rows = sheetRows(main!);
    const { rows: csvRows } = await csv({ id: 'lmsid', remarks: '1' });
    expect(rows).toHaveLength(csvRows.length);
    expect(rows[0]).toEqual(csvRows[0]);
    const pctAt = csvRows[0]!.length - 1;
    rows.slice(1).forEach((row, i) => {
      const asText = row.map((v, k) => (v === null ? '' : k === pctAt ? String(Math.round((v as number) * 10000) / 100) : String(v)));
      expect(asText).toEqual(csvRows[i + 1]);
    });
    const anna = main!.getRow(rows.findIndex((r) => r[2] === 's-anna') + 1);
    expect(typeof anna.getCell(pctAt + 1).value).toBe('number');
    expect(anna.getCell(pctAt + 1).numFmt).toContain('%');
    expect(typeof anna.getCell(pctAt).value).toBe('number'); // points possible
    expect(rows.flat().some((v) => typeof v === 'object' && v !== null && !(v instanceof Date))).toBe(false); // no formulas, no rich text
    expect(sessions?.name).toBe('Sessions');
  });

  it('when the sessions sheet is read, then session starts are real dates in the activity zone\'s local time', async () => {
    const res = await fetchRaw(a, 'export.xlsx', { descriptions: '1' });
    const workbook = await loadWorkbook(res.body as Buffer);
    const rows = sheetRows(workbook.getWorksheet('Sessions')!);
    expect(rows[0]).toEqual(['Session', 'Start', 'End', 'Duration (min)', 'Students', 'Description']);
    const s2 = rows.find((r) => String(r[0]).startsWith(H.s2));
    expect(s2?.[1]).toBeInstanceOf(Date);
    expect((s2?.[1] as Date).toISOString()).toBe('2025-03-11T00:30:00.000Z');
    expect((s2?.[2] as Date).toISOString()).toBe('2025-03-11T02:00:00.000Z');
    expect(s2?.[5]).toBe("'=cmd|calc");
    const s3 = rows.find((r) => String(r[0]).startsWith(H.s3));
    expect((s3?.[1] as Date).toISOString()).toBe('2025-06-02T10:00:00.000Z');
    expect(s3?.[4]).toBe('Grupa A');
    expect(rows.find((r) => String(r[0]).startsWith(H.s4))?.[5]).toBe("'-Lab 2");
  });
});

describe('filters and options', () => {
  it('when one group is chosen, then only its members and the sessions for everyone or that group are exported', async () => {
    const rows = await expectMatchesReport({ who: 'group', group: ids.g1 }, { groupId: ids.g1 });
    expect(rows[0]?.slice(3, 6)).toEqual([H.s1, H.s2, H.s3]);
    expect(rows.slice(1).map((r) => r[2]).sort()).toEqual(['s-anna', 's-janis', 's-zane']);
  });

  it('when students are chosen, then only they are exported', async () => {
    const rows = await expectMatchesReport({ who: 'students', students: ['s-una', 's-mallory'] }, { userIds: ['s-una', 's-mallory'] });
    expect(rows.slice(1).map((r) => r[2]).sort()).toEqual(['s-mallory', 's-una']);
  });

  it('when a date range is chosen, then sessions are picked by their local date, the end date included', async () => {
    const from = new Date('2025-03-10T22:00:00Z'); // 11 March 00:00 in Riga
    const to = new Date('2025-06-02T21:00:00Z'); // 3 June 00:00 in Riga (summer time)
    const rows = await expectMatchesReport({ from: '2025-03-11', to: '2025-06-02' }, { from, to });
    expect(rows[0]?.slice(3, 5)).toEqual([H.s2, H.s3]);
    const { rows: before } = await csv({ from: '2025-03-04', to: '2025-03-10' });
    expect(before[0]).toEqual(['Last name', 'First name', 'Email', ...TOTALS]);
  });

  it('when remarks and sessions not yet taken are included, then each session has a remark column and the future session appears', async () => {
    const rows = await expectMatchesReport({ remarks: '1', untaken: '1' }, {}, { remarks: true, untaken: true });
    expect(rows[0]?.slice(3, 5)).toEqual([H.s1, `${H.s1} · remark`]);
    expect(rows[0]).toContain(H.s5);
  });

  it.each([
    ['email', 's-anna@example.com'],
    ['username', 'anna.b'],
    ['lmsid', 's-anna'],
  ])('when the identifier is %s, then the third column holds it', async (id, value) => {
    const { rows } = await csv({ id });
    expect(rows.find((r) => r[1] === 'Anna')?.[2]).toBe(value);
    expect(rows[0]?.[2]).toBe({ email: 'Email', username: 'Username', lmsid: 'LMS user ID' }[id]);
  });

  it('when the teacher uses Latvian, then the headers and the messages are Latvian', async () => {
    const lv = await launchExportTeacher(h, 'exp-a', { locale: 'lv', userId: 'teacher-lv' });
    const res = await fetchRaw(lv, 'export.csv');
    const rows = parseCsv((res.body as Buffer).toString('utf8').slice(1));
    expect(rows[0]?.slice(0, 4)).toEqual(['Uzvārds', 'Vārds', 'E-pasts', '2025-03-03 10:00 · Visi studenti']);
    expect(rows[0]).toContain('Procenti');
    const refused = await fetchRaw(lv, 'export.csv', { from: '2025-02-30' });
    expect(refused.status).toBe(400);
    expect(visibleText(refused.body.toString('utf8'))).toContain('Ievadiet derīgu datumu (GGGG-MM-DD).');
  });
});

describe('the export form', () => {
  it('when the teacher opens it, then it offers who, dates, identifier, options and both formats, with every student by name', async () => {
    const res = await fetchRaw(a, 'export');
    expect(res.status).toBe(200);
    const html = (res.body as Buffer).toString('utf8');
    const text = visibleText(html);
    for (const legend of ['Students', 'Date range (optional)', 'Identifier column', 'Include']) expect(html).toContain(`<legend>${legend}</legend>`);
    expect(text).toContain('Ķēniņš, Jānis');
    expect(text).toContain('Dates in the activity\'s time zone (Europe/Riga).');
    expect(html).toMatch(/<form class="form card export-form" method="get"/);
    expect(html).toContain(`formaction="/activity/${a.activityId}/teacher/report/export.csv"`);
    expect(html).toContain(`formaction="/activity/${a.activityId}/teacher/report/export.xlsx"`);
    expect(html).toContain('name="students" value="s-janis"');
  });

  it('when it is opened from the report with a group and dates, then they are filled in', async () => {
    const html = (await fetchRaw(a, 'export', { group: ids.g2, from: '2025-03-01', to: '2025-03-31' })).body.toString('utf8');
    expect(html).toContain('name="who" value="group" checked');
    expect(html).toContain(`value="${ids.g2}" selected`);
    expect(html).toContain('value="2025-03-01"');
  });
});

describe('refusals: the form comes back with a message and nothing is downloaded', () => {
  it.each([
    ['an impossible date', { from: '2025-02-30' }, 'Enter a real date (YYYY-MM-DD).', 'value="2025-02-30"'],
    ['an end before the start', { from: '2025-05-01', to: '2025-04-01' }, 'The end date is before the start date.', 'value="2025-04-01"'],
    ['one group without a group', { who: 'group', group: '' }, 'Choose a group.', 'name="who" value="group" checked'],
    ['selected students without any', { who: 'students' }, 'Choose at least one student.', 'name="who" value="students" checked'],
    ['a student id that does not exist', { who: 'students', students: ['s-anna', 'nobody'] }, 'A chosen student is not in this course.', 'value="s-anna" checked'],
    ['an unknown identifier column', { id: 'phone' }, 'Choose one of the offered options.', 'name="id"'],
  ])('when the request has %s, then 400 with the message and the values kept', async (_name, params, message, kept) => {
    for (const file of ['export.csv', 'export.xlsx'] as const) {
      const res = await fetchRaw(a, file, params);
      expect(res.status).toBe(400);
      expect(res.headers['content-disposition']).toBeUndefined();
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      const html = (res.body as Buffer).toString('utf8');
      expect(visibleText(html)).toContain(message);
      expect(html).toContain('role="alert"');
      expect(html).toContain(kept);
    }
  });

  it('when a student asks for the form or a download, then 403', async () => {
    const s = await h.lms.launch({ role: 'Learner', context: { id: 'exp-a' }, resourceLink: { id: 'rl1' }, user: { id: 's-anna', givenName: 'Anna', familyName: 'Bērziņa' } });
    expect(s.ltik).toBeTruthy();
    for (const file of ['export', 'export.csv', 'export.xlsx']) {
      const res = await s.agent.get(`/activity/${a.activityId}/teacher/report/${file}?ltik=${encodeURIComponent(s.ltik ?? '')}`);
      expect(res.status).toBe(403);
      expect(res.headers['content-disposition']).toBeUndefined();
    }
  });

  describe('ids from another course', () => {
    let b: ExportCourse;
    let bGroup = '';
    beforeAll(async () => {
      b = await launchExportTeacher(h, 'exp-b');
      await addMembers(b.courseId, [{ id: 's-bruno', givenName: 'Bruno', familyName: 'Bērziņš' }]);
      bGroup = await addGroup(b.courseId, 'B grupa', ['s-bruno']);
    });

    it('when course A\'s export names course B\'s group, then 400 and no file', async () => {
      const res = await fetchRaw(a, 'export.csv', { who: 'group', group: bGroup });
      expect(res.status).toBe(400);
      expect(res.headers['content-disposition']).toBeUndefined();
      expect(visibleText(res.body.toString('utf8'))).toContain('This group is not in this course.');
    });

    it('when course A\'s export names course B\'s student, then 400 and no file', async () => {
      const res = await fetchRaw(a, 'export.xlsx', { who: 'students', students: 's-bruno' });
      expect(res.status).toBe(400);
      expect(res.headers['content-disposition']).toBeUndefined();
    });

    it('when course A\'s launch asks for course B\'s export, then 403 and no file', async () => {
      const res = await fetchRaw(a, 'export.csv', {}, b.activityId);
      expect(res.status).toBe(403);
      expect(res.headers['content-disposition']).toBeUndefined();
    });
  });
});
