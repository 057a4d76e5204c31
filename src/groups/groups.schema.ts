import { z } from 'zod';
import { GROUP_NAME_MAX, normalizeGroupName } from './group-name';

/** Messages are i18n keys (see src/shared/forms.ts). */
export const groupNameSchema = z.object({
  name: z
    .string({ error: 'form.required' })
    .transform(normalizeGroupName)
    .pipe(z.string().min(1, 'form.required').max(GROUP_NAME_MAX, 'form.too_long')),
});
export type GroupNameInput = z.infer<typeof groupNameSchema>;

/** Checkbox lists of LMS user ids (parsed with asArray first: one box gives a string). */
export const memberSelectionSchema = z.object({
  userIds: z
    .array(z.string().trim().min(1, 'groups.errors.none_selected').max(255, 'form.invalid_choice'), { error: 'groups.errors.none_selected' })
    .min(1, 'groups.errors.none_selected')
    .max(5000, 'form.invalid_choice')
    .transform((ids) => [...new Set(ids)]),
});
export type MemberSelectionInput = z.infer<typeof memberSelectionSchema>;

/** The CSV text is kept as typed (no trim) so the form can show it back unchanged. */
export const csvImportSchema = z.object({
  csv: z.string({ error: 'form.required' }).refine((text) => text.trim() !== '', 'form.required'),
});
export type CsvImportInput = z.infer<typeof csvImportSchema>;
