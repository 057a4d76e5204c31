import { teacherLink, teacherNav, teacherPath, TeacherNav } from '../courses/teacher-nav';
import type { RuleSet } from '../grading/grade-rule';
import { formatLocale, Locale, Translate } from '../i18n/i18n';
import { compareNameKeys, nameParts, nameSortNotice, nameSortNoticeText } from '../attendance/take-names';
import type { LaunchContext } from '../lti/launch-context';
import { periodOf } from '../sessions/sessions.presenter';
import type { FieldErrors } from '../shared/forms';
import { withLtik } from '../shared/links';
import type { Report, ReportRow, ReportSession } from './report';
import type { LoadedReport } from './report-data.service';
import { ParsedReportQuery, ReportQuery, reportQueryString, ReportSort } from './report-filters';
import { acronymDescriptions, ChartsView, ChartTexts, reportCharts, sessionRates } from './charts';
import { exportFormLink } from './export.presenter';
import { cellMaker, CellView, LegendEntry, markLegend, SessionHead, sessionHeads } from './report-grid';

export type { CellView, SessionHead } from './report-grid';

/**
 * Shapes the report page. The numbers come from loadReport (the grade rule); this only sorts,
 * filters "below", groups columns by week/month and turns everything into display strings, once,
 * so the template's 500 × 100 cell loop only prints (no function calls or translations inside).
 */


export interface RowView {
  name: string;
  /** For reports.js's sort without reload: place in name order, and the raw percentage ('' = none). */
  rank: number;
  p: string;
  below: boolean;
  counts: string[];
  taken: string;
  points: string;
  percentage: string;
  cells: CellView[];
}

export interface PeriodHead { label: string; detail: string; span: number }
export interface SortHead { href: string; ariaSort: 'ascending' | 'descending' | 'none'; hint: string }
export interface AcronymHead { text: string; title: string }
export interface Option { value: string; label: string; selected: boolean }

export interface SessionSummaryRow {
  when: string;
  description: string;
  audience: string;
  expected: number;
  marked: number;
  unmarked: string;
  counts: string[];
  rate: string;
}

export interface ReportPageView {
  pageTitle: string;
  activityTitle: string;
  nav: TeacherNav;
  ltik: string;
  timezoneNote: string;
  /** Report → Export, carrying the report's group and dates (a mistyped date stays behind). */
  exportHref: string;
  form: { action: string; resetHref: string; query: ReportQuery; groups: Option[]; views: Option[]; belowLabel: string; threshold: string; errors: FieldErrors };
  notice?: string;
  empty?: { title: string; body: string; href?: string; linkText?: string };
  summary?: string;
  /** Students the LMS sent no last name for (Open edX): sorted by the full name as given. */
  namesNotice?: string;
  table?: { acronyms: AcronymHead[]; periods: PeriodHead[]; sessions: SessionHead[]; legend: LegendEntry[]; rows: RowView[]; sortName: SortHead; sortPercentage: SortHead; belowLabel: string; noneBelow?: string };
  sessionSummary?: { acronyms: AcronymHead[]; rows: SessionSummaryRow[] };
  charts?: ChartsView;
}

export interface Formats {
  locale: Locale;
  zone: string;
  t: Translate;
  pct: Intl.NumberFormat;
  pts: Intl.NumberFormat;
}

export function formats(locale: Locale, zone: string, t: Translate): Formats {
  const tag = formatLocale(locale);
  return { locale, zone, t, pct: new Intl.NumberFormat(tag, { minimumFractionDigits: 1, maximumFractionDigits: 1 }), pts: new Intl.NumberFormat(tag, { maximumFractionDigits: 2 }) };
}

export const percentText = (p: number | null, f: Formats): string => (p === null ? '–' : `${f.pct.format(p)} %`);

/**
 * Last name, then first name, in the UI language's alphabet (a student the LMS sent no last name
 * for, as Open edX does, by the full name as given: take-names.ts); percentage with "no grade" always last.
 */
export function sortRows(rows: readonly ReportRow[], sort: ReportSort, dir: 'asc' | 'desc', locale: Locale): ReportRow[] {
  const collator = new Intl.Collator(formatLocale(locale), { sensitivity: 'base', numeric: true });
  const keys = new Map(rows.map((r) => [r, nameParts(r.student, 'last').key]));
  const byName = (a: ReportRow, b: ReportRow) => compareNameKeys(collator, keys.get(a) ?? [], keys.get(b) ?? [])
    || (a.student.userId < b.student.userId ? -1 : a.student.userId > b.student.userId ? 1 : 0);
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    if (sort === 'name') return sign * byName(a, b);
    const pa = a.summary.percentage;
    const pb = b.summary.percentage;
    if (pa === null || pb === null) return pa === pb ? byName(a, b) : pa === null ? 1 : -1;
    return sign * (pa - pb) || byName(a, b);
  });
}

