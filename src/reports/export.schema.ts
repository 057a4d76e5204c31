import { z } from 'zod';

/**
 * The export's query (the form is GET, so the same parameters serve the form page, a link from
 * the report page and the two downloads). Messages are i18n keys. Which group and student ids
 * exist depends on the course, so the full schema is built per request with the known ids:
 * an id from another course is "unknown" here, and nothing is downloaded.
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** 'YYYY-MM-DD' naming a real calendar day (2025-02-30 is not). */
export function isCalendarDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

const absentAsEmpty = (v: unknown) => (v === undefined ? '' : v);
const text = () => z.preprocess(absentAsEmpty, z.string({ error: 'form.invalid_choice' }).trim().max(200, 'form.invalid_choice'));
const optionalDate = () => text().refine((v) => v === '' || isCalendarDate(v), 'export.errors.bad_date');
/** A checkbox: present ("1") or absent. */
const flag = () => z.preprocess(absentAsEmpty, z.string({ error: 'form.invalid_choice' })).transform((v) => v === '1' || v === 'on' || v === 'true');
/** Repeatable parameter: one value arrives as a string, several as an array. */
const list = () =>
  z.preprocess(
    (v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]),
    z.array(z.string({ error: 'form.invalid_choice' }).trim().min(1, 'form.invalid_choice')).max(2000, 'form.invalid_choice'),
  );

export const WHO = ['all', 'group', 'students'] as const;
export const IDENTIFIERS = ['email', 'username', 'lmsid'] as const;

export const exportQueryShape = z.object({
  who: z.enum(WHO, { error: 'form.invalid_choice' }).default('all'),
  group: text(),
  students: list(),
  from: optionalDate(),
  to: optionalDate(),
  id: z.enum(IDENTIFIERS, { error: 'form.invalid_choice' }).default('email'),
  remarks: flag(),
  descriptions: flag(),
  untaken: flag(),
});

export type ExportQuery = z.output<typeof exportQueryShape>;

export interface KnownIds {
  groupIds: ReadonlySet<string>;
  studentIds: ReadonlySet<string>;
}

/** The shape plus the rules that need several fields or the course's ids. */
export function exportQuerySchema(known: KnownIds) {
  return exportQueryShape.superRefine((q, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (q.who === 'group') {
      if (q.group === '') issue('group', 'export.errors.group_required');
      else if (!known.groupIds.has(q.group)) issue('group', 'export.errors.unknown_group');
    }
    if (q.who === 'students') {
      if (q.students.length === 0) issue('students', 'export.errors.students_required');
      else if (q.students.some((id) => !known.studentIds.has(id))) issue('students', 'export.errors.unknown_student');
    }
    if (q.from && q.to && isCalendarDate(q.from) && isCalendarDate(q.to) && q.from > q.to) issue('to', 'export.errors.from_after_to');
  });
}
