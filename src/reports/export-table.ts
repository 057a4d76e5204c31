/**
 * The export as a table, pure: one header row and one row of cell values per student, built
 * from the report (the numbers are the report's, never recomputed here). CSV and XLSX writers
 * both start from this, so the two files always hold the same cells.
 *
 * Choices (docs/teacher-guide.md, "Export"):
 * - Points are two number columns (earned, possible): "3 / 4" would re-import as text, or as a
 *   date or fraction in some spreadsheets.
 * - Remarks, when asked for, get a column of their own right after each session's column, so
 *   the status column stays a bare acronym that COUNTIF and re-imports understand.
 * - A session cell is the *recorded* status; blank when unmarked or not for that student. The
 *   count columns follow the grade rule (with "count unmarked as automatic" they include it).
 * - A self-recorded mark (the student's check-in) ends in "*" ("P*"), the report page's marker:
 *   no extra columns, and COUNTIF(range;"P*") still finds every P. The XLSX Sessions sheet
 *   holds the legend line; the CSV keeps its single header row (docs/teacher-guide.md explains the "*").
 */
import { DateTime } from 'luxon';
import { compareNameKeys, nameParts } from '../attendance/take-names';
import type { Report, ReportRow, ReportSession, ReportStudent } from './report';
import { SELF_MARKER } from './report-grid';

export type IdentifierKind = 'email' | 'username' | 'lmsid';
export type ExportValue = string | number | null;
export type ColumnKind = 'text' | 'status' | 'remark' | 'count' | 'number' | 'percentage';

export interface ExportLabels {
  lastName: string;
  firstName: string;
  /** The name as one string, for students the LMS sent no last name for (Open edX). */
  fullName: string;
  identifier: string;
  allStudents: string;
  remark: string;
  countOf: (acronym: string) => string;
  taken: string;
  earned: string;
  possible: string;
  percentage: string;
}

export interface ExportOptions {
  identifier: IdentifierKind;
  remarks: boolean;
  descriptions: boolean;
  /** Also sessions nobody has a record for that have not ended yet. */
  untaken: boolean;
  timeZone: string;
  /** BCP 47 tag for sorting names (Latvian letters sort after their base letter in 'lv'). */
  collation: string;
  groupNames: ReadonlyMap<string, string>;
  labels: ExportLabels;
}

export interface ExportColumn { header: string; kind: ColumnKind }

/** One exported session, for the XLSX "Sessions" sheet. */
export interface ExportSessionLine {
  /** Same text as the session's column header, so the two sheets can be matched. */
  header: string;
  /** Wall-clock time in the activity's zone expressed as a UTC Date: spreadsheets have no zones. */
  startsAtLocal: Date;
  endsAtLocal: Date;
  durationMinutes: number;
  audience: string;
  description: string;
}

export interface ExportTable {
  columns: ExportColumn[];
  /** How many name columns lead each row (the identifier follows them). */
  nameColumnCount: number;
  sessions: ExportSessionLine[];
  rowCount: number;
  /** Rows in name order, produced one by one so writers can stream them. */
  rows(): Generator<ExportValue[]>;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** "2025-03-03 10:00": sorts as text and reads the same in every language. */
export function localDateTime(instant: Date, timeZone: string): string {
  return DateTime.fromJSDate(instant, { zone: timeZone }).toFormat('yyyy-MM-dd HH:mm');
}

function wallClock(instant: Date, timeZone: string): Date {
  const local = DateTime.fromJSDate(instant, { zone: timeZone });
  return new Date(Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second));
}

/** Dates chosen in the activity's zone → the report's [from, to) instants; `to` is inclusive. */
export function dateRange(from: string | undefined, to: string | undefined, timeZone: string): { from?: Date; to?: Date } {
  const day = (d: string) => DateTime.fromISO(d, { zone: timeZone }).startOf('day');
  return {
    ...(from ? { from: day(from).toJSDate() } : {}),
    ...(to ? { to: day(to).plus({ days: 1 }).toJSDate() } : {}),
  };
}

/** Positions in report.sessions that go into the file. */
export function exportedSessionIndexes(report: Report, untaken: boolean): number[] {
  const out: number[] = [];
  report.sessionSummaries.forEach((s, i) => {
    if (untaken || s.ended || s.marked > 0) out.push(i);
  });
  return out;
}

function audienceOf(session: ReportSession, opts: ExportOptions): string {
  if (session.audience.kind === 'all') return opts.labels.allStudents;
  return opts.groupNames.get(session.audience.groupId ?? '') ?? '?';
}

/** Two sessions at the same time for the same audience would share a header: number the repeats. */
function uniqueHeaders(headers: string[]): string[] {
  const seen = new Map<string, number>();
  return headers.map((h) => {
    const n = (seen.get(h) ?? 0) + 1;
    seen.set(h, n);
    return n === 1 ? h : `${h} (${n})`;
  });
}

