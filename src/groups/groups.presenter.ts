import { teacherLink, teacherNav, teacherPath, TeacherNav } from '../courses/teacher-nav';
import type { Locale, Translate, Vars } from '../i18n/i18n';
import type { LaunchContext } from '../lti/launch-context';
import { ConflictContext, ConflictView, toConflictView } from '../shared/edit-conflict.presenter';
import type { FieldErrors } from '../shared/forms';
import type { CsvUnmatchedRow } from './csv-import';
import { GROUP_NAME_MAX } from './group-name';
import type { CsvImportOutcome, GroupConflict, GroupDetail, GroupMemberRow } from './groups.service';

/** Shapes the groups pages; templates only print what is here. */

interface PageBase {
  pageTitle: string;
  nav: TeacherNav;
  ltik: string;
  flash?: string;
}

export interface NameForm {
  value: string;
  errors: FieldErrors;
  /** Variables for the error messages ({{max}}, {{name}}). */
  errorVars: Vars;
}

export interface GroupListView extends PageBase {
  createAction: string;
  groups: Array<{ id: string; name: string; memberCount: number; href: string; deleteHref: string }>;
  form: NameForm;
}

export interface StudentRow {
  inputId: string;
  userId: string;
  displayName: string;
  email: string;
  username: string;
  inactive: boolean;
  checked: boolean;
}

export interface ImportResultView {
  added: number;
  already: number;
  unmatched: CsvUnmatchedRow[];
}

export const RENAME_FORM_ID = 'group-rename-form';

export interface GroupDetailView extends PageBase {
  /** Someone else's membership change was merged with this page's one. */
  notice?: string;
  group: { id: string; name: string };
  /** The rename form's version, and the membership forms' one. */
  versions: { name: number; members: number };
  renameFormId: string;
  conflict?: ConflictView;
  backHref: string;
  deleteHref: string;
  actions: { rename: string; add: string; remove: string; import: string };
  rename: NameForm;
  members: StudentRow[];
  candidates: StudentRow[];
  removeError?: { key: string; vars: Vars };
  addError?: { key: string; vars: Vars };
  csv: { value: string; error?: { key: string; vars: Vars }; result?: ImportResultView };
}

/** What the detail page re-shows after a POST that did not redirect (errors, typed values, import result). */
export interface DetailState {
  flash?: string;
  notice?: string;
  /** `version`: the one a re-shown rename form was rendered from (default: the stored one). */
  rename?: { value: string; errors: FieldErrors; version?: number };
  /** A stale rename: `rename.value` is the teacher's name, shown beside the stored one. */
  conflict?: { error: GroupConflict; context: ConflictContext };
  removeChecked?: string[];
  removeError?: { key: string; vars: Vars };
  addChecked?: string[];
  addError?: { key: string; vars: Vars };
  csv?: string;
  csvError?: { key: string; vars: Vars };
  importResult?: CsvImportOutcome;
}

export function displayName(row: Pick<GroupMemberRow, 'givenName' | 'familyName' | 'name' | 'userId'>): string {
  if (row.familyName && row.givenName) return `${row.familyName}, ${row.givenName}`;
  return row.familyName || row.givenName || row.name || row.userId;
}

/** By family name, then given name, in the UI language's alphabet (Latvian: ā after a, š after s). */
export function sortStudents<T extends Pick<GroupMemberRow, 'givenName' | 'familyName' | 'name' | 'userId'>>(rows: T[], locale: Locale): T[] {
  const collator = new Intl.Collator(locale, { sensitivity: 'base', numeric: true });
  const key = (r: T) => [r.familyName || r.name || r.userId, r.givenName, r.userId] as const;
  return [...rows].sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    return collator.compare(ka[0], kb[0]) || collator.compare(ka[1], kb[1]) || collator.compare(ka[2], kb[2]);
  });
}

function toStudentRows(rows: GroupMemberRow[], locale: Locale, prefix: string, checked: string[] = []): StudentRow[] {
  const picked = new Set(checked);
  return sortStudents(rows, locale).map((r, i) => ({
    inputId: `${prefix}-${i}`,
    userId: r.userId,
    displayName: displayName(r),
    email: r.email,
    username: r.username,
    inactive: !r.active,
    checked: picked.has(r.userId),
  }));
}

