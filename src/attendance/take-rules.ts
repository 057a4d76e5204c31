import { RecordSource, REMARK_MAX } from './record-source';

/**
 * The rules of the take page, pure: who is listed where, what a posted form may contain, which
 * rows really changed, and the "set all" fill. The service feeds them what it read from the
 * database (once per request) and writes only what `diffRows` returns.
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

/** One student row of the form: `u<i>`, `s<i>` ('' = unmarked), `r<i>` (trimmed). */
export interface PostedRow {
  index: number;
  userId: string;
  statusId: string;
  remark: string;
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

function statusProblem(row: PostedRow, ctx: ValidationContext): RowProblemKey | undefined {
  const current = ctx.current.get(row.userId);
  if (row.statusId === '') return current || row.remark === '' ? undefined : 'remark_needs_status';
  const status = ctx.statuses.get(row.statusId);
  if (!status) return 'status_not_in_set';
  // A hidden status is offered no more, but a record that has it may keep it.
  if (!status.visible && current?.statusId !== row.statusId) return 'status_hidden';
  return undefined;
}

/** Every problem of the whole form (nothing is saved unless this is empty). */
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
    if (row.remark.length > REMARK_MAX) add('remark_too_long');
    const status = statusProblem(row, ctx);
    if (status) add(status);
  }
  return problems;
}

export interface RecordChange {
  userId: string;
  from: { statusId: string | null; remark: string };
  to: { statusId: string; remark: string };
  statusChanged: boolean;
}

/**
 * The rows whose status or remark differ from the stored record. An empty status keeps the
 * stored one (radio buttons cannot be cleared, so "unmarked" only ever means "not marked yet");
 * an unmarked row without a record stays without one.
 */
export function diffRows(rows: readonly PostedRow[], current: ReadonlyMap<string, CurrentRecord>): RecordChange[] {
  const changes: RecordChange[] = [];
  for (const row of rows) {
    const record = current.get(row.userId);
    const statusId = row.statusId || record?.statusId;
    if (!statusId) continue;
    if (record && record.statusId === statusId && record.remark === row.remark) continue;
    changes.push({
      userId: row.userId,
      from: record ? { statusId: record.statusId, remark: record.remark } : { statusId: null, remark: '' },
      to: { statusId, remark: row.remark },
      statusChanged: record?.statusId !== statusId,
    });
  }
  return changes;
}

export type BulkMode = 'all' | 'unmarked';

/** "Set all to …" / "Set all unmarked to …": the rows as they will be shown, not saved yet. */
export function fillRows(rows: readonly PostedRow[], mode: BulkMode, statusId: string): { rows: PostedRow[]; filled: number } {
  let filled = 0;
  const out = rows.map((row) => {
    if (mode === 'unmarked' && row.statusId !== '') return row;
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