export const isBelow = (row: ReportRow, threshold: number): boolean => row.summary.percentage !== null && row.summary.percentage < threshold;

/** Consecutive sessions of one ISO week or calendar month of the activity's zone share a header cell. */
export function periodHeads(sessions: readonly ReportSession[], by: 'week' | 'month', f: Pick<Formats, 'locale' | 'zone' | 't'>): PeriodHead[] {
  const heads: Array<PeriodHead & { key: string }> = [];
  for (const s of sessions) {
    const { key, start } = periodOf(s.startsAt, by, f.zone);
    const last = heads[heads.length - 1];
    if (last && last.key === key) {
      last.span += 1;
      continue;
    }
    const local = start.setLocale(formatLocale(f.locale));
    if (by === 'month') heads.push({ key, label: local.toFormat('LLLL yyyy'), detail: '', span: 1 });
    else heads.push({ key, label: f.t('reports.table.week', { week: local.weekNumber }), detail: `${local.toFormat('d.LL.')}–${local.plus({ days: 6 }).toFormat('d.LL.')}`, span: 1 });
  }
  return heads.map(({ label, detail, span }) => ({ label, detail, span }));
}

export function audienceName(s: ReportSession, groups: ReadonlyMap<string, string>, t: Translate): string {
  return s.audience.kind === 'all' ? t('reports.audience_all') : groups.get(s.audience.groupId ?? '') ?? t('reports.audience_unknown');
}

function rowView(row: ReportRow, rank: number, report: Report, threshold: number, f: Formats, cell: ReturnType<typeof cellMaker>): RowView {
  const s = row.summary;
  const ended = report.sessionSummaries;
  return {
    rank,
    p: s.percentage === null ? '' : String(Math.round(s.percentage * 1000) / 1000),
    name: nameParts(row.student, 'last').shown,
    below: isBelow(row, threshold),
    counts: report.acronyms.map((a) => String(row.countsByAcronym[a] ?? 0)),
    taken: String(s.taken),
    points: `${f.pts.format(s.earned)} / ${f.pts.format(s.possible)}`,
    percentage: percentText(s.percentage, f),
    cells: row.cells.map((c, i) => cell(c, ended[i]?.ended ?? false)),
  };
}

function sortHead(launch: LaunchContext, q: ReportQuery, sort: ReportSort, t: Translate): SortHead {
  const current = q.sort === sort;
  const next = current && q.dir === 'asc' ? 'desc' : 'asc';
  const qs = reportQueryString(q, { sort, dir: next });
  return {
    href: withLtik(`${teacherPath(launch, 'reports')}${qs ? `?${qs}` : ''}`, launch.ltik),
    ariaSort: current ? (q.dir === 'asc' ? 'ascending' : 'descending') : 'none',
    hint: t(next === 'asc' ? 'reports.table.sort_asc' : 'reports.table.sort_desc'),
  };
}

function sessionSummaryRows(report: Report, heads: SessionHead[], audiences: string[], rates: Array<number | null>, f: Formats, now: Date): SessionSummaryRow[] {
  return report.sessions.map((s, i) => {
    const sum = report.sessionSummaries[i];
    const head = heads[i];
    const upcoming = s.startsAt.getTime() > now.getTime();
    return {
      when: head?.when ?? '', description: s.description, audience: audiences[i] ?? '',
      expected: sum?.expected ?? 0, marked: sum?.marked ?? 0,
      unmarked: sum?.ended ? String(sum.unmarked) : f.t(upcoming ? 'reports.sessions.upcoming' : 'reports.sessions.in_progress'),
      counts: report.acronyms.map((a) => String(sum?.countsByAcronym[a] ?? 0)),
      rate: percentText(rates[i] ?? null, f),
    };
  });
}

function chartsOf(report: Report, rates: Array<number | null>, heads: SessionHead[], threshold: number, f: Formats): ChartsView {
  const texts: ChartTexts = { t: f.t, percent: (v) => percentText(v, f), number: (n) => f.pts.format(n) };
  const points = report.sessions.map((s, i) => ({ when: heads[i]?.when ?? '', shortDay: heads[i]?.day ?? '', description: s.description, rate: rates[i] ?? null }));
  return reportCharts(report, points, threshold, texts);
}

export interface ReportPageInput {
  launch: LaunchContext;
  loaded: LoadedReport;
  parsed: ParsedReportQuery;
  sets: ReadonlyMap<string, RuleSet>;
  now: Date;
  t: Translate;
}

