import { z } from 'zod';

/**
 * Form shapes. Messages are i18n keys. These check the shape of each field only; rules that
 * need several fields or the calendar (end before start, > 500 sessions …) live in recurrence.ts.
 */

const text = () => z.string({ error: 'form.required' }).trim();
const required = () => text().min(1, 'form.required');

const dateField = () => required().regex(/^\d{4}-\d{2}-\d{2}$/, 'sessions.errors.bad_date');
// Browsers send 'HH:mm' (or 'HH:mm:ss' when a step is set); seconds are dropped.
const timeField = () =>
  required()
    .regex(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/, 'sessions.errors.bad_time')
    .transform((v) => v.slice(0, 5));

const wholeNumber = (min: number, max: number, message: string) =>
  required()
    .regex(/^\d{1,6}$/, 'form.not_a_number')
    .transform(Number)
    .pipe(z.number().int().min(min, message).max(max, message));

export const durationField = () => wholeNumber(1, 1440, 'sessions.errors.bad_duration');

/** 'all' or 'group:<id>' (one select, so the audience is always exactly one of them). */
const audienceField = () =>
  required()
    .regex(/^(all|group:.+)$/, 'form.invalid_choice')
    .transform((v) => (v === 'all' ? { kind: 'all' as const } : { kind: 'group' as const, groupId: v.slice('group:'.length) }));

const common = {
  startTime: timeField(),
  durationMinutes: durationField(),
  description: text().max(500, 'sessions.errors.description_too_long').default(''),
  audience: audienceField(),
  statusSetId: required(),
};

export const sessionFormSchema = z.object({ date: dateField(), ...common });
export type SessionInput = z.output<typeof sessionFormSchema>;
export type Audience = SessionInput['audience'];

export const seriesFormSchema = z.object({
  startDate: dateField(),
  endDate: dateField(),
  // Empty is allowed here: "no weekday chosen" is the recurrence rule's own message.
  weekdays: z.array(z.string().regex(/^[1-7]$/, 'form.invalid_choice').transform(Number)),
  everyWeeks: wholeNumber(1, 52, 'sessions.errors.bad_every_weeks'),
  ...common,
});
export type SeriesInput = z.output<typeof seriesFormSchema>;

export const bulkSchema = z.object({
  action: z.enum(['delete', 'duration'], { error: 'form.invalid_choice' }),
  ids: z.array(z.string().min(1)).min(1, 'sessions.errors.none_selected').max(1000, 'form.invalid_choice'),
});

export const listFiltersSchema = z.object({
  view: z.enum(['all', 'upcoming', 'past']).catch('upcoming'),
  by: z.enum(['week', 'month']).catch('week'),
  group: z.string().min(1).max(100).catch('all'),
});
export type ListFilters = z.output<typeof listFiltersSchema>;

export const settingsFormSchema = z.object({
  timezone: required().max(100, 'sessions.settings.errors.bad_zone'),
});
