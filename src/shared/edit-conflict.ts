import { DomainError } from './errors';
import type { EditStamp } from './versioned';

/**
 * A save from a form rendered before someone else's write (src/shared/versioned.ts). Carries both
 * value sets, so the page can show them side by side and offer "keep mine" against the current
 * version: `current` as stored now, `submitted` as this user sent it.
 */
export class EditConflict<Current = unknown, Submitted = unknown> extends DomainError {
  constructor(
    readonly current: Current,
    readonly submitted: Submitted,
    /** The version to save against to overwrite knowingly. */
    readonly currentVersion: number,
    readonly lastEdit?: EditStamp,
  ) {
    super('edit_conflict.message', 409);
    this.name = 'EditConflict';
  }
}

/**
 * Runs a save; an EditConflict comes back as a value for the page, anything else is thrown on.
 * `E` names the conflict the save's service throws (its own EditConflict type).
 */
export async function unlessConflict<T, E extends EditConflict = EditConflict>(save: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; conflict: E }> {
  try {
    return { ok: true, value: await save() };
  } catch (err) {
    if (err instanceof EditConflict) return { ok: false, conflict: err as E };
    throw err;
  }
}
