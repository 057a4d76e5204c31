import { teacherLink, teacherNav, TeacherNav } from '../courses/teacher-nav';
import type { Locale, Translate } from '../i18n/i18n';
import type { LaunchContext } from '../lti/launch-context';
import { formatDay, formatTimeRange } from '../sessions/sessions.presenter';
import { autoMarkState } from './auto-mark';
import { REMARK_MAX } from './record-source';
import { ConflictContext, ConflictFacts, conflictFlash, ConflictView, toConflictView } from './take-conflict.presenter';
import { deviceFlags, NO_FLAGS } from './take-device.presenter';
import { historyLink, takeLink, takePath } from './take-links';
import { nameParts, nameSortNotice, nameSortNoticeText, sortByName } from './take-names';
import type { PlannedConflict } from './take-plan';
import { encodeShown, FormerReason, intendedValue, PostedRow, RowProblem, RowValue, sameValue, StatusChoice, valueOf } from './take-rules';
import type { TakeSort } from './take.schema';
import type { TakePageData, TakeStudent } from './take.service';

export { nameParts, sortByName };

/**
 * Shapes the take page. Everything per row is computed here once, so the template only prints
 * (500 rows must render fast: no includes or translations inside the row loop).
 */

export interface StatusOption {
  id: string;
  acronym: string;
  description: string;
  /** The letter that picks this status with the keyboard (take.js). */
  key: string;
}

export interface TakeRow {
  index: number;
  userId: string;
  name: string;
  email: string;
  /** '' = unmarked. */
  statusId: string;
  options: StatusOption[];
  remark: string;
  selfRecorded: boolean;
  autoMarked: boolean;
  /** "Same phone as …" and refused check-ins on another student's phone (one device per student). */
  deviceFlags: string[];
  historyHref?: string;
  error?: string;
  legend: string;
  remarkLabel: string;
  /** The hidden `w<i>`: the row's value as this page shows it, so a save is checked against it. */
  shown: string;
  /** Changed elsewhere while the page was open: both values and "keep theirs / use mine". */
  conflict?: ConflictView;
}

export interface FormerRow {
  name: string;
  email: string;
  status: string;
  remark: string;
  selfRecorded: boolean;
  autoMarked: boolean;
  deviceFlags: string[];
  reason: string;
  historyHref: string;
}

export interface TakeView {
  pageTitle: string;
  nav: TeacherNav;
  ltik: string;
  action: string;
  backHref: string;
  allHistoryHref: string;
  when: string;
  audience: string;
  description: string;
  statusSetName: string;
  remarkMax: number;
  sort: TakeSort;
  sortLinks: Array<{ label: string; href: string; current: boolean }>;
  /** "By last name" with students the LMS sent no family name for (Open edX): how they are sorted. */
  namesNotice?: string;
  /** Visible statuses: the bulk buttons and the legend. */
  statuses: StatusOption[];
  rows: TakeRow[];
  /** Rows shown as conflicts (the save answers 409 while there are any). */
  conflictCount: number;
  former: FormerRow[];
  counter: { total: number; unmarked: number; text: string; templates: string; allMarked: string };
  flash?: { tone: 'success' | 'warning'; text: string };
  errors: string[];
  labels: { unmarked: string; selfRecorded: string; autoMarked: string; history: string; keyHint: string };
  /** Automatic marking: what will happen or happened, and the "mark the unmarked now" form. */
  autoMark: { text: string; form?: { action: string; label: string; confirm: string } };
}

export interface TakeViewInput {
  launch: LaunchContext;
  t: Translate;
  data: TakePageData;
  sort: TakeSort;
  /** Values to show instead of the stored ones (a refused save, a "set all" preview). */
  posted?: PostedRow[];
  problems?: RowProblem[];
  formErrorKey?: string;
  flash?: { saved?: number; autoMarked?: number; bulk?: { mode: 'all' | 'unmarked'; filled: number; statusId: string } };
  /** Rows a save did not write because they changed elsewhere; shown with both values. */
  conflicts?: PlannedConflict[];
  /** The tool's clock (whether the session has ended); the routes always pass it. */
  now?: Date;
}

