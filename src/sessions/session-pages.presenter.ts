import { Info } from 'luxon';
import type { Translate } from '../i18n/i18n';
import type { LaunchContext } from '../lti/launch-context';
import { teacherLink, teacherPath } from '../courses/teacher-nav';
import type { ConflictView } from '../shared/edit-conflict.presenter';
import type { FieldErrors } from '../shared/forms';
import { inPeriod, ListPeriod } from './list-period';
import { toPeriodNav } from './list-period.presenter';
import { utcToLocal } from './local-time';
import type { Occurrence } from './recurrence';
import {
  audienceLabel, Display, filterOptions, filterSessions, formatDay, formatTimeRange, groupByPeriod, listLinks, Names,
  Option, periodHeading, toRow,
} from './sessions.presenter';
import type { ListFilters } from './sessions.schema';
import type { FormOptions, StoredSession } from './sessions.service';

/** Whole-page view models of the sessions pages. */

export type FormValues = Record<string, string>;

/** The posted fields as strings, to re-fill a form that failed validation. */
export function postedValues(body: unknown, keys: readonly string[]): FormValues {
  const b = (body ?? {}) as Record<string, unknown>;
  return Object.fromEntries(keys.map((k) => [k, typeof b[k] === 'string' ? b[k] : '']));
}

export const namesOf = (options: FormOptions): Names => ({
  groups: new Map(options.groups.map((g) => [g.id, g.name])),
  statusSets: new Map(options.statusSets.map((s) => [s.id, s.name])),
});

/** Success notes carried by the redirect after a POST (flash via query parameters). */
export function flashOf(query: Record<string, unknown>, t: Translate): { success?: string; warning?: string } {
  const n = (name: string) => (typeof query[name] === 'string' && /^\d{1,6}$/.test(query[name]) ? Number(query[name]) : undefined);
  const out: { success?: string; warning?: string } = {};
  if (query.saved === '1') out.success = t('sessions.flash.saved');
  const created = n('created');
  if (created !== undefined) out.success = t('sessions.flash.created', { count: created });
  const deleted = n('deleted');
  if (deleted !== undefined) out.success = t('sessions.flash.deleted', { count: deleted, records: n('records') ?? 0 });
  const updated = n('updated');
  if (updated !== undefined) out.success = t('sessions.flash.duration_changed', { count: updated });
  if (query.dst === 'gap') out.warning = t('sessions.flash.dst_gap');
  return out;
}

export interface ListPageInput {
  launch: LaunchContext;
  sessions: StoredSession[];
  options: FormOptions;
  filters: ListFilters;
  now: Date;
  t: Translate;
  query: Record<string, unknown>;
  bulk?: { errors: FieldErrors; minutes: string; ids: string[] };
  /** Marked students per session id (absent = not taken). */
  marked?: Map<string, number>;
  /** Sessions with student self-marking switched on. */
  selfMarking?: Set<string>;
  /** The week or month shown; absent = all. */
  period?: ListPeriod;
}

export function toListPage(input: ListPageInput) {
  const { launch, options, filters, t } = input;
  const d: Display = { zone: options.timezone, locale: launch.locale, t };
  const names = namesOf(options);
  const checked = new Set(input.bulk?.ids ?? []);
  const period: ListPeriod = input.period ?? { kind: 'all' };
  // A week or a month shows all of its sessions, past and upcoming: the period replaces the "Show" filter.
  const inWindow = input.sessions.filter((s) => inPeriod(s.startsAt, period));
  const shown = filterSessions(inWindow, period.kind === 'all' ? filters : { ...filters, view: 'all' }, input.now);
  const periods = groupByPeriod(shown, filters.by, options.timezone).map((p) => ({
    heading: periodHeading(p, filters.by, d),
    rows: p.items.map((s) => toRow(s, launch, names, d, input.now, checked, input.marked?.get(s.id) ?? 0, input.selfMarking?.has(s.id) ?? false)),
  }));
  return {
    pageTitle: t('sessions.list.title'),
    timezone: options.timezone,
    filters,
    options: filterOptions(filters, options.groups, t),
    periods,
    total: shown.length,
    periodNav: toPeriodNav({ launch, filters, period, zone: options.timezone, t }),
    links: listLinks(launch),
    flash: flashOf(input.query, t),
    bulk: { errors: input.bulk?.errors ?? {}, minutes: input.bulk?.minutes ?? '' },
  };
}

function audienceOptions(options: FormOptions, current: string, t: Translate): Option[] {
  return [
    { value: 'all', label: t('sessions.audience.all'), selected: current === 'all' },
    ...options.groups.map((g) => ({ value: `group:${g.id}`, label: t('sessions.audience.group', { name: g.name }), selected: current === `group:${g.id}` })),
  ];
}

