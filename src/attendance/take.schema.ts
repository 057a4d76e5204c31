import { z } from 'zod';
import type { BulkMode, PostedRow } from './take-rules';

/**
 * The take form's shape (fixed; scripts and benchmarks post it): `ltik`, `count`, and per row i
 * `u<i>` (user id), `s<i>` (status id, '' or absent = unmarked), `r<i>` (remark); optionally
 * `setAll` / `setUnmarked` = a status id (the bulk buttons) and `sort`. Messages are i18n keys.
 * Whether ids and remarks are acceptable is decided by take-rules with the database's facts.
 */

/** 3 fields per row must stay under the body parser's parameter limit (10 000). */
export const MAX_ROWS = 3000;

export const sortSchema = z.enum(['last', 'first']).catch('last');
export type TakeSort = z.infer<typeof sortSchema>;

const countSchema = z.coerce.number({ error: 'attendance.errors.form_incomplete' }).int('attendance.errors.form_incomplete').min(0).max(MAX_ROWS, 'attendance.errors.too_many_rows');
const userIdSchema = z.string({ error: 'attendance.errors.form_incomplete' }).trim().min(1, 'attendance.errors.form_incomplete').max(255, 'attendance.errors.form_incomplete');
const optionalText = z.string({ error: 'form.invalid_choice' }).optional().default('');
const bulkSchema = z.string().trim().min(1).max(255).optional().catch(undefined);

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

function parseRow(body: Record<string, unknown>, index: number): { ok: true; row: PostedRow } | { ok: false; errorKey: string } {
  const userId = userIdSchema.safeParse(body[`u${index}`]);
  if (!userId.success) return { ok: false, errorKey: firstMessage(userId.error) };
  const status = optionalText.safeParse(body[`s${index}`]);
  const remark = optionalText.safeParse(body[`r${index}`]);
  if (!status.success || !remark.success) return { ok: false, errorKey: 'form.invalid_choice' };
  return { ok: true, row: { index, userId: userId.data, statusId: status.data.trim(), remark: remark.data.trim() } };
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
  const setAll = bulkSchema.parse(body.setAll);
  const setUnmarked = bulkSchema.parse(body.setUnmarked);
  const bulk = setAll ? { mode: 'all' as const, statusId: setAll } : setUnmarked ? { mode: 'unmarked' as const, statusId: setUnmarked } : undefined;
  return { ok: true, form: { rows, sort, bulk } };
}
