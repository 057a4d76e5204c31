import { CurrentRecord, intendedValue, isEdited, PostedRow, RowValue, sameValue, shownValue, valueOf } from './take-rules';

/**
 * What a take-page save writes, pure (issue #13, "no silent overwrite"). A row is written only
 * when the teacher changed it on the page, and only against the value the page showed: the
 * service turns `expected` into the write's filter, so a change landing after this plan was
 * made is caught by the database too. Rows someone else changed since the page was rendered
 * are conflicts, never written.
 */

export interface PlannedWrite {
  index: number;
  userId: string;
  /** The value the page showed and the record must still hold; null = there must be no record yet. */
  expected: RowValue | null;
  to: RowValue;
  statusChanged: boolean;
}

export interface PlannedConflict {
  userId: string;
  /** What this page wants the row to be: the teacher's change, or (untouched row) what it showed. */
  mine: RowValue;
  /** The teacher changed the row ("you chose …") rather than leaving what the page showed. */
  edited: boolean;
}

export interface SavePlan {
  writes: PlannedWrite[];
  conflicts: PlannedConflict[];
}

export function planSave(rows: readonly PostedRow[], current: ReadonlyMap<string, CurrentRecord>): SavePlan {
  const writes: PlannedWrite[] = [];
  const conflicts: PlannedConflict[] = [];
  for (const row of rows) {
    const shown = shownValue(row, current);
    const stored = valueOf(current.get(row.userId));
    const edited = isEdited(row, shown);
    const mine = edited ? intendedValue(row, shown) : shown;
    if (sameValue(stored, shown)) {
      if (edited && mine) writes.push({ index: row.index, userId: row.userId, expected: shown, to: mine, statusChanged: shown?.statusId !== mine.statusId });
      continue;
    }
    // Changed elsewhere since the page was rendered. Nothing to do when it already is what this
    // page wants, or when the page showed no mark and the teacher left the row alone (a
    // check-in or automatic mark is then simply new; there is nothing of this page's to keep).
    if (!mine || sameValue(stored, mine)) continue;
    conflicts.push({ userId: row.userId, mine, edited });
  }
  return { writes, conflicts };
}
