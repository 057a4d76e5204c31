import { z } from 'zod';
import type { BulkMode, ConflictChoice, PostedRow, RowValue } from './take-rules';

/**
 * The take form's shape (scripts and benchmarks post it): `ltik`, `count`, and per row i
 * `u<i>` (user id), `s<i>` (status id, '' or absent = unmarked), `r<i>` (remark), `w<i>` (the
 * row as the page showed it: '' = no record, else the JSON pair [statusId, remark]) and, on a
 * conflict row, `c<i>` = theirs | mine; optionally `setAll` / `setUnmarked` = a status id (the
 * bulk buttons) and `sort`. The page always sends `w<i>`; a form without any (an older script)
 * is compared with the records as the save reads them. Messages are i18n keys. Whether ids and
 * remarks are acceptable is decided by take-rules with the database's facts.
 */

/** 4 fields per row plus a choice on conflict rows must stay under the body parser's parameter limit (10 000). */
export const MAX_ROWS = 1900;

export const sortSchema = z.enum(['last', 'first']).catch('last');
export type TakeSort = z.infer<typeof sortSchema>;

const countSchema = z.coerce.number({ error: 'attendance.errors.form_incomplete' }).int('attendance.errors.form_incomplete').min(0).max(MAX_ROWS, 'attendance.errors.too_many_rows');
const userIdSchema = z.string({ error: 'attendance.errors.form_incomplete' }).trim().min(1, 'attendance.errors.form_incomplete').max(255, 'attendance.errors.form_incomplete');
const optionalText = z.string({ error: 'form.invalid_choice' }).optional().default('');
const bulkSchema = z.string().trim().min(1).max(255).optional().catch(undefined);
// Remarks written by other means may be longer than the page allows; the pair only has to be well-formed.
const shownPairSchema = z.tuple([z.string().min(1).max(255), z.string().max(10_000)]);
const choiceSchema = z.enum(['theirs', 'mine']).optional();

export interface TakeForm {
  rows: PostedRow[];
  sort: TakeSort;
  bulk?: { mode: BulkMode; statusId: string };
}

export type TakeFormResult = { ok: true; form: TakeForm } | { ok: false; errorKey: string; sort: TakeSort };

function firstMessage(error: z.ZodError): string {
  const message = error.issues[0]?.message ?? '';
  return /^[a-z0-9_]+(\.[a-z0-9_]+)+$/.test(message) ? message : 'attendance.errors.form_incomplete';
}

/** `w<i>`: undefined when absent, null for "no record"; a broken value is an incomplete form. */
function parseShown(value: unknown): { ok: true; shown: RowValue | null | undefined } | { ok: false } {
  if (value === undefined) return { ok: true, shown: undefined };
  if (typeof value !== 'string') return { ok: false };
  if (value === '') return { ok: true, shown: null };
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    return { ok: false };
  }
  const pair = shownPairSchema.safeParse(json);
  return pair.success ? { ok: true, shown: { statusId: pair.data[0], remark: pair.data[1] } } : { ok: false };
}

function parseRow(body: Record<string, unknown>, index: number): { ok: true; row: PostedRow } | { ok: false; errorKey: string } {
  const userId = userIdSchema.safeParse(body[`u${index}`]);
  if (!userId.success) return { ok: false, errorKey: firstMessage(userId.error) };
  const status = optionalText.safeParse(body[`s${index}`]);
  const remark = optionalText.safeParse(body[`r${index}`]);
  const choice = choiceSchema.safeParse(body[`c${index}`]);
  if (!status.success || !remark.success || !choice.success) return { ok: false, errorKey: 'form.invalid_choice' };
  const shown = parseShown(body[`w${index}`]);
  if (!shown.ok) return { ok: false, errorKey: 'attendance.errors.form_incomplete' };
  const row: PostedRow = { index, userId: userId.data, statusId: status.data.trim(), remark: remark.data.trim() };
  if (shown.shown !== undefined) row.shown = shown.shown;
  if (choice.data !== undefined) row.choice = choice.data satisfies ConflictChoice;
  return { ok: true, row };
}

export function parseTakeForm(body: Record<string, unknown>): TakeFormResult {
  const sort = sortSchema.parse(body.sort);
  const count = countSchema.safeParse(body.count);
  if (!count.success) return { ok: false, errorKey: firstMessage(count.error), sort };
  const rows: PostedRow[] = [];
  for (let i = 0; i < count.data; i++) {
    const parsed = parseRow(body, i);
    if (!parsed.ok) return { ok: false, errorKey: parsed.errorKey, sort };
    rows.push(parsed.row);
  }
  // The page sends what every row showed; a form with it on some rows only was cut or tampered with.
  const carried = rows.filter((r) => r.shown !== undefined).length;
  if (carried !== 0 && carried !== rows.length) return { ok: false, errorKey: 'attendance.errors.form_incomplete', sort };
  const setAll = bulkSchema.parse(body.setAll);
  const setUnmarked = bulkSchema.parse(body.setUnmarked);
  const bulk = setAll ? { mode: 'all' as const, statusId: setAll } : setUnmarked ? { mode: 'unmarked' as const, statusId: setUnmarked } : undefined;
  return { ok: true, form: { rows, sort, bulk } };
}
