import type { Locale, Translate } from '../i18n/i18n';
import type { LaunchContext } from '../lti/launch-context';
import { teacherLink, teacherNav, teacherPath, TeacherNav } from '../courses/teacher-nav';
import { ConflictContext, ConflictView, toConflictView } from '../shared/edit-conflict.presenter';
import type { FieldErrors } from '../shared/forms';
import { keepMineForm, STATUS_SET_FORM_ID, statusSetConflictFields } from './status-set-conflict.presenter';
import { PICK_MODES } from './status-rules';
import { isBlankRow, RawStatusRow, RawStatusSetForm } from './status-sets.schema';
import type { StatusSetConflict, StatusSetData, StoredStatus } from './status-sets.service';

/** View models of the status-set pages: all wording and links are decided here, not in templates. */

export function formatPoints(points: number, locale: Locale): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(points);
}

export function statusLabel(s: Pick<StoredStatus, 'acronym' | 'description' | 'points'>, locale: Locale): string {
  return `${s.acronym} ${s.description} ${formatPoints(s.points, locale)}`;
}

interface Page {
  pageTitle: string;
  nav: TeacherNav;
  ltik: string;
  errors: FieldErrors;
  /** Already translated: a refusal of the whole page (status in use, stale form, …). */
  alert?: string;
  flash?: string;
}

export interface SetSummaryView {
  id: string;
  name: string;
  isDefault: boolean;
  editHref: string;
  chips: Array<{ label: string; hidden: boolean; automatic: boolean }>;
  automatic: string;
}

export interface ListView extends Page {
  sets: SetSummaryView[];
  createAction: string;
  values: { name: string };
}

function automaticText(set: StatusSetData, locale: Locale, t: Translate): string {
  const auto = set.statuses.find((s) => s._id === set.autoStatusId);
  return auto ? t('status_sets.list.automatic', { status: `${auto.acronym} ${auto.description}` }) : t('status_sets.list.automatic_none');
}

export function toListView(
  sets: StatusSetData[],
  launch: LaunchContext,
  t: Translate,
  state: { errors?: FieldErrors; values?: { name: string }; flash?: string } = {},
): ListView {
  return {
    pageTitle: t('status_sets.list.title'),
    nav: teacherNav(launch, 'statusSets'),
    ltik: launch.ltik,
    errors: state.errors ?? {},
    flash: state.flash,
    createAction: teacherPath(launch, 'statusSets'),
    values: state.values ?? { name: '' },
    sets: sets.map((set) => ({
      id: set.id,
      name: set.name,
      isDefault: set.isDefault,
      editHref: teacherLink(launch, 'statusSets', `/${encodeURIComponent(set.id)}`),
      chips: set.statuses.map((s) => ({ label: statusLabel(s, launch.locale), hidden: !s.visible, automatic: s._id === set.autoStatusId })),
      automatic: automaticText(set, launch.locale, t),
    })),
  };
}

export interface RowView extends RawStatusRow {
  index: number;
  isNew: boolean;
  /** For the hidden labels of the cells: "P" or "new status". */
  rowName: string;
  usage?: string;
  deleteFormId?: string;
  deleteAction?: string;
  deleteLabel?: string;
}

export interface EditView extends Page {
  setId: string;
  name: string;
  isDefault: boolean;
  action: string;
  listHref: string;
  deleteSetAction?: string;
  rows: RowView[];
  autoStatus: string;
  pickModes: Array<{ value: string; label: string }>;
  formId: string;
  /** The version the form saves against. */
  version: number;
  conflict?: ConflictView;
}

/** What the edit page re-shows after a POST that did not redirect. */
export interface EditState {
  raw?: RawStatusSetForm;
  errors?: FieldErrors;
  alert?: string;
  flash?: string;
  /** The version a re-shown form was rendered from (default: the set's). */
  version?: number;
  /** A stale save: `raw` is the teacher's form; the page shows both and offers "keep mine". */
  conflict?: { error: StatusSetConflict; context: ConflictContext };
}