function emptyState(input: ReportPageInput): ReportPageView['empty'] {
  const { loaded, parsed, launch, t } = input;
  const q = parsed.query;
  if (loaded.report.sessions.length === 0) {
    const narrowed = Boolean(q.from || q.to || q.group || q.view === 'past');
    return narrowed ? { title: t('reports.empty.no_sessions_match_title'), body: t('reports.empty.no_sessions_match_body') }
      : { title: t('reports.empty.no_sessions_title'), body: t('reports.empty.no_sessions_body'), href: teacherLink(launch, 'sessions', '/new'), linkText: t('reports.empty.add_session') };
  }
  if (loaded.report.rows.length === 0) {
    return q.group ? { title: t('reports.empty.no_students_group_title'), body: t('reports.empty.no_students_group_body') }
      : { title: t('reports.empty.no_students_title'), body: t('reports.empty.no_students_body'), href: teacherLink(launch, 'roster'), linkText: t('reports.empty.roster') };
  }
  return undefined;
}

export function toReportPage(input: ReportPageInput): ReportPageView {
  const { launch, loaded, parsed, t, now } = input;
  const { report, activity } = loaded;
  const f = formats(launch.locale, activity.timezone, t);
  const page = basePage(launch, parsed, loaded.groups, activity.title, activity.timezone, activity.threshold, f);
  const empty = emptyState(input);
  if (empty) return { ...page, empty };
  const groups = new Map(loaded.groups.map((g) => [g.id, g.name]));
  const audiences = report.sessions.map((s) => audienceName(s, groups, t));
  const heads = sessionHeads(report.sessions, audiences, f);
  const q = parsed.query;
  const below = report.rows.filter((r) => isBelow(r, activity.threshold)).length;
  const shown = sortRows(q.below ? report.rows.filter((r) => isBelow(r, activity.threshold)) : report.rows, q.sort, q.dir, launch.locale);
  const cell = cellMaker(report, t);
  const ranks = new Map(sortRows(shown, 'name', 'asc', launch.locale).map((r, i) => [r, i]));
  const rates = sessionRates(report, input.sets, activity.options);
  const descriptions = acronymDescriptions(report);
  const acronyms = report.acronyms.map((a) => ({ text: a, title: descriptions.get(a) ?? a }));
  return {
    ...page,
    summary: t('reports.summary', { count: below, total: report.rows.length, threshold: f.pts.format(activity.threshold) }),
    namesNotice: nameSortNoticeText(nameSortNotice(report.rows.map((r) => r.student)), t, 'reports.names_notice'),
    table: {
      acronyms,
      periods: q.view === 'week' || q.view === 'month' ? periodHeads(report.sessions, q.view, f) : [],
      sessions: heads,
      legend: markLegend(report, shown, t),
      rows: shown.map((r) => rowView(r, ranks.get(r) ?? 0, report, activity.threshold, f, cell)),
      sortName: sortHead(launch, q, 'name', t),
      sortPercentage: sortHead(launch, q, 'percentage', t),
      belowLabel: page.form.belowLabel,
      noneBelow: q.below && shown.length === 0 ? t('reports.empty.none_below', { threshold: f.pts.format(activity.threshold) }) : undefined,
    },
    sessionSummary: { acronyms, rows: sessionSummaryRows(report, heads, audiences, rates, f, now) },
    charts: chartsOf(report, rates, heads, activity.threshold, f),
  };
}

/** The parts every state of the page has, including the 400 answer to bad dates. */
export function basePage(launch: LaunchContext, parsed: Pick<ParsedReportQuery, 'query' | 'errors' | 'ignored'>, groups: Array<{ id: string; name: string }>, activityTitle: string, zone: string, threshold: number, f: Pick<Formats, 't' | 'pts'>): ReportPageView {
  const { t } = f;
  const q = parsed.query;
  const opt = (current: string) => (value: string, label: string): Option => ({ value, label, selected: current === value });
  const group = opt(q.group);
  const view = opt(q.view);
  const belowLabel = t('reports.below_label', { threshold: f.pts.format(threshold) });
  return {
    pageTitle: t('reports.title'),
    activityTitle,
    nav: teacherNav(launch, 'reports'),
    ltik: launch.ltik,
    timezoneNote: t('reports.zone_note', { zone }),
    exportHref: exportFormLink(launch, { group: q.group, from: parsed.errors.from ? '' : q.from, to: parsed.errors.to ? '' : q.to }),
    form: {
      action: teacherPath(launch, 'reports'), resetHref: teacherLink(launch, 'reports'), query: q, belowLabel, threshold: f.pts.format(threshold), errors: parsed.errors,
      groups: [group('', t('reports.filters.group_all')), ...groups.map((g) => group(g.id, g.name))],
      views: [view('all', t('reports.filters.view_all')), view('past', t('reports.filters.view_past')), view('week', t('reports.filters.view_week')), view('month', t('reports.filters.view_month'))],
    },
    notice: parsed.ignored.length > 0 ? t('reports.notice_ignored', { names: parsed.ignored.map((n) => t(`reports.filters.${n}`)).join(', ') }) : undefined,
  };
}