function sessionLines(report: Report, indexes: number[], opts: ExportOptions): ExportSessionLine[] {
  const sessions = indexes.map((i) => report.sessions[i]).filter((s): s is ReportSession => s !== undefined);
  const headers = uniqueHeaders(sessions.map((s) => {
    const base = `${localDateTime(s.startsAt, opts.timeZone)} · ${audienceOf(s, opts)}`;
    return opts.descriptions && s.description ? `${base} · ${s.description}` : base;
  }));
  return sessions.map((s, k) => ({
    header: headers[k] ?? '',
    startsAtLocal: wallClock(s.startsAt, opts.timeZone),
    endsAtLocal: wallClock(new Date(s.startsAt.getTime() + s.durationMinutes * 60_000), opts.timeZone),
    durationMinutes: s.durationMinutes,
    audience: audienceOf(s, opts),
    description: s.description,
  }));
}

/**
 * The name columns: last name and first name as the LMS sent them, and, when some student has
 * no last name (Open edX sends only the full name), a column with everyone's name as one string. A
 * column that would be empty for every student is left out; a family name is never guessed.
 */
export type NameColumn = 'last' | 'first' | 'full';
export function nameColumns(students: readonly ReportStudent[]): NameColumn[] {
  if (students.length === 0) return ['last', 'first'];
  const out: NameColumn[] = [];
  if (students.some((s) => s.familyName)) out.push('last');
  if (students.some((s) => s.givenName)) out.push('first');
  if (students.some((s) => !s.familyName)) out.push('full');
  return out;
}

function nameValue(s: ReportStudent, column: NameColumn): string {
  if (column === 'last') return s.familyName;
  if (column === 'first') return s.givenName;
  return s.name || [s.givenName, s.familyName].filter(Boolean).join(' ') || s.userId;
}

function columnsOf(report: Report, sessions: ExportSessionLine[], names: NameColumn[], opts: ExportOptions): ExportColumn[] {
  const { labels } = opts;
  const text = (header: string): ExportColumn => ({ header, kind: 'text' });
  const nameHeader: Record<NameColumn, string> = { last: labels.lastName, first: labels.firstName, full: labels.fullName };
  return [
    ...names.map((n) => text(nameHeader[n])), text(labels.identifier),
    ...sessions.flatMap((s): ExportColumn[] => [
      { header: s.header, kind: 'status' },
      ...(opts.remarks ? [{ header: `${s.header} · ${labels.remark}`, kind: 'remark' as const }] : []),
    ]),
    ...report.acronyms.map((a): ExportColumn => ({ header: labels.countOf(a), kind: 'count' })),
    { header: labels.taken, kind: 'count' },
    { header: labels.earned, kind: 'number' },
    { header: labels.possible, kind: 'number' },
    { header: labels.percentage, kind: 'percentage' },
  ];
}

export function identifierOf(row: ReportRow, kind: IdentifierKind): string {
  const s = row.student;
  if (kind === 'email') return s.email ?? '';
  if (kind === 'username') return s.username ?? '';
  return s.userId;
}

function rowValues(report: Report, row: ReportRow, indexes: number[], names: NameColumn[], opts: ExportOptions): ExportValue[] {
  const out: ExportValue[] = [...names.map((n) => nameValue(row.student, n)), identifierOf(row, opts.identifier)];
  for (const i of indexes) {
    const cell = row.cells[i];
    const statusId = cell?.statusId;
    out.push(statusId === undefined ? null : `${report.statusById.get(statusId)?.acronym ?? '?'}${cell?.origin === 'self' ? SELF_MARKER : ''}`);
    if (opts.remarks) out.push(cell?.remark ? cell.remark : null);
  }
  for (const a of report.acronyms) out.push(row.countsByAcronym[a] ?? 0);
  const { taken, earned, possible, percentage } = row.summary;
  out.push(taken, earned, possible, percentage === null ? null : round2(percentage));
  return out;
}

/** By last name, then first name; a student without a last name by the full name as given (take-names.ts). */
export function sortRows(rows: readonly ReportRow[], collation: string): ReportRow[] {
  const collator = new Intl.Collator(collation, { sensitivity: 'base' });
  const keyed = rows.map((row) => ({ row, key: nameParts(row.student, 'last').key }));
  keyed.sort((a, b) => compareNameKeys(collator, a.key, b.key) || a.row.student.userId.localeCompare(b.row.student.userId));
  return keyed.map((k) => k.row);
}

export function buildExportTable(report: Report, opts: ExportOptions): ExportTable {
  const indexes = exportedSessionIndexes(report, opts.untaken);
  const sessions = sessionLines(report, indexes, opts);
  const rows = sortRows(report.rows, opts.collation);
  const names = nameColumns(report.rows.map((r) => r.student));
  return {
    columns: columnsOf(report, sessions, names, opts),
    nameColumnCount: names.length,
    sessions,
    rowCount: rows.length,
    *rows() {
      for (const row of rows) yield rowValues(report, row, indexes, names, opts);
    },
  };
}
