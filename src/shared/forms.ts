import type { z } from 'zod';

/**
 * Form handling shared by every page: zod issue messages are i18n keys (e.g.
 * `z.string().min(1, 'form.required')`); this turns a failed parse into { field: key } so the
 * template can show each message next to its field and re-fill the user's values.
 * Messages that are not keys of ours (zod's own English) fall back to a generic key.
 */
export type FieldErrors = Record<string, string>;

export function fieldErrors(error: z.ZodError, fallbackKey = 'form.invalid_choice'): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const field = issue.path.map(String).join('.') || '_form';
    if (field in out) continue; // first problem per field is enough
    out[field] = /^[a-z0-9_]+(\.[a-z0-9_]+)+$/.test(issue.message) ? issue.message : fallbackKey;
  }
  return out;
}

/** Express's urlencoded parser gives a string for one checkbox and an array for several. */
export function asArray(value: unknown): string[] {
  if (value === undefined || value === null || value === '') return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}