function statusSetOptions(options: FormOptions, current: string): Option[] {
  return options.statusSets.map((s) => ({ value: s.id, label: s.name, selected: current === s.id }));
}

/** Values of a form the first time it is shown. */
export function defaultValues(options: FormOptions, now: Date): FormValues {
  const today = utcToLocal(now, options.timezone).date;
  const set = options.statusSets.find((s) => s.isDefault) ?? options.statusSets[0];
  return { date: today, startDate: today, endDate: '', startTime: '', durationMinutes: '90', everyWeeks: '1', description: '', audience: 'all', statusSetId: set?.id ?? '' };
}

export function sessionValues(s: StoredSession, zone: string): FormValues {
  const local = utcToLocal(s.startsAt, zone);
  return {
    date: local.date,
    startTime: local.time,
    durationMinutes: String(s.durationMinutes),
    description: s.description,
    audience: s.audience.kind === 'group' ? `group:${s.audience.groupId}` : 'all',
    statusSetId: s.statusSetId,
  };
}

interface FormPageInput {
  launch: LaunchContext;
  options: FormOptions;
  values: FormValues;
  errors: FieldErrors;
  t: Translate;
}

function commonFormView(input: FormPageInput) {
  const { launch, options, values, t } = input;
  return {
    values,
    errors: input.errors,
    timezone: options.timezone,
    audienceOptions: audienceOptions(options, values.audience ?? 'all', t),
    statusSetOptions: statusSetOptions(options, values.statusSetId ?? ''),
    cancelHref: teacherLink(launch, 'sessions'),
  };
}

/** An edit form carries the version it shows (or, after a conflict, the version to overwrite). */
export interface EditState {
  sessionId: string;
  version: number;
  conflict?: ConflictView;
}

export function toSessionFormPage(input: FormPageInput & { edit?: EditState }) {
  const { launch, t, edit } = input;
  const sessionId = edit?.sessionId;
  return {
    ...commonFormView(input),
    version: edit?.version,
    conflict: edit?.conflict,
    pageTitle: sessionId ? t('sessions.form.edit_title') : t('sessions.form.new_title'),
    action: teacherPath(launch, 'sessions', sessionId ? `/${sessionId}/edit` : '/new'),
    submitLabel: sessionId ? t('common.save') : t('sessions.form.create'),
  };
}

export interface PreviewInput {
  occurrences: Occurrence[];
  durationMinutes: number;
  requestedTime: string;
  changed: boolean;
}

function previewView(p: PreviewInput, d: Display) {
  return {
    count: p.occurrences.length,
    changed: p.changed,
    rows: p.occurrences.map((o) => ({
      day: formatDay(o.startsAt, d),
      timeRange: formatTimeRange({ startsAt: o.startsAt, durationMinutes: p.durationMinutes }, d.zone),
      note:
        o.dst === 'gap'
          ? d.t('sessions.series.dst_gap', { requested: p.requestedTime, actual: o.localTime })
          : o.dst === 'overlap'
            ? d.t('sessions.series.dst_overlap', { time: o.localTime })
            : '',
    })),
  };
}

export function toSeriesFormPage(input: FormPageInput & { weekdays: string[]; preview?: PreviewInput }) {
  const { launch, t } = input;
  const d: Display = { zone: input.options.timezone, locale: launch.locale, t };
  const names = Info.weekdays('long', { locale: launch.locale });
  return {
    ...commonFormView(input),
    pageTitle: t('sessions.series.title'),
    action: teacherPath(launch, 'sessions', '/series'),
    weekdayOptions: names.map((label, i) => ({ value: String(i + 1), label, checked: input.weekdays.includes(String(i + 1)) })),
    preview: input.preview ? previewView(input.preview, d) : undefined,
  };
}

export function toDeletePage(input: {
  launch: LaunchContext; sessions: StoredSession[]; records: number; options: FormOptions; t: Translate; single: boolean; filters?: ListFilters;
}) {
  const { launch, options, t } = input;
  const d: Display = { zone: options.timezone, locale: launch.locale, t };
  const names = namesOf(options);
  return {
    pageTitle: t('sessions.delete.title', { count: input.sessions.length }),
    single: input.single,
    filters: input.filters,
    ids: input.sessions.map((s) => s.id),
    count: input.sessions.length,
    records: input.records,
    rows: input.sessions.map((s) => ({
      day: formatDay(s.startsAt, d),
      timeRange: formatTimeRange(s, d.zone),
      audience: audienceLabel(s.audience, names, t),
      description: s.description,
    })),
    action: input.single && input.sessions[0] ? teacherPath(launch, 'sessions', `/${input.sessions[0].id}/delete`) : teacherPath(launch, 'sessions', '/bulk'),
    cancelHref: teacherLink(launch, 'sessions'),
  };
}
