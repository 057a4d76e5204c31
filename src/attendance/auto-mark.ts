/**
 * Automatic marking, the pure part: which sessions are due and which students get the set's
 * automatic status. The service (auto-mark.service.ts) does the reading and writing.
 */

/** Actor id of the audit entries the background job writes (no LMS user has a colon-prefixed id like this). */
export const AUTO_MARK_ACTOR = 'system:auto-mark';

export interface AutoMarkTiming {
  startsAt: Date;
  durationMinutes: number;
  /** When the session was created; missing on documents from before timestamps (treated as created in time). */
  createdAt?: Date | null;
  /** When automatic marking finished with this session; missing = not yet. */
  doneAt?: Date | null;
}

/**
 * - `done`: already handled (or skipped for good);
 * - `not_ended`: the session is still running or in the future;
 * - `created_after_end`: a past session a teacher added to take attendance afterwards;
 * - `due`: ended, not handled yet.
 */
export type AutoMarkState = 'done' | 'not_ended' | 'created_after_end' | 'due';

export function sessionEndsAt(s: Pick<AutoMarkTiming, 'startsAt' | 'durationMinutes'>): Date {
  return new Date(s.startsAt.getTime() + s.durationMinutes * 60_000);
}

export function autoMarkState(s: AutoMarkTiming, now: Date): AutoMarkState {
  if (s.doneAt) return 'done';
  const end = sessionEndsAt(s).getTime();
  if (end > now.getTime()) return 'not_ended';
  // A session entered after it ended is a teacher recording a past class: they are about to
  // take attendance by hand, and marking everyone absent the moment it is saved would put
  // wrong marks in the gradebook before they start. They can still use "mark the unmarked now".
  if (s.createdAt && end <= s.createdAt.getTime()) return 'created_after_end';
  return 'due';
}

/**
 * Splits the candidates of one run: the due ones, oldest end first, at most `limit`; and the
 * ones to close without marking (created after their end), so they leave the queue for good.
 */
export function selectDue<T extends AutoMarkTiming>(sessions: readonly T[], now: Date, limit: number): { due: T[]; createdAfterEnd: T[] } {
  const withState = sessions.map((s) => ({ s, state: autoMarkState(s, now), end: sessionEndsAt(s).getTime() }));
  const due = withState
    .filter((x) => x.state === 'due')
    .sort((a, b) => a.end - b.end)
    .slice(0, Math.max(0, limit))
    .map((x) => x.s);
  return { due, createdAfterEnd: withState.filter((x) => x.state === 'created_after_end').map((x) => x.s) };
}

/** The audience minus everyone who already has a record, each once, in audience order. */
export function studentsToMark(audience: readonly string[], marked: { has(userId: string): boolean }): string[] {
  const seen = new Set<string>();
  return audience.filter((id) => {
    if (seen.has(id) || marked.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/**
 * The students whose record this write created: a bulk write reports the op index of every
 * upsert that inserted. Ops that matched an existing record (a teacher's, a check-in, another
 * run's) report nothing, so only the inserter writes the audit entry and notifies grading.
 */
export function insertedUserIds(opUserIds: readonly string[], upsertedIds: Record<number, unknown> | undefined): string[] {
  return Object.keys(upsertedIds ?? {})
    .map(Number)
    .sort((a, b) => a - b)
    .map((index) => opUserIds[index])
    .filter((id): id is string => id !== undefined);
}

/** The set's automatic status, if it names a status the set still has. */
export function automaticStatus(set: { autoStatusId?: string | null; statuses: ReadonlyArray<{ _id?: string; id?: string }> }): string | null {
  const id = set.autoStatusId ?? null;
  if (id === null) return null;
  return set.statuses.some((s) => (s._id ?? s.id) === id) ? id : null;
}