const toOption = (s: StatusChoice): StatusOption => ({ id: s.id, acronym: s.acronym, description: s.description, key: s.acronym.charAt(0).toLowerCase() });

/** Visible statuses for every row; a hidden status only where a record still has it. */
function optionPicker(statuses: StatusChoice[]): (statusId: string) => StatusOption[] {
  const visible = statuses.filter((s) => s.visible).map(toOption);
  const withHidden = new Map<string, StatusOption[]>();
  return (statusId) => {
    const hidden = statuses.find((s) => s.id === statusId && !s.visible);
    if (!hidden) return visible;
    const cached = withHidden.get(statusId) ?? statuses.filter((s) => s.visible || s === hidden).map(toOption);
    withHidden.set(statusId, cached);
    return cached;
  };
}

/** Plural templates by CLDR category, for the script's live counter ({{count}} left in). */
function pluralTemplates(t: Translate, locale: Locale, key: string): string {
  const out: Record<string, string> = {};
  for (const category of new Intl.PluralRules(locale).resolvedOptions().pluralCategories) {
    const text = t(`${key}_${category}`);
    out[category] = text === `${key}_${category}` ? t(`${key}_other`) : text;
  }
  return JSON.stringify(out);
}

function statusLabel(statusId: string | null | undefined, statuses: StatusChoice[], t: Translate): string {
  const s = statuses.find((x) => x.id === statusId);
  return s ? `${s.acronym} · ${s.description}` : statusId ? t('attendance.status_unknown') : t('attendance.unmarked');
}

function problemMessages(problems: RowProblem[], names: Map<string, string>, t: Translate): { list: string[]; byUser: Map<string, string> } {
  const byUser = new Map<string, string>();
  const list = problems.map((p) => {
    const text = t(`attendance.errors.${p.key}`, { max: REMARK_MAX });
    if (!byUser.has(p.userId)) byUser.set(p.userId, text);
    return t('attendance.errors.row', { name: names.get(p.userId) ?? p.userId, message: text });
  });
  return { list, byUser };
}

function flashOf(input: TakeViewInput, statuses: StatusChoice[], conflictCount: number): TakeView['flash'] {
  const { flash, t } = input;
  if (flash?.autoMarked !== undefined) {
    const status = statusLabel(input.data.statusSet.autoStatusId, statuses, t);
    return { tone: 'success', text: flash.autoMarked > 0 ? t('auto_mark.flash.marked', { count: flash.autoMarked, status }) : t('auto_mark.flash.none') };
  }
  if (flash?.bulk) {
    const vars = { count: flash.bulk.filled, status: statusLabel(flash.bulk.statusId, statuses, t) };
    return { tone: 'warning', text: t(`attendance.flash.bulk_${flash.bulk.mode}`, vars) };
  }
  if (flash?.saved === undefined) return undefined;
  if (conflictCount > 0) return { tone: 'warning', text: conflictFlash(t, flash.saved, conflictCount) };
  return { tone: 'success', text: flash.saved > 0 ? t('attendance.flash.saved', { count: flash.saved }) : t('attendance.flash.saved_nothing') };
}

interface RowState {
  value: RowValue;
  /** What the form carries as shown: what is stored, or what the posted form carried. */
  shown: RowValue | null;
  conflict?: ConflictFacts;
}

/**
 * A row shows what is stored; after a refused save or a "set all" preview, what was posted (and
 * the shown value it carried, so the next save is still checked against it); after a save with
 * conflicts, the teacher's value beside the stored one, which the form then carries as shown.
 */
