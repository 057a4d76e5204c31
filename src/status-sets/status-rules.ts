/**
 * The rules of a status set, pure: what a valid set looks like and how it is normalised before
 * it is stored. The form schema, the service and the unit tests all use these, so a rule lives
 * in one place. Problems come back as { field: i18n key } with the form's field names
 * (`name`, `statuses.<row>.<field>`, `statuses`, `autoStatus`).
 */
export const LIMITS = {
  acronymMax: 4,
  descriptionMax: 60,
  nameMax: 60,
  pointsMax: 9999.99,
  minutesMin: 1,
  minutesMax: 1440,
  orderAbsMax: 9999,
  /** Far more than any real set; keeps a tampered form from storing thousands of rows. */
  statusesMax: 30,
  setsMax: 20,
} as const;

export const PICK_MODES = ['always', 'never', 'within'] as const;
export type PickMode = (typeof PICK_MODES)[number];

export interface StudentPick {
  mode: PickMode;
  minutes?: number;
}

/** One row as the teacher typed it (already turned into numbers where possible). */
export interface StatusDraft {
  /** The row's key in the form (`statuses.<key>.…`); errors are reported under it. */
  key: string;
  /** Absent for a status being added. */
  id?: string;
  acronym: string;
  description: string;
  points: number;
  /** Absent when left empty: the status goes to the end. */
  order?: number;
  visible: boolean;
  /** An excused absence (the activity's grade option may leave it out of both sums); absent = no. */
  excused?: boolean;
  studentPick: StudentPick;
}

export interface StatusSetDraft {
  name: string;
  statuses: StatusDraft[];
  /** Row key of the status applied to students left unmarked; null = none. */
  autoKey: string | null;
}

export type RuleErrors = Record<string, string>;

/** Length in characters as people count them ("Ā" is one, even if typed decomposed). */
export function charLength(text: string): number {
  return [...text.normalize('NFC')].length;
}

/** Tolerates binary floating point (0.07 * 100 = 7.000000000000001). */
export function hasAtMostTwoDecimals(value: number): boolean {
  const scaled = value * 100;
  return Math.abs(scaled - Math.round(scaled)) < 1e-6;
}

export function validName(name: string): string | undefined {
  const length = charLength(name.trim());
  return length < 1 || length > LIMITS.nameMax ? 'status_sets.errors.name_length' : undefined;
}

function pointsError(points: number): string | undefined {
  if (!Number.isFinite(points) || points < 0 || points > LIMITS.pointsMax) return 'status_sets.errors.points_range';
  if (!hasAtMostTwoDecimals(points)) return 'status_sets.errors.points_decimals';
  return undefined;
}

function minutesError(pick: StudentPick): string | undefined {
  if (pick.mode !== 'within') return undefined;
  if (pick.minutes === undefined) return 'status_sets.errors.minutes_required';
  const { minutes } = pick;
  if (!Number.isInteger(minutes) || minutes < LIMITS.minutesMin || minutes > LIMITS.minutesMax) {
    return 'status_sets.errors.minutes_range';
  }
  return undefined;
}

/** Problems of one row on its own (everything but the rules that compare rows). */
export function statusErrors(status: StatusDraft): RuleErrors {
  const out: RuleErrors = {};
  const at = (field: string) => `statuses.${status.key}.${field}`;
  const acronymLength = charLength(status.acronym.trim());
  if (acronymLength < 1 || acronymLength > LIMITS.acronymMax) out[at('acronym')] = 'status_sets.errors.acronym_length';
  const descriptionLength = charLength(status.description.trim());
  if (descriptionLength < 1 || descriptionLength > LIMITS.descriptionMax) {
    out[at('description')] = 'status_sets.errors.description_length';
  }
  const points = pointsError(status.points);
  if (points) out[at('points')] = points;
  if (status.order !== undefined && (!Number.isInteger(status.order) || Math.abs(status.order) > LIMITS.orderAbsMax)) {
    out[at('order')] = 'status_sets.errors.order_integer';
  }
  if (!PICK_MODES.includes(status.studentPick.mode)) out[at('pickMode')] = 'form.invalid_choice';
  const minutes = minutesError(status.studentPick);
  if (minutes) out[at('pickMinutes')] = minutes;
  return out;
}

const acronymKey = (acronym: string) => acronym.trim().normalize('NFC').toLocaleLowerCase();

/** Later rows repeating an earlier row's acronym (case-insensitively) are the ones marked. */
function duplicateAcronymErrors(statuses: StatusDraft[]): RuleErrors {
  const out: RuleErrors = {};
  const seen = new Set<string>();
  for (const status of statuses) {
    const key = acronymKey(status.acronym);
    if (key === '') continue;
    if (seen.has(key)) out[`statuses.${status.key}.acronym`] = 'status_sets.errors.acronym_duplicate';
    seen.add(key);
  }
  return out;
}

/** Every rule of a whole set; an empty object means it may be stored. */
export function validateStatusSet(draft: StatusSetDraft): RuleErrors {
  const out: RuleErrors = {};
  const name = validName(draft.name);
  if (name) out.name = name;
  if (draft.statuses.length > LIMITS.statusesMax) out.statuses = 'status_sets.errors.too_many_statuses';
  for (const status of draft.statuses) Object.assign(out, statusErrors(status));
  for (const [field, key] of Object.entries(duplicateAcronymErrors(draft.statuses))) out[field] ??= key;
  if (!draft.statuses.some((s) => s.visible)) out.statuses ??= 'status_sets.errors.no_visible';
  if (draft.autoKey !== null) {
    const auto = draft.statuses.find((s) => s.key === draft.autoKey);
    if (!auto || !auto.visible) out.autoStatus = 'status_sets.errors.auto_not_visible';
  }
  return out;
}

/**
 * What is stored: trimmed texts, points rounded to cents, minutes only for `within`, and orders
 * renumbered 1..n by (order, acronym) so "3, 3, 10" becomes "1, 2, 3". Rows without an order go last.
 */
export function normaliseStatuses<T extends StatusDraft>(statuses: T[]): T[] {
  const sortOrder = (s: StatusDraft) => s.order ?? Number.POSITIVE_INFINITY;
  const sorted = [...statuses].sort(
    (a, b) => sortOrder(a) - sortOrder(b) || acronymKey(a.acronym).localeCompare(acronymKey(b.acronym)),
  );
  return sorted.map((s, index) => ({
    ...s,
    acronym: s.acronym.trim().normalize('NFC'),
    description: s.description.trim().normalize('NFC'),
    points: Math.round(s.points * 100) / 100,
    order: index + 1,
    studentPick: s.studentPick.mode === 'within' ? { mode: 'within', minutes: s.studentPick.minutes } : { mode: s.studentPick.mode },
  }));
}

/** A set must keep a shown status: deleting the only one is refused. */
export function isLastVisible(statuses: Array<{ _id: string; visible?: boolean | null }>, statusId: string): boolean {
  const visible = statuses.filter((s) => s.visible !== false);
  return visible.length === 1 && visible[0]?._id === statusId;
}

/** The statuses left after a delete, renumbered; the automatic status is cleared if it went. */
export function withoutStatus<S extends { _id: string; order: number }>(
  statuses: S[],
  autoStatusId: string | null,
  statusId: string,
): { statuses: S[]; autoStatusId: string | null } {
  const kept = statuses
    .filter((s) => s._id !== statusId)
    .sort((a, b) => a.order - b.order)
    .map((s, index) => ({ ...s, order: index + 1 }));
  return { statuses: kept, autoStatusId: autoStatusId === statusId ? null : autoStatusId };
}
