import { z } from 'zod';
import { hasAtMostTwoDecimals } from '../status-sets/status-rules';

/**
 * The deep-linking form (content selection in the LMS): what the new attendance activity is
 * called and how it is graded. Numbers arrive as text (a comma counts as the decimal point, as
 * Latvian writes it); the raw values are kept so a refused form comes back exactly as typed.
 * Messages are i18n keys (src/shared/forms.ts).
 */

export const DEEP_LINK_GRADE_TYPES = ['points', 'none'] as const;
export type DeepLinkGradeType = (typeof DEEP_LINK_GRADE_TYPES)[number];

export const DEEP_LINK_LIMITS = { titleMax: 255, descriptionMax: 1000, maxGradeMax: 10000 } as const;

export interface RawDeepLinkingForm {
  title: string;
  description: string;
  gradeType: string;
  maxGrade: string;
}

/** A repeated field arrives as an array; only the first value counts. */
function text(value: unknown): string {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : '';
}

export function rawDeepLinkingForm(body: Record<string, unknown>): RawDeepLinkingForm {
  return { title: text(body.title), description: text(body.description), gradeType: text(body.gradeType), maxGrade: text(body.maxGrade) };
}

/** "12,5" → 12.5; anything that is not a plain decimal number → NaN. */
export function parseDecimal(value: string): number {
  const v = value.trim();
  return /^\d{1,9}([.,]\d+)?$/.test(v) ? Number(v.replace(',', '.')) : Number.NaN;
}

export const deepLinkingFormSchema = z
  .object({
    title: z.string().trim().min(1, 'form.required').max(DEEP_LINK_LIMITS.titleMax, 'deep_linking_form.errors.title_too_long'),
    description: z.string().trim().max(DEEP_LINK_LIMITS.descriptionMax, 'deep_linking_form.errors.description_too_long'),
    gradeType: z.enum(DEEP_LINK_GRADE_TYPES, { error: 'form.invalid_choice' }),
    maxGrade: z.string().trim(),
  })
  // The maximum matters only for a graded activity; with "none" whatever is typed there is ignored.
  .superRefine((form, ctx) => {
    if (form.gradeType !== 'points') return;
    const problem = maxGradeProblem(form.maxGrade);
    if (problem) ctx.addIssue({ code: 'custom', path: ['maxGrade'], message: problem });
  })
  .transform((form) => ({
    title: form.title,
    description: form.description,
    gradeType: form.gradeType,
    maxGrade: form.gradeType === 'points' ? parseDecimal(form.maxGrade) : undefined,
  }));

export type DeepLinkingFormInput = z.output<typeof deepLinkingFormSchema>;

function maxGradeProblem(value: string): string | undefined {
  if (value === '') return 'form.required';
  const n = parseDecimal(value);
  if (Number.isNaN(n)) return 'form.not_a_number';
  if (n <= 0 || n > DEEP_LINK_LIMITS.maxGradeMax) return 'deep_linking_form.errors.max_grade_range';
  if (!hasAtMostTwoDecimals(n)) return 'deep_linking_form.errors.two_decimals';
  return undefined;
}
