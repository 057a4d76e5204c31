import { z } from 'zod';
import { LIMITS, PICK_MODES, RuleErrors, StatusDraft, StatusSetDraft, validateStatusSet, validName } from './status-rules';

/**
 * Form shapes of the status-set pages. The edit form sends flat fields
 * (`statuses.<row>.acronym`, … — the urlencoded parser is not "extended"), so rows are first
 * gathered by their index; each cell's zod schema then turns text into numbers, and the set's
 * rules (status-rules.ts) add their problems under the same field names, all in one pass.
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

/** One schema per cell, so every cell of every row is checked in the same pass. */
const cellSchemas = {
  id: z.string().trim().max(100),
  points: decimal,
  order: optionalInteger('status_sets.errors.order_integer'),
  pickMode: z.enum(PICK_MODES, { error: 'form.invalid_choice' }),
  pickMinutes: optionalInteger('form.not_a_number'),
};

const autoStatusSchema = z.string().regex(/^(none|\d{1,2})$/, 'form.invalid_choice');

/** The parsed form: the draft (a cell that did not parse holds a stand-in) and every problem found, by field. */
export interface ParsedStatusSetForm {
  draft: StatusSetDraft;
  errors: RuleErrors;
}

type Cell = keyof typeof cellSchemas;

/** A cell's value, or the stand-in after noting its problem (the first problem of a field is the one shown). */
function cell<C extends Cell>(row: RawStatusRow, index: number, name: C, fallback: z.output<(typeof cellSchemas)[C]>, errors: RuleErrors) {
  const result = cellSchemas[name].safeParse(row[name]);
  if (result.success) return result.data as z.output<(typeof cellSchemas)[C]>;
  // A tampered hidden id has no cell of its own: the page's alert reports it.
  if (name === 'id') errors._form ??= 'form.invalid_choice';
  else errors[`statuses.${index}.${name}`] ??= result.error.issues[0]?.message ?? 'form.invalid_choice';
  return fallback;
}

/** Row index as the key, so problems are reported where the teacher typed. */
function rowDraft(row: RawStatusRow, index: number, errors: RuleErrors): StatusDraft {
  return {
    key: String(index),
    id: cell(row, index, 'id', '', errors) || undefined,
    acronym: row.acronym,
    description: row.description,
    // NaN: the points rule then says nothing new (the cell's parse problem is already noted).
    points: cell(row, index, 'points', Number.NaN, errors),
    order: cell(row, index, 'order', undefined, errors),
    visible: row.visible,
    excused: row.excused,
    studentPick: { mode: cell(row, index, 'pickMode', 'never', errors), minutes: cell(row, index, 'pickMinutes', undefined, errors) },
  };
}

/**
 * The whole edit form in ONE pass: every cell's format, then the set's rules over what parsed,
 * so a teacher sees every problem of the form at once (the service adds the taken name the same way).
 */
export function parseStatusSetForm(raw: RawStatusSetForm): ParsedStatusSetForm {
  const errors: RuleErrors = {};
  const statuses: StatusDraft[] = [];
  raw.statuses.forEach((row, index) => {
    if (!isBlankRow(row)) statuses.push(rowDraft(row, index, errors));
  });
  const auto = autoStatusSchema.safeParse(raw.autoStatus);
  if (!auto.success) errors.autoStatus = 'form.invalid_choice';
  const autoKey = !auto.success || auto.data === 'none' ? null : auto.data;
  const draft: StatusSetDraft = { name: raw.name.trim(), statuses, autoKey };
  for (const [field, key] of Object.entries(validateStatusSet(draft))) errors[field] ??= key;
  return { draft, errors };
}

/** parseStatusSetForm as a zod schema: fails with one issue per problem field (for fieldErrors). */
export const statusSetFormSchema = z.custom<RawStatusSetForm>().transform((raw, ctx) => {
  const { draft, errors } = parseStatusSetForm(raw);
  for (const [field, message] of Object.entries(errors)) ctx.addIssue({ code: 'custom', message, path: field.split('.') });
  return draft;
});

export const createSetSchema = z.object({
  name: z
    .string()
    .trim()
    .refine((name) => validName(name) === undefined, 'status_sets.errors.name_length'),
});

export type CreateSetInput = z.output<typeof createSetSchema>;
