import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import type supertest from 'supertest';
import { AttendanceRecordModel } from '../../../src/attendance/attendance-record.model';
import { activityKey, courseKey } from '../../../src/courses/keys';
import { GroupModel } from '../../../src/groups/group.model';
import { MemberModel } from '../../../src/roster/member.model';
import { AttendanceSessionModel } from '../../../src/sessions/attendance-session.model';
import type { Report } from '../../../src/reports/report';
import type { TestHarness } from '../../support/tool';

/** Test support for the export tests: a course with crafted data, downloads, and parsers. */

export interface ExportCourse {
  agent: supertest.Agent;
  ltik: string;
  courseId: string;
  activityId: string;
  status: (acronym: 'P' | 'L' | 'E' | 'A') => string;
}

export async function launchExportTeacher(h: TestHarness, contextId: string, opts: { locale?: string; userId?: string } = {}): Promise<ExportCourse> {
  const r = await h.lms.launch({
    role: 'Instructor', context: { id: contextId, label: 'FIZ101', title: 'Fizika un ķīmija' }, resourceLink: { id: 'rl1', title: 'Lekcijas' },
    user: { id: opts.userId ?? `teacher-${contextId}`, givenName: 'Terry', familyName: 'Teacher' }, ...(opts.locale ? { locale: opts.locale } : {}),
  });
  if (!r.ltik) throw new Error(`teacher launch failed: ${r.status}`);
  const courseId = courseKey(h.lms.issuer, h.lms.clientId, contextId, 'rl1');
  const activityId = activityKey(courseId, 'rl1');
  return { agent: r.agent, ltik: r.ltik, courseId, activityId, status: (a) => `${activityId}-default-${a}` };
}

export interface Person { id: string; givenName: string; familyName: string; username?: string }

export async function addMembers(courseId: string, people: Person[]): Promise<void> {
  await MemberModel.insertMany(people.map((p) => ({
    courseId, userId: p.id, givenName: p.givenName, familyName: p.familyName, name: `${p.givenName} ${p.familyName}`,
    email: `${p.id}@example.com`, username: p.username, role: 'student', active: true, ltiRoles: ['Learner'],
  })));
}

export async function addGroup(courseId: string, name: string, memberIds: string[]): Promise<string> {
  const id = randomUUID();
  await GroupModel.create({ _id: id, courseId, name, nameKey: name.toLowerCase(), memberIds });
  return id;
}

export async function addSession(c: ExportCourse, startsAt: string, description: string, groupId?: string): Promise<string> {
  const id = randomUUID();
  await AttendanceSessionModel.create({
    _id: id, courseId: c.courseId, activityId: c.activityId, startsAt: new Date(startsAt), durationMinutes: 90, timezone: 'Europe/Riga',
    description, audience: groupId ? { kind: 'group', groupId } : { kind: 'all' }, statusSetId: `${c.activityId}-default`, createdBy: 'teacher',
  });
  return id;
}

export async function addRecords(c: ExportCourse, sessionId: string, marks: Array<[string, 'P' | 'L' | 'E' | 'A', string?]>): Promise<void> {
  await AttendanceRecordModel.insertMany(marks.map(([userId, a, remark]) => ({
    courseId: c.courseId, activityId: c.activityId, sessionId, userId, statusSetId: `${c.activityId}-default`, statusId: c.status(a), remark: remark ?? '', source: 'teacher',
  })));
}

/** Query string with repeatable keys (students=a&students=b) plus the ltik. */
export function query(c: ExportCourse, params: Record<string, string | string[]>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const x of Array.isArray(v) ? v : [v]) q.append(k, x);
  q.append('ltik', c.ltik);
  return q.toString();
}

/** GET with the raw body as a Buffer, whatever the content type. */
export function fetchRaw(c: ExportCourse, file: 'export' | 'export.csv' | 'export.xlsx', params: Record<string, string | string[]> = {}, activityId = c.activityId) {
  return c.agent.get(`/activity/${activityId}/teacher/report/${file}?${query(c, params)}`).buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });
}

/**
 * RFC 4180 reader, strict on purpose: every record must end with CRLF and a bare CR or LF is
 * only allowed inside quotes, so it also checks the file's line ends.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; } else if (c === '\r' || c === '\n') throw new Error(`bare line break outside quotes at ${i}`);
    else field += c;
  }
  if (field !== '' || row.length > 0) throw new Error('the last record does not end with CRLF');
  return rows;
}

/** Sheet rows as strings (1-based exceljs rows → 0-based arrays), numbers as the CSV writes them. */
export function sheetRows(sheet: ExcelJS.Worksheet): Array<Array<string | number | Date | null>> {
  const out: Array<Array<string | number | Date | null>> = [];
  sheet.eachRow({ includeEmpty: true }, (row) => {
    const cells: Array<string | number | Date | null> = [];
    for (let i = 1; i <= sheet.columnCount; i++) {
      const v = row.getCell(i).value;
      cells.push(v === undefined || v === null ? null : (v as string | number | Date));
    }
    out.push(cells);
  });
  return out;
}

export async function loadWorkbook(buffer: Buffer): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
  return workbook;
}

const FORMULA = /^[=+\-@\t\r]/;
const safe = (text: string) => (FORMULA.test(text) ? `'${text}` : text);
const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * What the file must say for each student according to loadReport(): computed here from the
 * report's rows independently of the export code, keyed by LMS user id.
 */
export function expectedFromReport(report: Report, opts: { id: 'email' | 'username' | 'lmsid'; remarks?: boolean; untaken?: boolean }): Map<string, string[]> {
  const included = report.sessions.map((_, i) => i).filter((i) => {
    const s = report.sessionSummaries[i];
    return opts.untaken || s?.ended || (s?.marked ?? 0) > 0;
  });
  const out = new Map<string, string[]>();
  for (const row of report.rows) {
    const s = row.student;
    const id = opts.id === 'email' ? s.email ?? '' : opts.id === 'username' ? s.username ?? '' : s.userId;
    const cells = [safe(s.familyName), safe(s.givenName), safe(id)];
    for (const i of included) {
      const cell = row.cells[i];
      // A self-recorded mark ends in "*" (the report page's marker).
      cells.push(cell?.statusId ? `${report.statusById.get(cell.statusId)?.acronym ?? '?'}${cell.origin === 'self' ? '*' : ''}` : '');
      if (opts.remarks) cells.push(safe(cell?.remark ?? ''));
    }
    for (const a of report.acronyms) cells.push(String(row.countsByAcronym[a] ?? 0));
    const { taken, earned, possible, percentage } = row.summary;
    cells.push(String(taken), String(earned), String(possible), percentage === null ? '' : String(round2(percentage)));
    out.set(s.userId, cells);
  }
  return out;
}