const nameForm = (value: string, errors: FieldErrors = {}): NameForm => ({ value, errors, errorVars: { max: GROUP_NAME_MAX, name: value.trim() } });

export function toGroupListView(
  launch: LaunchContext,
  t: Translate,
  groups: Array<{ id: string; name: string; memberCount: number }>,
  form: { value?: string; errors?: FieldErrors; flash?: string } = {},
): GroupListView {
  return {
    pageTitle: t('groups.list.title'),
    nav: teacherNav(launch, 'groups'),
    ltik: launch.ltik,
    flash: form.flash,
    createAction: teacherPath(launch, 'groups'),
    groups: groups.map((g) => ({
      ...g,
      href: teacherLink(launch, 'groups', `/${encodeURIComponent(g.id)}`),
      deleteHref: teacherLink(launch, 'groups', `/${encodeURIComponent(g.id)}/delete`),
    })),
    form: nameForm(form.value ?? '', form.errors),
  };
}

function renameConflict(launch: LaunchContext, detail: GroupDetail, state: DetailState): ConflictView | undefined {
  const { conflict, rename } = state;
  if (!conflict) return undefined;
  const rows = [{ label: conflict.context.t('groups.fields.name'), theirs: conflict.error.current.name, mine: rename?.value ?? '' }];
  const links = { theirsHref: teacherLink(launch, 'groups', `/${encodeURIComponent(detail.id)}`), formId: RENAME_FORM_ID };
  return toConflictView(conflict.error, rows, links, conflict.context);
}

export function toGroupDetailView(launch: LaunchContext, t: Translate, detail: GroupDetail, state: DetailState = {}): GroupDetailView {
  const base = `/${encodeURIComponent(detail.id)}`;
  const result = state.importResult;
  return {
    pageTitle: t('groups.detail.title', { name: detail.name }),
    nav: teacherNav(launch, 'groups'),
    ltik: launch.ltik,
    flash: state.flash,
    notice: state.notice ?? (result?.merged ? t('groups.flash.merged') : undefined),
    group: { id: detail.id, name: detail.name },
    versions: { name: state.conflict?.error.currentVersion ?? state.rename?.version ?? detail.version, members: detail.membersVersion },
    renameFormId: RENAME_FORM_ID,
    conflict: renameConflict(launch, detail, state),
    backHref: teacherLink(launch, 'groups'),
    deleteHref: teacherLink(launch, 'groups', `${base}/delete`),
    actions: {
      rename: teacherPath(launch, 'groups', `${base}/rename`),
      add: teacherPath(launch, 'groups', `${base}/members/add`),
      remove: teacherPath(launch, 'groups', `${base}/members/remove`),
      import: teacherPath(launch, 'groups', `${base}/import`),
    },
    rename: nameForm(state.rename?.value ?? detail.name, state.rename?.errors),
    members: toStudentRows(detail.members, launch.locale, 'member', state.removeChecked),
    candidates: toStudentRows(detail.candidates, launch.locale, 'candidate', state.addChecked),
    removeError: state.removeError,
    addError: state.addError,
    csv: {
      value: state.csv ?? '',
      error: state.csvError,
      result: result && { added: result.added, already: result.already, unmatched: result.unmatched },
    },
  };
}

export interface DeleteView extends PageBase {
  group: { id: string; name: string; memberCount: number };
  sessionCount: number;
  action: string;
  cancelHref: string;
  error?: string;
}

export function toDeleteView(
  launch: LaunchContext,
  t: Translate,
  data: { id: string; name: string; memberCount: number; sessionCount: number },
  error?: string,
): DeleteView {
  const base = `/${encodeURIComponent(data.id)}`;
  return {
    pageTitle: t('groups.delete.title', { name: data.name }),
    nav: teacherNav(launch, 'groups'),
    ltik: launch.ltik,
    group: { id: data.id, name: data.name, memberCount: data.memberCount },
    sessionCount: data.sessionCount,
    action: teacherPath(launch, 'groups', `${base}/delete`),
    cancelHref: teacherLink(launch, 'groups', base),
    error,
  };
}