function rowState(input: TakeViewInput, userId: string, posted: PostedRow | undefined, lost: PlannedConflict | undefined): RowState {
  const stored = valueOf(input.data.records.get(userId));
  const change = input.data.lastChanges?.get(userId);
  if (lost && !sameValue(stored, lost.mine)) {
    return { value: lost.mine, shown: stored, conflict: { theirs: stored, mine: lost.mine, edited: lost.edited, choice: 'theirs', change } };
  }
  if (!posted) return { value: stored ?? { statusId: '', remark: '' }, shown: stored };
  const shown = posted.shown !== undefined ? posted.shown : stored;
  const value = { statusId: posted.statusId || shown?.statusId || '', remark: posted.remark };
  const mine = intendedValue(posted, shown);
  if (posted.choice === undefined || !mine || sameValue(mine, shown)) return { value, shown };
  return { value, shown, conflict: { theirs: shown, mine, edited: true, choice: posted.choice, change } };
}

function studentRows(input: TakeViewInput, names: Map<string, string>, errors: Map<string, string>, flags: Map<string, string[]>): TakeRow[] {
  const { data, launch, t, sort } = input;
  const posted = new Map((input.posted ?? []).map((r) => [r.userId, r]));
  const lost = new Map((input.conflicts ?? []).map((c) => [c.userId, c]));
  const optionsFor = optionPicker(data.statusSet.statuses);
  const conflictCtx: ConflictContext = {
    t, locale: launch.locale, zone: data.timezone, now: input.now ?? new Date(), selfId: launch.userId,
    statusLabel: (id) => statusLabel(id, data.statusSet.statuses, t),
  };
  const sorted = sortByName(data.students, (s) => nameParts(s, sort), launch.locale);
  return sorted.map((s, index) => {
    const record = data.records.get(s.userId);
    const state = rowState(input, s.userId, posted.get(s.userId), lost.get(s.userId));
    const statusId = state.value.statusId;
    const name = names.get(s.userId) ?? s.userId;
    return {
      index, userId: s.userId, name, email: s.email, statusId, options: optionsFor(statusId),
      remark: state.value.remark,
      shown: encodeShown(state.shown),
      conflict: state.conflict ? toConflictView(state.conflict, name, conflictCtx) : undefined,
      selfRecorded: record ? record.source === 'self' || record.selfRecordedAt !== undefined : false,
      autoMarked: record?.source === 'auto',
      deviceFlags: flags.get(s.userId) ?? NO_FLAGS,
      historyHref: record ? historyLink(launch, data.session.id, s.userId) : undefined,
      error: errors.get(s.userId),
      legend: t('attendance.take.row_legend', { name }),
      remarkLabel: t('attendance.take.remark_for', { name }),
    };
  });
}

function formerRows(input: TakeViewInput, sortNames: (u: { userId: string; student?: TakeStudent }) => { shown: string; key: string[] }, flags: Map<string, string[]>): FormerRow[] {
  const { data, launch, t } = input;
  return sortByName(data.former, sortNames, launch.locale).map((f) => {
    const record = data.records.get(f.userId);
    return {
      name: sortNames(f).shown,
      email: f.student?.email ?? '',
      status: statusLabel(record?.statusId, data.statusSet.statuses, t),
      remark: record?.remark ?? '',
      selfRecorded: record ? record.source === 'self' || record.selfRecordedAt !== undefined : false,
      autoMarked: record?.source === 'auto',
      deviceFlags: flags.get(f.userId) ?? NO_FLAGS,
      reason: t(`attendance.former.reason.${f.reason satisfies FormerReason}`),
      historyHref: historyLink(launch, data.session.id, f.userId),
    };
  });
}

