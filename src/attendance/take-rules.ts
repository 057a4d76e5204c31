import { RecordSource, REMARK_MAX } from './record-source';

/**
 * The rules of the take page, pure: who is listed where, what a posted form may contain, which
 * rows the teacher changed on the page, and the "set all" fill. The service feeds them what it
 * read from the database (once per request); take-plan.ts decides what to write.
 */

export interface StatusChoice {
  id: string;
  acronym: string;
  description: string;
  visible: boolean;
}

export interface CurrentRecord {
  userId: string;
  statusId: string;
  remark: string;
  source: RecordSource;
  selfRecordedAt?: Date;
}

/** A mark as the take page shows it. */
export interface RowValue {
  statusId: string;
  remark: string;
}

/** A conflict row's decision on the next save: keep the stored value, or write this row's. */
export type ConflictChoice = 'theirs' | 'mine';

/** One student row of the form: `u<i>`, `s<i>` ('' = unmarked), `r<i>` (trimmed), `w<i>`, `c<i>`. */
export interface PostedRow {
  index: number;
  userId: string;
  statusId: string;
  remark: string;
  /**
   * The row as the page showed it when it was rendered: null = no record. Undefined = the form
   * did not say (a script's form): then it counts as what is stored when the save reads.
   */
  shown?: RowValue | null;
  choice?: ConflictChoice;
}

export function sameValue(a: RowValue | null, b: RowValue | null): boolean {
  if (!a || !b) return a === b;
  return a.statusId === b.statusId && a.remark === b.remark;
}

/** The hidden `w<i>` field: '' for "no record", else the JSON pair [statusId, remark]. */
export const encodeShown = (value: RowValue | null): string => (value ? JSON.stringify([value.statusId, value.remark]) : '');

export const valueOf = (record: CurrentRecord | undefined): RowValue | null => (record ? { statusId: record.statusId, remark: record.remark } : null);

/** What the page showed for the row: what the form carried, else what is stored now. */
export function shownValue(row: PostedRow, current: ReadonlyMap<string, CurrentRecord>): RowValue | null {
  return row.shown !== undefined ? row.shown : valueOf(current.get(row.userId));
}

/**
 * Whether the teacher changed the row on the page. An empty status keeps the shown one (radio
 * buttons cannot be cleared, so "unmarked" only ever means "not marked yet"); "keep theirs" on
 * a conflict row is no change.
 */
export function isEdited(row: PostedRow, shown: RowValue | null): boolean {
  if (row.choice === 'theirs') return false;
  if (!shown) return row.statusId !== '' || row.remark !== '';
  return (row.statusId !== '' && row.statusId !== shown.statusId) || row.remark !== shown.remark;
}

/** The value the teacher asks for; null when the row stays unmarked. */
export function intendedValue(row: PostedRow, shown: RowValue | null): RowValue | null {
  const statusId = row.statusId || shown?.statusId;
  return statusId ? { statusId, remark: row.remark } : null;
}

export type RowProblemKey =
  | 'duplicate_student'
  | 'user_not_in_course'
  | 'status_not_in_set'
  | 'status_hidden'
  | 'remark_too_long'
  | 'remark_needs_status';

export interface RowProblem {
  index: number;
  userId: string;
  key: RowProblemKey;
}

export interface ValidationContext {
  /** Every status of the session's set, hidden ones included. */
  statuses: ReadonlyMap<string, StatusChoice>;
  /** LMS user ids of the course's members among the posted ones. */
  courseUserIds: ReadonlySet<string>;
  current: ReadonlyMap<string, CurrentRecord>;
}

function statusProblem(row: PostedRow, shown: RowValue | null, ctx: ValidationContext): RowProblemKey | undefined {
  if (row.statusId === '') return shown || row.remark === '' ? undefined : 'remark_needs_status';
  const status = ctx.statuses.get(row.statusId);
  if (!status) return 'status_not_in_set';
  // A hidden status is offered no more, but a record that has it may keep it.
  if (!status.visible && shown?.statusId !== row.statusId) return 'status_hidden';
  return undefined;
}

/**
 * Every problem of the whole form (nothing is saved unless this is empty). Statuses and remarks
 * are checked on the rows the teacher changed: the others are never written.
 */
export function validateRows(rows: readonly PostedRow[], ctx: ValidationContext): RowProblem[] {
  const problems: RowProblem[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const add = (key: RowProblemKey) => problems.push({ index: row.index, userId: row.userId, key });
    if (seen.has(row.userId)) {
      add('duplicate_student');
      continue;
    }
    seen.add(row.userId);
    if (!ctx.courseUserIds.has(row.userId)) {
      add('user_not_in_course');
      continue;
    }
    const shown = shownValue(row, ctx.current);
    if (!isEdited(row, shown)) continue;
    if (row.remark.length > REMARK_MAX) add('remark_too_long');
    const status = statusProblem(row, shown, ctx);
    if (status) add(status);
  }
  return problems;
}

export type BulkMode = 'all' | 'unmarked';

/**
 * "Set all to …" / "Set all unmarked to …": the rows as they will be shown, not saved yet. A
 * conflict row waiting for "keep theirs / use mine" is left for the teacher to decide.
 */
export function fillRows(rows: readonly PostedRow[], mode: BulkMode, statusId: string): { rows: PostedRow[]; filled: number } {
  let filled = 0;
  const out = rows.map((row) => {
    if (row.choice !== undefined || (mode === 'unmarked' && row.statusId !== '')) return row;
    filled += 1;
    return { ...row, statusId };
  });
  return { rows: out, filled };
}

export interface MemberFacts {
  userId: string;
  role: string;
  active: boolean;
}

export type FormerReason = 'inactive' | 'left_group' | 'not_student' | 'not_in_course';

export interface AudienceSplit<M> {
  /** Active students of the audience: the rows of the form. */
  students: M[];
  /** Students with a record who are no longer in the audience, with the reason. */
  former: Array<{ userId: string; member?: M; reason: FormerReason }>;
}

/**
 * Who is taken on the page: the active students of the audience (everyone, or the group's
 * members). Anyone else who has a record for the session keeps it and is listed apart.
 */
export function splitAudience<M extends MemberFacts>(
  members: readonly M[],
  recordUserIds: Iterable<string>,
  groupMemberIds: ReadonlySet<string> | undefined,
): AudienceSplit<M> {
  const byId = new Map(members.map((m) => [m.userId, m]));
  const inAudience = (m: M) => m.role === 'student' && m.active && (!groupMemberIds || groupMemberIds.has(m.userId));
  const students = members.filter(inAudience);
  const former: AudienceSplit<M>['former'] = [];
  for (const userId of new Set(recordUserIds)) {
    const member = byId.get(userId);
    if (member && inAudience(member)) continue;
    let reason: FormerReason = 'not_in_course';
    if (member) reason = member.role !== 'student' ? 'not_student' : !member.active ? 'inactive' : 'left_group';
    former.push({ userId, member, reason });
  }
  return { students, former };
}
