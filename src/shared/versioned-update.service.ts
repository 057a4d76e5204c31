import type { Model } from 'mongoose';
import { EditConflict } from './edit-conflict';
import type { Refusal } from './errors';
import { atVersion, Editor } from './versioned';

/** One conditional save of an edit form (see versioned.ts). */
export interface VersionedSave {
  /** Any of our models: only updateOne and exists are used. */
  model: Model<any>;
  /** _id plus the course/activity scope: a document of another scope is "not found". */
  scope: Record<string, unknown>;
  /** The version the form was rendered from. */
  expected: number;
  /** Absent for writers with nobody to name (fixtures, jobs): the last editor is then cleared. */
  editor?: Editor;
  /** The fields to set: of the document, or with `within`, the whole subdocument at that path. */
  set: Record<string, unknown>;
  /** Where the version lives when it is not the document's own: a subdocument written whole. */
  within?: string;
  /** Other changes of the same write ($set of other fields, $unset). */
  also?: { $set?: Record<string, unknown>; $unset?: Record<string, 1> };
}

/**
 * Writes only if the document is still at the expected version and moves it on, in one atomic
 * update. When nothing matched: the document is gone (`notFound`), or someone saved meanwhile
 * and `conflict()` builds the error that shows both versions. Returns the new version.
 */
export async function saveVersioned(save: VersionedSave, notFound: () => Refusal, conflict: () => Promise<EditConflict>): Promise<number> {
  const next = save.expected + 1;
  const stamped = { ...save.set, version: next, lastEdit: save.editor ? { ...save.editor } : undefined };
  const $set = save.within ? { ...save.also?.$set, [save.within]: stamped } : { ...save.also?.$set, ...stamped };
  const versionPath = save.within ? `${save.within}.version` : 'version';
  const result = await save.model.updateOne(
    { ...save.scope, ...atVersion(versionPath, save.expected) },
    { $set, ...(save.also?.$unset ? { $unset: save.also.$unset } : {}) },
  );
  if (result.matchedCount === 1) return next;
  if (!(await save.model.exists(save.scope))) throw notFound();
  throw await conflict();
}
