/**
 * mod_attendance's default set: P Present 2, L Late 1, E Excused 1, A Absent 0. Pure.
 * Ids are derived from the activity so seeding is idempotent (an upsert with $setOnInsert).
 */
export const DEFAULT_SET_NAME_KEY = 'status_sets.default_name';

export interface DefaultStatus {
  _id: string;
  acronym: string;
  /** i18n key of the description; stored translated in the activity's first launch locale. */
  descriptionKey: string;
  points: number;
  order: number;
  visible: true;
  excused: boolean;
  studentPick: { mode: 'always' | 'never' };
}

export function defaultSetId(activityId: string): string {
  return `${activityId}-default`;
}

export function defaultStatuses(activityId: string): DefaultStatus[] {
  const base = defaultSetId(activityId);
  return [
    { _id: `${base}-P`, acronym: 'P', excused: false, descriptionKey: 'status_sets.defaults.present', points: 2, order: 1, visible: true, studentPick: { mode: 'always' } },
    { _id: `${base}-L`, acronym: 'L', excused: false, descriptionKey: 'status_sets.defaults.late', points: 1, order: 2, visible: true, studentPick: { mode: 'always' } },
    { _id: `${base}-E`, acronym: 'E', excused: true, descriptionKey: 'status_sets.defaults.excused', points: 1, order: 3, visible: true, studentPick: { mode: 'never' } },
    { _id: `${base}-A`, acronym: 'A', excused: false, descriptionKey: 'status_sets.defaults.absent', points: 0, order: 4, visible: true, studentPick: { mode: 'never' } },
  ];
}
