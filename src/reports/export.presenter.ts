import { compareNameKeys, nameParts } from '../attendance/take-names';
import { formatLocale, Translate } from '../i18n/i18n';
import type { LaunchContext } from '../lti/launch-context';
import { teacherLink, teacherPath } from '../courses/teacher-nav';
import type { FieldErrors } from '../shared/forms';
import type { ExportLabels, IdentifierKind } from './export-table';
import type { ExportChoices, ExportStudentChoice } from './export.service';
import type { XlsxLabels } from './xlsx.adapter';

/** The form's values as the teacher sent them (strings, kept as typed when the form comes back). */
export interface ExportFormValues {
  who: string;
  group: string;
  students: string[];
  from: string;
  to: string;
  id: string;
  remarks: boolean;
  descriptions: boolean;
  untaken: boolean;
}

export interface ExportFormView {
  pageTitle: string;
  ltik: string;
  timezone: string;
  actions: { csv: string; xlsx: string };
  backHref: string;
  values: ExportFormValues;
  groups: Array<{ id: string; name: string; selected: boolean }>;
  students: Array<{ userId: string; label: string; detail: string; checked: boolean; inputId: string }>;
  errors: FieldErrors;
}

const first = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '');
const many = (v: unknown): string[] => (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string' && x !== '');
const on = (v: unknown) => ['1', 'on', 'true'].includes(first(v));

/**
 * Query → form values, leniently: the form page also opens from the report page's link with its
 * filters (group, from, to), so a group alone means "one group".
 */
export function formValues(query: Record<string, unknown>): ExportFormValues {
  const group = first(query.group).trim();
  return {
    who: first(query.who) || (group ? 'group' : 'all'),
    group,
    students: many(query.students),
    from: first(query.from).trim(),
    to: first(query.to).trim(),
    id: first(query.id) || 'email',
    remarks: on(query.remarks),
    descriptions: on(query.descriptions),
    untaken: on(query.untaken),
  };
}

/**
 * The report page's "Export" link: the report's group and dates pre-fill the form (formValues
 * reads a group alone as "one group"). The report's other settings (view, sort, "only below")
 * shape the page, not the file, so they stay behind.
 */
export function exportFormLink(launch: LaunchContext, filters: { group?: string; from?: string; to?: string } = {}): string {
  const query = new URLSearchParams(Object.entries(filters).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '')).toString();
  return teacherLink(launch, 'reports', `/export${query ? `?${query}` : ''}`);
}

export function toExportFormView(choices: ExportChoices, values: ExportFormValues, errors: FieldErrors, launch: LaunchContext, t: Translate): ExportFormView {
  const collator = new Intl.Collator(formatLocale(launch.locale), { sensitivity: 'base' });
  const chosen = new Set(values.students);
  const names = new Map(choices.students.map((s) => [s.userId, nameParts(s, 'last')]));
  const key = (s: ExportStudentChoice) => names.get(s.userId)?.key ?? [];
  const students = [...choices.students].sort((a, b) => compareNameKeys(collator, key(a), key(b)));
  return {
    pageTitle: t('export.title'),
    ltik: launch.ltik,
    timezone: choices.timezone,
    actions: { csv: teacherPath(launch, 'reports', '/export.csv'), xlsx: teacherPath(launch, 'reports', '/export.xlsx') },
    backHref: teacherLink(launch, 'reports'),
    values,
    groups: [...choices.groups].sort((a, b) => collator.compare(a.name, b.name)).map((g) => ({ ...g, selected: g.id === values.group })),
    students: students.map((s, i) => ({
      userId: s.userId,
      label: names.get(s.userId)?.shown ?? s.userId,
      detail: s.email ?? '',
      checked: chosen.has(s.userId),
      inputId: `student-${i}`,
    })),
    errors,
  };
}

export function exportLabels(t: Translate, identifier: IdentifierKind): ExportLabels {
  return {
    lastName: t('export.columns.last_name'),
    firstName: t('export.columns.first_name'),
    fullName: t('export.columns.full_name'),
    identifier: t(`export.columns.${identifier}`),
    allStudents: t('export.columns.all_students'),
    remark: t('export.columns.remark'),
    countOf: (acronym) => t('export.columns.count', { acronym }),
    taken: t('export.columns.taken'),
    earned: t('export.columns.earned'),
    possible: t('export.columns.possible'),
    percentage: t('export.columns.percentage'),
  };
}

export function xlsxLabels(t: Translate): XlsxLabels {
  return {
    mainSheet: t('export.sheets.main'),
    sessionsSheet: t('export.sheets.sessions'),
    session: t('export.sheets.session'),
    start: t('export.sheets.start'),
    end: t('export.sheets.end'),
    duration: t('export.sheets.duration'),
    audience: t('export.sheets.audience'),
    description: t('export.sheets.description'),
    legend: t('export.sheets.legend'),
  };
}
