import { z } from 'zod';
import { hasAtMostTwoDecimals } from '../status-sets/status-rules';

/**
 * The "Grades and reports" form of an activity. Numbers arrive as text (a comma counts as the
 * decimal point, as Latvian writes it); the raw values are kept so a refused form comes back
 * exactly as typed.
 */

export const GRADE_TYPES = ['points', 'none'] as const;
export type GradeType = (typeof GRADE_TYPES)[number];

export const GRADING_LIMITS = { maxGradeMax: 10000, thresholdMax: 100 } as const;

export interface RawGradingForm {
  type: string;
  maxGrade: string;
  reportThreshold: string;
  countUnmarkedAsAuto: boolean;
  excludeExcused: boolean;
}

/** A repeated field arrives as an array; only the first value counts. */
function text(value: unknown): string {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : '';
}

/** Unticked checkboxes are not sent at all. */
const ticked = (value: unknown) => text(value) !== '';

export function rawGradingForm(body: Record<string, unknown>): RawGradingForm {
  return {
    type: text(body.type),
    maxGrade: text(body.maxGrade),
    reportThreshold: text(body.reportThreshold),
    countUnmarkedAsAuto: ticked(body.countUnmarkedAsAuto),
    excludeExcused: ticked(body.excludeExcused),
  };
}

const decimal = z
  .string()
  .trim()
  .min(1, 'form.required')
  .regex(/^-?\d{1,9}([.,]\d+)?$/, 'form.not_a_number')
  .transform((v) => Number(v.replace(',', '.')));

export const gradingFormSchema = z.object({
  type: z.enum(GRADE_TYPES, { error: 'form.invalid_choice' }),
  maxGrade: decimal
    .refine((n) => n > 0 && n <= GRADING_LIMITS.maxGradeMax, 'grading.errors.max_grade_range')
    .refine(hasAtMostTwoDecimals, 'grading.errors.two_decimals'),
  reportThreshold: decimal
    .refine((n) => n >= 0 && n <= GRADING_LIMITS.thresholdMax, 'grading.errors.threshold_range')
    .refine(hasAtMostTwoDecimals, 'grading.errors.two_decimals'),
  countUnmarkedAsAuto: z.boolean(),
  excludeExcused: z.boolean(),
});

export type GradingFormInput = z.output<typeof gradingFormSchema>;