/** What automatic marking will do or did for this session, and the "mark the unmarked now" form. */
function autoMarkView(input: TakeViewInput): TakeView['autoMark'] {
  const { data, t, launch } = input;
  const statusId = data.statusSet.autoStatusId ?? null;
  if (statusId === null) return { text: t('auto_mark.take.no_status') };
  const status = statusLabel(statusId, data.statusSet.statuses, t);
  const info = data.autoMark ?? {};
  const state = autoMarkState({ ...data.session, createdAt: info.createdAt, doneAt: info.doneAt }, input.now ?? new Date());
  const text =
    state === 'not_ended' ? t('auto_mark.take.pending', { status })
    : state === 'due' ? t('auto_mark.take.due', { status })
    : state === 'created_after_end' || info.outcome === 'created_after_end' ? t('auto_mark.take.created_after_end')
    : info.outcome === 'no_auto_status' ? t('auto_mark.take.done_without_status')
    : info.inserted ? t('auto_mark.take.done', { count: info.inserted, status }) : t('auto_mark.take.done_nobody');
  const unmarked = data.students.filter((s) => !data.records.has(s.userId)).length;
  if (unmarked === 0) return { text };
  return { text, form: { action: `${takePath(launch, data.session.id)}/auto-mark`, label: t('auto_mark.take.button', { status }), confirm: t('auto_mark.take.confirm', { count: unmarked, status }) } };
}

export function toTakeView(input: TakeViewInput): TakeView {
  const { data, launch, t, sort } = input;
  const display = { zone: data.timezone, locale: launch.locale, t };
  const formerName = (f: { userId: string; student?: TakeStudent }) => nameParts(f.student ?? { userId: f.userId, givenName: '', familyName: '', name: '' }, sort);
  const names = new Map<string, string>([
    ...data.students.map((s) => [s.userId, nameParts(s, sort).shown] as const),
    ...data.former.map((f) => [f.userId, formerName(f).shown] as const),
  ]);
  const problems = problemMessages(input.problems ?? [], names, t);
  const flags = deviceFlags(data, t);
  const rows = studentRows(input, names, problems.byUser, flags);
  const unmarked = rows.filter((r) => r.statusId === '').length;
  const conflictCount = rows.filter((r) => r.conflict).length;
  const countKey = 'attendance.take.unmarked_count';
  return {
    pageTitle: t('attendance.take.title'),
    nav: teacherNav(launch, 'sessions'),
    ltik: launch.ltik,
    action: takePath(launch, data.session.id),
    backHref: teacherLink(launch, 'sessions'),
    allHistoryHref: historyLink(launch, data.session.id),
    when: `${formatDay(data.session.startsAt, display)}, ${formatTimeRange(data.session, data.timezone)}`,
    audience: data.session.audience.kind === 'all' ? t('attendance.take.audience_all') : t('attendance.take.audience_group', { name: data.groupName ?? t('attendance.take.group_missing') }),
    description: data.session.description,
    statusSetName: data.statusSet.name,
    remarkMax: REMARK_MAX,
    sort,
    sortLinks: (['last', 'first'] as const).map((s) => ({ label: t(`attendance.take.sort_${s}`), href: takeLink(launch, data.session.id, `sort=${s}`), current: s === sort })),
    namesNotice: sort === 'last' ? nameSortNoticeText(nameSortNotice(data.students), t, 'attendance.take.names_notice') : undefined,
    statuses: data.statusSet.statuses.filter((s) => s.visible).map(toOption),
    rows,
    conflictCount,
    former: formerRows(input, formerName, flags),
    counter: { total: rows.length, unmarked, text: unmarked === 0 ? t('attendance.take.all_marked') : t(countKey, { count: unmarked }), templates: pluralTemplates(t, launch.locale, countKey), allMarked: t('attendance.take.all_marked') },
    flash: flashOf(input, data.statusSet.statuses, conflictCount),
    errors: [...(input.formErrorKey ? [t(input.formErrorKey)] : []), ...problems.list],
    autoMark: autoMarkView(input),
    labels: { unmarked: t('attendance.unmarked'), selfRecorded: t('attendance.self_recorded'), autoMarked: t('auto_mark.label'), history: t('attendance.take.history'), keyHint: t('attendance.take.key_hint', { keys: data.statusSet.statuses.filter((s) => s.visible).map((s) => s.acronym).join(', ') }) },
  };
}
