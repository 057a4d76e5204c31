/**
 * CSV as spreadsheet programs read it (RFC 4180), pure. UTF-8 with a byte-order mark, or Excel
 * shows Latvian letters as mojibake; CRLF line ends; a field is quoted when it holds a comma, a
 * quote or a line break.
 *
 * Formula injection: a spreadsheet evaluates a cell that starts with = + - @ (and, after a tab
 * or CR, whatever follows), so a student named "=HYPERLINK(...)" could make a teacher's Excel
 * call out. Spreadsheets also skip leading spaces and line breaks before such a sign, and some
 * (LibreOffice, Excel in East Asian locales) read the full-width forms ＝ ＋ － ＠ as the signs
 * themselves. Every *text* value that starts with one of those, after any whitespace, is
 * prefixed with an apostrophe, which spreadsheets treat as "this is text". Numbers we produce
 * ourselves stay numbers (a negative number is not an attack). Neutralising is idempotent, so
 * callers may apply it twice.
 */

export type CsvValue = string | number | null | undefined;

export const BOM = '\uFEFF';
export const CRLF = '\r\n';

const FORMULA_START = /^(?:[\t\r]|\s*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20])/u;
const NEEDS_QUOTES = /[",\r\n]/;

/** "=1+2" → "'=1+2"; anything else unchanged. */
export function neutralise(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = neutralise(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly CsvValue[]): string {
  return values.map(csvField).join(',') + CRLF;
}

/**
 * The file in chunks of roughly `chunkSize` characters: the BOM and header row first, then
 * data rows as the generator yields them, so a large class is never one big string.
 */
export function* csvChunks(header: readonly CsvValue[], rows: Iterable<readonly CsvValue[]>, chunkSize = 64 * 1024): Generator<string> {
  let buffer = BOM + csvLine(header);
  for (const row of rows) {
    buffer += csvLine(row);
    if (buffer.length >= chunkSize) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer.length > 0) yield buffer;
}
