/**
 * Optimistic versions for edit forms. A form carries the version it was rendered from; its save
 * is one conditional update whose filter includes that version, so a form rendered before anyone
 * else's write can never overwrite it (no read-then-write window, no transaction). Every other
 * writer of the same fields bumps the version too. Pure: the database side is in
 * versioned-update.service.ts.
 */

/** Who saved a versioned document last, and when (shown on a conflict page). */
export interface EditStamp {
  /** LMS user id. */
  by: string;
  /** Display name at the time of the edit (no lookup needed later). */
  name: string;
  at: Date;
}

/** The person saving now; the same shape as the stamp it leaves. */
export type Editor = EditStamp;

/**
 * The mongoose field definitions of a versioned document or subdocument. `version` is absent on
 * documents written before versions existed: that reads as 0.
 */
export const versionedFields = {
  version: { type: Number },
  lastEdit: { by: { type: String }, name: { type: String }, at: { type: Date } },
} as const;

type MaybeVersioned = { version?: number | null; lastEdit?: { by?: string | null; name?: string | null; at?: Date | null } | null } | null | undefined;

export function versionOf(doc: MaybeVersioned): number {
  return typeof doc?.version === 'number' ? doc.version : 0;
}

export function stampOf(doc: MaybeVersioned): EditStamp | undefined {
  const e = doc?.lastEdit;
  return e?.by && e.at ? { by: e.by, name: e.name ?? '', at: e.at } : undefined;
}

/** The filter part "still at version n"; n = 0 also matches documents without a version. */
export function atVersion(path: string, expected: number): Record<string, unknown> {
  return { [path]: expected === 0 ? { $in: [0, null] } : expected };
}

/** For writers that are not forms (bulk actions, imports): move the version on and stamp it. */
export function bumpVersion(editor: Editor | undefined, within = ''): { $inc: Record<string, number>; $set: Record<string, unknown> } {
  const prefix = within ? `${within}.` : '';
  return { $inc: { [`${prefix}version`]: 1 }, $set: editor ? { [`${prefix}lastEdit`]: { ...editor } } : {} };
}

/** The editor of a request: the launch's user, at the tool's clock. */
export function editorOf(who: { userId: string; userName: string }, at: Date): Editor {
  return { by: who.userId, name: who.userName, at };
}
