import { z } from 'zod';
import { LIMITS, PICK_MODES, StatusDraft, StatusSetDraft, validateStatusSet, validName } from './status-rules';

/**
 * Form shapes of the status-set pages. The edit form sends flat fields
 * (`statuses.<row>.acronym`, … — the urlencoded parser is not "extended"), so rows are first
 * gathered by their index; the zod schema then turns text into numbers, and the set's rules
 * (status-rules.ts) add their problems under the same field names, all in one pass.
 */

export interface RawStatusRow {
  id: string;
  acronym: string;
  description: string;
  points: string;
  order: string;
  visible: boolean;
  excused: boolean;
  pickMode: string;
  pickMinutes: string;
}

export interface RawStatusSetForm {
  name: string;
  autoStatus: string;
  statuses: RawStatusRow[];
}

const ROW_FIELD = /^statuses\.(\d{1,2})\.(id|acronym|description|points|order|visible|excused|pickMode|pickMinutes)$/;

/** A repeated field arrives as an array; only the first value counts. */
function text(value: unknown): string {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : '';
}

function blankRaw(): RawStatusRow {
  return { id: '', acronym: '', description: '', points: '', order: '', visible: false, excused: false, pickMode: '', pickMinutes: '' };
}

/** Gathers the edit form's rows by index (dense: gaps become empty rows) and keeps what was typed. */
export function rawStatusSetForm(body: Record<string, unknown>): RawStatusSetForm {
  const rows: RawStatusRow[] = [];
  for (const [key, value] of Object.entries(body)) {
    const match = ROW_FIELD.exec(key);
    if (!match) continue;
    const index = Number(match[1]);
    if (index >= LIMITS.statusesMax + 1) continue;
    while (rows.length <= index) rows.push(blankRaw());
    const row = rows[index] as RawStatusRow;
    const field = match[2] as keyof RawStatusRow;
    // Checkboxes: unticked ones are not sent at all.
    if (field === 'visible' || field === 'excused') row[field] = text(value) !== '';
    else row[field] = text(value);
  }
  return { name: text(body.name), autoStatus: text(body.autoStatus) || 'none', statuses: rows };
}

/** The blank row for adding a status (or a gap) counts as "not there" when nothing was typed in it. */
export function isBlankRow(row: RawStatusRow): boolean {
  return !row.id && [row.acronym, row.description, row.points, row.order, row.pickMinutes].every((v) => v.trim() === '');
}

const decimal = z
  .string()
  .trim()
  .min(1, 'form.required')
  .regex(/^-?\d{1,7}([.,]\d+)?$/, 'form.not_a_number')
  .transform((v) => Number(v.replace(',', '.')));

const optionalInteger = (message: string) =>
  z
    .string()
    .trim()
    .regex(/^(-?\d{1,7})?$/, message)
    .transform((v) => (v === '' ? undefined : Number(v)));

const rowSchema = z.object({
  id: z.string().trim().max(100),
  acronym: z.string(),
  description: z.string(),
  points: decimal,
  order: optionalInteger('status_sets.errors.order_integer'),
  visible: z.boolean(),
  excused: z.boolean(),
  pickMode: z.enum(PICK_MODES, { error: 'form.invalid_choice' }),
  pickMinutes: optionalInteger('form.not_a_number'),
});

/** Row index as the key, so problems are reported where the teacher typed. */
function toDraft(statuses: Array<z.output<typeof rowSchema> | null>, name: string, autoStatus: string): StatusSetDraft {
  const drafts: StatusDraft[] = [];
  statuses.forEach((row, index) => {
    if (!row) return;
    drafts.push({
      key: String(index),
      id: row.id || undefined,
      acronym: row.acronym,
      description: row.description,
      points: row.points,
      order: row.order,
      visible: row.visible,
      excused: row.excused,
      studentPick: { mode: row.pickMode, minutes: row.pickMinutes },
    });
  });
  return { name: name.trim(), statuses: drafts, autoKey: autoStatus === 'none' ? null : autoStatus };
}

export const statusSetFormSchema = z
  .object({
    name: z.string(),
    autoStatus: z.string().regex(/^(none|\d{1,2})$/, 'form.invalid_choice'),
    statuses: z.array(z.preprocess((row) => (isBlankRow(row as RawStatusRow) ? null : row), rowSchema.nullable())),
  })
  .transform((form) => toDraft(form.statuses, form.name, form.autoStatus))
  .superRefine((draft, ctx) => {
    // Rule field names are already the form's (`statuses.2.points`); fieldErrors() joins the path back.
    for (const [field, message] of Object.entries(validateStatusSet(draft))) {
      ctx.addIssue({ code: 'custom', message, path: field.split('.') });
    }
  });

export const createSetSchema = z.object({
  name: z
    .string()
    .trim()
    .refine((name) => validName(name) === undefined, 'status_sets.errors.name_length'),
});

export type CreateSetInput = z.output<typeof createSetSchema>;