export function rawFromSet(set: StatusSetData): RawStatusSetForm {
  const rows: RawStatusRow[] = set.statuses.map((s) => ({
    id: s._id,
    acronym: s.acronym,
    description: s.description,
    points: String(s.points),
    order: String(s.order),
    visible: s.visible,
    excused: s.excused,
    pickMode: s.studentPick.mode,
    pickMinutes: s.studentPick.minutes === undefined ? '' : String(s.studentPick.minutes),
  }));
  const autoIndex = set.statuses.findIndex((s) => s._id === set.autoStatusId);
  return { name: set.name, autoStatus: autoIndex >= 0 ? String(autoIndex) : 'none', statuses: rows };
}

/** There is always exactly one empty row at the end for adding a status. */
function withBlankRow(rows: RawStatusRow[]): RawStatusRow[] {
  const last = rows[rows.length - 1];
  if (last && !last.id && isBlankRow(last)) return rows;
  return [...rows, { id: '', acronym: '', description: '', points: '', order: '', visible: true, excused: false, pickMode: 'never', pickMinutes: '' }];
}

function toRowView(
  row: RawStatusRow,
  index: number,
  ctx: { set: StatusSetData; usage: Record<string, number>; launch: LaunchContext; t: Translate },
): RowView {
  const { set, usage, launch, t } = ctx;
  const stored = row.id ? set.statuses.find((s) => s._id === row.id) : undefined;
  const base: RowView = { ...row, index, isNew: !stored, rowName: stored ? stored.acronym : t('status_sets.edit.new_status') };
  if (!stored) return base;
  const count = usage[stored._id] ?? 0;
  return {
    ...base,
    usage: count > 0 ? t('status_sets.edit.usage', { count }) : t('status_sets.edit.unused'),
    deleteFormId: `delete-status-${index}`,
    deleteAction: teacherPath(launch, 'statusSets', `/${encodeURIComponent(set.id)}/statuses/${encodeURIComponent(stored._id)}/delete`),
    deleteLabel: t('status_sets.edit.delete_status', { acronym: stored.acronym }),
  };
}

function conflictOf(set: StatusSetData, mine: RawStatusSetForm, launch: LaunchContext, conflict: NonNullable<EditState['conflict']>) {
  const theirs = rawFromSet(set);
  const links = { theirsHref: teacherLink(launch, 'statusSets', `/${encodeURIComponent(set.id)}`), formId: STATUS_SET_FORM_ID };
  const view = toConflictView(conflict.error, statusSetConflictFields(theirs, mine, conflict.context.t), links, conflict.context);
  return { view, raw: keepMineForm(theirs, mine), version: conflict.error.currentVersion };
}

export function toEditView(
  data: { set: StatusSetData; usage: Record<string, number> },
  launch: LaunchContext,
  t: Translate,
  state: EditState = {},
): EditView {
  const { set, usage } = data;
  const conflict = state.conflict && conflictOf(set, state.raw ?? rawFromSet(set), launch, state.conflict);
  const raw = conflict?.raw ?? state.raw ?? rawFromSet(set);
  const setPath = `/${encodeURIComponent(set.id)}`;
  return {
    formId: STATUS_SET_FORM_ID,
    version: conflict?.version ?? state.version ?? set.version ?? 0,
    conflict: conflict?.view,
    pageTitle: t('status_sets.edit.title', { name: set.name }),
    nav: teacherNav(launch, 'statusSets'),
    ltik: launch.ltik,
    errors: state.errors ?? {},
    alert: state.alert,
    flash: state.flash,
    setId: set.id,
    name: raw.name,
    isDefault: set.isDefault,
    action: teacherPath(launch, 'statusSets', setPath),
    listHref: teacherLink(launch, 'statusSets'),
    deleteSetAction: set.isDefault ? undefined : teacherPath(launch, 'statusSets', `${setPath}/delete`),
    rows: withBlankRow(raw.statuses).map((row, index) => toRowView(row, index, { set, usage, launch, t })),
    autoStatus: raw.autoStatus,
    pickModes: PICK_MODES.map((value) => ({ value, label: t(`status_sets.pick.${value}`) })),
  };
}
