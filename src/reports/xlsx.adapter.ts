/**
 * The XLSX export through exceljs's streaming WorkbookWriter: each row is committed (written to
 * the zip stream) as soon as it is added, so a large class is never a whole workbook in memory.
 * Sheet 1 is the table (one header row, text headers, numbers as numbers, the percentage as a
 * fraction with a percent format); sheet 2 lists the sessions with real date/time cells. Excel
 * has no time zones, so those cells hold the activity zone's wall-clock time.
 * Text cells are neutralised like the CSV's: exceljs writes them as strings, but a file saved
 * again as CSV, or pasted elsewhere, would turn "=…" back into a formula.
 */
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { neutralise } from './csv';
import type { ExportTable, ExportValue } from './export-table';

export interface XlsxLabels {
  mainSheet: string;
  sessionsSheet: string;
  session: string;
  start: string;
  end: string;
  duration: string;
  audience: string;
  description: string;
  /** What the "*" after a status means, written under the session list. */
  legend: string;
}

const DATE_TIME_FORMAT = 'yyyy-mm-dd hh:mm';
const PERCENT_FORMAT = '0.00%';

/** Sheet names: at most 31 characters, none of : \ / ? * [ ]. */
const sheetName = (name: string, fallback: string) => name.replace(/[:\\/?*[\]]/g, ' ').slice(0, 31).trim() || fallback;

const cellValue = (v: ExportValue): string | number | null => (typeof v === 'string' ? neutralise(v) : v);

function writeMainSheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, table: ExportTable, name: string): void {
  // Frozen header row and name columns: 100 sessions scroll sideways.
  // The name columns and the identifier stay in view.
  const fixed = table.nameColumnCount + 1;
  const sheet = workbook.addWorksheet(sheetName(name, 'Attendance'), { views: [{ state: 'frozen', xSplit: fixed, ySplit: 1 }] });
  sheet.columns = table.columns.map((c, i) => ({ width: i < fixed ? 22 : c.kind === 'remark' ? 24 : 14 }));
  const header = sheet.addRow(table.columns.map((c) => neutralise(c.header)));
  header.font = { bold: true };
  header.commit();
  const percentAt = table.columns.findIndex((c) => c.kind === 'percentage') + 1;
  for (const values of table.rows()) {
    const row = sheet.addRow(values.map((v, i) => (i + 1 === percentAt && typeof v === 'number' ? v / 100 : cellValue(v))));
    if (percentAt > 0) row.getCell(percentAt).numFmt = PERCENT_FORMAT;
    row.commit();
  }
  sheet.commit();
}

function writeSessionsSheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, table: ExportTable, labels: XlsxLabels): void {
  const sheet = workbook.addWorksheet(sheetName(labels.sessionsSheet, 'Sessions'), { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = [{ width: 40 }, { width: 18 }, { width: 18 }, { width: 10 }, { width: 22 }, { width: 40 }];
  const header = sheet.addRow([labels.session, labels.start, labels.end, labels.duration, labels.audience, labels.description].map(neutralise));
  header.font = { bold: true };
  header.commit();
  for (const s of table.sessions) {
    const row = sheet.addRow([neutralise(s.header), s.startsAtLocal, s.endsAtLocal, s.durationMinutes, neutralise(s.audience), s.description ? neutralise(s.description) : null]);
    row.getCell(2).numFmt = DATE_TIME_FORMAT;
    row.getCell(3).numFmt = DATE_TIME_FORMAT;
    row.commit();
  }
  sheet.addRow([]).commit();
  sheet.addRow([neutralise(labels.legend)]).commit();
  sheet.commit();
}

/** Writes the workbook into `out` and ends it. */
export async function writeXlsx(out: Writable, table: ExportTable, labels: XlsxLabels): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  workbook.creator = 'LTI Attendance';
  writeMainSheet(workbook, table, labels.mainSheet);
  writeSessionsSheet(workbook, table, labels);
  await workbook.commit();
}
