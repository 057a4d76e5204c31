import { AttendanceRecordModel } from '../../../src/attendance/attendance-record.model';
import { startHarness, TestHarness } from '../../support/tool';
import { addMembers, addRecords, addSession, ExportCourse, fetchRaw, launchExportTeacher, loadWorkbook, parseCsv, sheetRows } from './export-support';

/** Issue #14 defect 12: the export marks self-recorded marks ("P*") like the report page does. */

let h: TestHarness;
let a: ExportCourse;

beforeAll(async () => {
  h = await startHarness();
  a = await launchExportTeacher(h, 'exp-self');
  await addMembers(a.courseId, [
    { id: 's-anna', givenName: 'Anna', familyName: 'Bērziņa' },
    { id: 's-zane', givenName: 'Zane', familyName: 'Čakste' },
  ]);
  const session = await addSession(a, '2025-03-03T08:00:00Z', 'Lecture');
  await addRecords(a, session, [['s-zane', 'P']]);
  // Anna checked in herself (what check-in.service writes).
  await AttendanceRecordModel.create({
    courseId: a.courseId, activityId: a.activityId, sessionId: session, userId: 's-anna', statusSetId: `${a.activityId}-default`,
    statusId: a.status('P'), remark: '', source: 'self', selfRecordedAt: new Date('2025-03-03T08:05:00Z'), updatedBy: 's-anna',
  });
});
afterAll(async () => {
  await h?.close();
});

const SESSION = '2025-03-03 10:00 · All students';

describe('self-recorded marker in the export', () => {
  it('when a student checked in themselves, then the CSV cell reads "P*" while a teacher\'s mark stays "P", and the counts are unchanged', async () => {
    const res = await fetchRaw(a, 'export.csv', { id: 'lmsid' });
    expect(res.status).toBe(200);
    const rows = parseCsv((res.body as Buffer).toString('utf8').slice(1));
    const at = rows[0]!.indexOf(SESSION);
    const p = rows[0]!.indexOf('P count');
    expect(at).toBeGreaterThan(0);
    const byId = Object.fromEntries(rows.slice(1).map((r) => [r[2], r]));
    expect(byId['s-anna']?.[at]).toBe('P*');
    expect(byId['s-zane']?.[at]).toBe('P');
    expect(byId['s-anna']?.[p]).toBe('1');
    expect(rows.filter((r) => r[0] === 'Last name')).toHaveLength(1);
  });

  it('when the XLSX is downloaded, then the same cells carry the marker and the Sessions sheet explains it', async () => {
    const res = await fetchRaw(a, 'export.xlsx', { id: 'lmsid' });
    expect(res.status).toBe(200);
    const workbook = await loadWorkbook(res.body as Buffer);
    const main = sheetRows(workbook.worksheets[0]!);
    const at = main[0]!.indexOf(SESSION);
    expect(main.find((r) => r[2] === 's-anna')?.[at]).toBe('P*');
    expect(main.find((r) => r[2] === 's-zane')?.[at]).toBe('P');
    const sessions = sheetRows(workbook.getWorksheet('Sessions')!).flat().filter((v): v is string => typeof v === 'string');
    expect(sessions.some((v) => v.startsWith('* after a status') && v.includes('self-recorded'))).toBe(true);
  });

  it('when the teacher works in Latvian, then the XLSX legend line is Latvian', async () => {
    const lv = await launchExportTeacher(h, 'exp-self', { locale: 'lv', userId: 'teacher-lv' });
    const res = await fetchRaw(lv, 'export.xlsx', { id: 'lmsid' });
    const workbook = await loadWorkbook(res.body as Buffer);
    const sessions = sheetRows(workbook.worksheets[1]!).flat().filter((v): v is string => typeof v === 'string');
    expect(sessions.some((v) => v.includes('atzīmējās pats'))).toBe(true);
  });
});
