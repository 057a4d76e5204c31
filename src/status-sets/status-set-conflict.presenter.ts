import type { Translate } from '../i18n/i18n';
import type { ConflictField } from '../shared/edit-conflict.presenter';
import { isBlankRow, RawStatusRow, RawStatusSetForm } from './status-sets.schema';

/**
 * A stale status-set page (src/shared/versioned.ts): what differs between the set as saved now
 * and the teacher's form, and the form "keep mine" saves. Pure. `theirs` is the stored set in
 * the form's own shape (rawFromSet), so both sides compare as the page shows them.
 */

export const STATUS_SET_FORM_ID = 'status-set-form';

const ROW_FIELDS = [
  ['acronym', 'status_sets.edit.col_acronym'],
  ['description', 'status_sets.edit.col_description'],
  ['points', 'status_sets.edit.col_points'],
  ['order', 'status_sets.edit.col_order'],
  ['visible', 'status_sets.edit.col_shown'],
  ['excused', 'status_sets.edit.col_excused'],
  ['pickMode', 'status_sets.edit.col_student_pick'],
] as const;

function cell(row: RawStatusRow, key: (typeof ROW_FIELDS)[number][0], t: Translate): string {
  if (key === 'visible' || key === 'excused') return row[key] ? t('common.yes') : t('common.no');
  if (key === 'pickMode') return row.pickMode === 'within' ? `${t('status_sets.pick.within')} (${row.pickMinutes})` : t(`status_sets.pick.${row.pickMode || 'never'}`);
  return row[key].trim();
}

const summary = (row: RawStatusRow) => `${row.acronym} ${row.description} ${row.points}`.replace(/\s+/g, ' ').trim();

function autoName(form: RawStatusSetForm, t: Translate): string {
  const row = form.autoStatus === 'none' ? undefined : form.statuses[Number(form.autoStatus)];
  return row ? row.acronym : t('status_sets.conflict.auto_none');
}

/** Name and automatic status always; per status only the fields that differ; statuses only one side has. */
export function statusSetConflictFields(theirs: RawStatusSetForm, mine: RawStatusSetForm, t: Translate): ConflictField[] {
  const absent = t('status_sets.conflict.absent');
  const mineRows = mine.statuses.filter((r) => !isBlankRow(r));
  const mineById = new Map(mineRows.filter((r) => r.id).map((r) => [r.id, r]));
  const fields: ConflictField[] = [{ label: t('status_sets.edit.name_label'), theirs: theirs.name, mine: mine.name }];
  for (const row of theirs.statuses) {
    const my = mineById.get(row.id);
    if (!my) {
      fields.push({ label: row.acronym, theirs: summary(row), mine: absent });
      continue;
    }
    for (const [key, labelKey] of ROW_FIELDS) {
      const [a, b] = [cell(row, key, t), cell(my, key, t)];
      if (a !== b) fields.push({ label: `${row.acronym}: ${t(labelKey)}`, theirs: a, mine: b });
    }
  }
  const stored = new Set(theirs.statuses.map((r) => r.id));
  for (const my of mineRows) if (!stored.has(my.id)) fields.push({ label: my.acronym, theirs: absent, mine: summary(my) });
  fields.push({ label: t('status_sets.edit.col_auto'), theirs: autoName(theirs, t), mine: autoName(mine, t) });
  return fields;
}

/**
 * "Keep mine": the teacher's rows, against the set as it is now. A status deleted meanwhile comes
 * back as a new row (the page showed it; the teacher can still clear it); a status added meanwhile
 * is kept with its stored values (this page never showed it, so it cannot mean to drop it).
 */
export function keepMineForm(theirs: RawStatusSetForm, mine: RawStatusSetForm): RawStatusSetForm {
  const stored = new Set(theirs.statuses.map((r) => r.id));
  const mapped = mine.statuses.map((r) => (isBlankRow(r) ? undefined : r.id && !stored.has(r.id) ? { ...r, id: '' } : r));
  const rows = mapped.filter((r): r is RawStatusRow => r !== undefined);
  const listed = new Set(rows.map((r) => r.id));
  const merged = [...rows, ...theirs.statuses.filter((r) => !listed.has(r.id))];
  const autoRow = mine.autoStatus === 'none' ? undefined : mapped[Number(mine.autoStatus)];
  const autoIndex = autoRow ? merged.indexOf(autoRow) : -1;
  return { name: mine.name, autoStatus: autoIndex >= 0 ? String(autoIndex) : 'none', statuses: merged };
}
