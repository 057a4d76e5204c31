import { DomainError } from '../shared/errors';
import { CsvRecord, parseCsv } from './csv-parse';

/**
 * Matches a membership CSV against the students of a course. Without a header row, each row's
 * first non-empty cell is compared with every identifier (LMS id, username, email); with a
 * header, the named columns are compared with their own kind only, so an email column can
 * never hit someone's username by accident.
 */
export const CSV_MAX_ROWS = 5000;
export const CSV_MAX_BYTES = 1024 * 1024;

export interface CsvCandidate {
  userId: string;
  email?: string | null;
  username?: string | null;
}

export interface CsvUnmatchedRow {
  line: number;
  value: string;
}

export interface CsvMatchResult {
  /** Matched LMS user ids, each once, in file order. */
  userIds: string[];
  /** Rows that matched nobody (first occurrence of each value only). */
  unmatched: CsvUnmatchedRow[];
  /** Rows ignored because an earlier row named the same person or the same unmatched value. */
  duplicateRows: number;
  hasHeader: boolean;
}

type IdKind = 'userId' | 'username' | 'email';

/** Header names per identifier kind, compared after lower-casing and folding `_`, `-` and spaces. */
const HEADER_NAMES: Record<IdKind, string[]> = {
  userId: ['user id', 'userid', 'id', 'lms id', 'lms user id', 'lms userid', 'lietotāja id'],
  username: ['username', 'user name', 'login', 'lietotājvārds', 'lietotāja vārds'],
  email: ['email', 'e mail', 'email address', 'e mail address', 'mail', 'e pasts', 'e pasta adrese'],
};
/** Order in which a row's identifiers are tried: the most precise first. */
const KIND_ORDER: IdKind[] = ['userId', 'username', 'email'];

const normalizeHeader = (cell: string) => cell.trim().toLowerCase().replace(/[\s_-]+/g, ' ').trim();

class MemberIndex {
  private readonly maps: Record<IdKind, Map<string, string>> = { userId: new Map(), username: new Map(), email: new Map() };

  constructor(candidates: CsvCandidate[]) {
    for (const c of candidates) {
      this.maps.userId.set(c.userId, c.userId);
      if (c.username) this.maps.username.set(c.username.trim(), c.userId);
      if (c.email) this.maps.email.set(c.email.trim().toLowerCase(), c.userId);
    }
  }

  find(kind: IdKind, value: string): string | undefined {
    return this.maps[kind].get(kind === 'email' ? value.toLowerCase() : value);
  }
}

/** Column index of each identifier kind named in the header row, or undefined if it is not a header. */
function headerColumns(record: CsvRecord): Partial<Record<IdKind, number>> | undefined {
  const columns: Partial<Record<IdKind, number>> = {};
  record.cells.forEach((cell, index) => {
    const name = normalizeHeader(cell);
    for (const kind of KIND_ORDER) {
      if (columns[kind] === undefined && HEADER_NAMES[kind].includes(name)) columns[kind] = index;
    }
  });
  return Object.keys(columns).length > 0 ? columns : undefined;
}

const isBlank = (record: CsvRecord) => record.cells.every((c) => c.trim() === '');
const firstValue = (record: CsvRecord) => record.cells.map((c) => c.trim()).find((c) => c !== '') ?? '';

interface RowLookup {
  value: string;
  userId?: string;
}

function lookupRow(record: CsvRecord, index: MemberIndex, columns: Partial<Record<IdKind, number>> | undefined): RowLookup {
  if (!columns) {
    const value = firstValue(record);
    for (const kind of KIND_ORDER) {
      const userId = index.find(kind, value);
      if (userId) return { value, userId };
    }
    return { value };
  }
  const named = KIND_ORDER.flatMap((kind) => {
    const col = columns[kind];
    const value = col === undefined ? '' : (record.cells[col] ?? '').trim();
    return value === '' ? [] : [{ kind, value }];
  });
  for (const { kind, value } of named) {
    const userId = index.find(kind, value);
    if (userId) return { value, userId };
  }
  return { value: named.length > 0 ? named.map((n) => n.value).join(' / ') : firstValue(record) };
}

/** Refuses oversized input before any parsing work, with a message a teacher can act on. */
export function assertCsvSize(text: string): void {
  if (Buffer.byteLength(text, 'utf8') > CSV_MAX_BYTES) throw new DomainError('groups.import.errors.too_large', 400, { max: '1 MB' });
}

export function matchMembershipCsv(text: string, candidates: CsvCandidate[]): CsvMatchResult {
  assertCsvSize(text);
  const records = parseCsv(text).filter((r) => !isBlank(r));
  const first = records[0];
  const columns = first ? headerColumns(first) : undefined;
  const rows = columns ? records.slice(1) : records;
  if (rows.length === 0) throw new DomainError('groups.import.errors.no_rows', 400);
  if (rows.length > CSV_MAX_ROWS) throw new DomainError('groups.import.errors.too_many_rows', 400, { max: CSV_MAX_ROWS, count: rows.length });

  const index = new MemberIndex(candidates);
  const matched = new Set<string>();
  const unmatchedSeen = new Set<string>();
  const result: CsvMatchResult = { userIds: [], unmatched: [], duplicateRows: 0, hasHeader: columns !== undefined };
  for (const record of rows) {
    const { value, userId } = lookupRow(record, index, columns);
    const seen = userId ? matched : unmatchedSeen;
    const key = userId ?? value.toLowerCase();
    if (seen.has(key)) {
      result.duplicateRows += 1;
      continue;
    }
    seen.add(key);
    if (userId) result.userIds.push(userId);
    else result.unmatched.push({ line: record.line, value });
  }
  return result;
}
