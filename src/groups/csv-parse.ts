/**
 * A small, lenient CSV reader for membership lists pasted or exported from spreadsheets and
 * LMSs: RFC 4180 quoting ("" inside quotes, line breaks inside quotes), CRLF / LF / CR line
 * ends, an optional UTF-8 BOM, and the separator guessed from the first line (comma,
 * semicolon — Excel in Latvian locale — or tab, which is what pasting cells gives).
 * Malformed quoting never fails: teachers get "matched nothing" rows instead of an error.
 */
export interface CsvRecord {
  /** 1-based line on which the record starts (what a teacher sees in an editor). */
  line: number;
  cells: string[];
}

const SEPARATORS = [',', ';', '\t'] as const;
export type CsvSeparator = (typeof SEPARATORS)[number];

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The separator used most often outside quotes on the first non-blank line; comma on a tie. */
export function detectSeparator(text: string): CsvSeparator {
  const first = text.split(/\r\n|\r|\n/).find((l) => l.trim() !== '') ?? '';
  const counts = new Map<string, number>(SEPARATORS.map((s) => [s, 0]));
  let inQuotes = false;
  for (const ch of first) {
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && counts.has(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let best: CsvSeparator = ',';
  for (const s of SEPARATORS) if ((counts.get(s) ?? 0) > (counts.get(best) ?? 0)) best = s;
  return best;
}

class RecordBuilder {
  readonly records: CsvRecord[] = [];
  private cells: string[] = [];
  private cell = '';
  private started = false;

  constructor(private recordLine = 1) {}

  add(text: string): void {
    this.cell += text;
    this.started = true;
  }

  /** A quote opens a quoted field only at its start (leading spaces allowed). */
  canOpenQuote(): boolean {
    return this.cell.trim() === '';
  }

  resetCell(): void {
    this.cell = '';
    this.started = true;
  }

  endCell(): void {
    this.cells.push(this.cell);
    this.cell = '';
    this.started = true;
  }

  endRecord(nextLine: number): void {
    if (this.started) {
      this.endCell();
      this.records.push({ line: this.recordLine, cells: this.cells });
    }
    this.cells = [];
    this.started = false;
    this.recordLine = nextLine;
  }
}

/** Splits text into records; blank lines come back as records with empty cells (callers skip them). */
export function parseCsv(input: string, separator: CsvSeparator = detectSeparator(stripBom(input))): CsvRecord[] {
  const text = stripBom(input);
  const out = new RecordBuilder();
  let line = 1;
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? '';
    const crlf = ch === '\r' && text[i + 1] === '\n';
    if (inQuotes) {
      if (ch === '"' && text[i + 1] === '"') {
        out.add('"');
        i++;
      } else if (ch === '"') {
        inQuotes = false;
      } else {
        if (ch === '\n' || (ch === '\r' && !crlf)) line++;
        out.add(ch);
      }
    } else if (ch === '"' && out.canOpenQuote()) {
      out.resetCell();
      inQuotes = true;
    } else if (ch === separator) {
      out.endCell();
    } else if (ch === '\r' || ch === '\n') {
      if (crlf) i++;
      line++;
      out.endRecord(line);
    } else {
      out.add(ch);
    }
  }
  out.endRecord(line);
  return out.records;
}
