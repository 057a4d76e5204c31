import { formatSession } from '../courses/home.presenter';
import { formatLocale, Locale, Translate } from '../i18n/i18n';
import type { CalendarFeedState } from './calendar-feed.service';
import { SessionTiming, timingOf } from '../sessions/session-timing';
import type { Report, ReportCell, ReportRow, ReportSession, ReportStatus } from './report';
import type { RecordHint, StudentAttendance } from './student-view.service';

/** The student's own summary, chart and sessions, shaped for views/home/student.ejs. Pure. */

export interface StatusCountView { acronym: string; description: string; count: number }

export interface SummaryView {
  /** False when nothing counts yet: numbers are shown as "–" with a kind sentence. */
  hasGrade: boolean;
  earned: string;
  possible: string;
  percentage: string;
  taken: number;
  counts: StatusCountView[];
}

export interface ChartBarView { acronym: string; count: number; y: number; textY: number; width: number; countX: number }

/** A horizontal bar per status, in SVG user units (numbers only: the template writes them as attributes). */
export interface ChartView { width: number; height: number; labelX: number; barX: number; barHeight: number; ariaLabel: string; bars: ChartBarView[] }

export interface SessionRowView {
  id: string;
  when: string;
  description: string;
  group: string;
  acronym: string;
  statusDescription: string;
  /** "Not marked", "Not marked yet", or how an unmarked session counts. */
  note: string;
  remark: string;
  /** "Self-recorded" / "Auto-marked". */
  hint: string;
  /** The student has a record for this session (not merely one counted as the automatic status). */
  recorded: boolean;
}

/** How many upcoming sessions the home lists before "Show all N". */
export const UPCOMING_SHOWN = 5;

/**
 * Split by session-timing.ts: past = ended (most recent first), now = running, upcoming = not
 * started (soonest first; the first UPCOMING_SHOWN in upcomingFirst, the others in upcomingRest).
 */
export interface StudentAttendanceView {
  summary: SummaryView;
  chart?: ChartView;
  past: SessionRowView[];
  now: SessionRowView[];
  upcoming: SessionRowView[];
  upcomingFirst: SessionRowView[];
  upcomingRest: SessionRowView[];
}

export interface PresentOptions { userId: string; now: Date; locale: Locale; t: Translate }

const CHART = { width: 360, row: 30, barHeight: 18, labelX: 36, barX: 44, barMax: 260 } as const;

function acronymDescriptions(report: Report): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of report.statusById.values()) if (!out.has(s.acronym)) out.set(s.acronym, s.description);
  return out;
}

function summaryOf(row: ReportRow | undefined, report: Report, locale: Locale): SummaryView {
  const numbers = new Intl.NumberFormat(formatLocale(locale), { maximumFractionDigits: 2 });
  const percent = new Intl.NumberFormat(formatLocale(locale), { style: 'percent', maximumFractionDigits: 1 });
  const descriptions = acronymDescriptions(report);
  const counts = row?.countsByAcronym ?? {};
  const acronyms = [...report.acronyms, ...Object.keys(counts).filter((a) => !report.acronyms.includes(a))];
  const percentage = row?.summary.percentage ?? null;
  return {
    hasGrade: percentage !== null,
    earned: row && percentage !== null ? numbers.format(row.summary.earned) : '–',
    possible: row && percentage !== null ? numbers.format(row.summary.possible) : '–',
    percentage: percentage !== null ? percent.format(percentage / 100) : '–',
    taken: row?.summary.taken ?? 0,
    counts: acronyms.map((acronym) => ({ acronym, description: descriptions.get(acronym) ?? '', count: counts[acronym] ?? 0 })),
  };
}

/** No chart when nothing is counted yet: a row of empty bars says nothing. */
export function chartOf(counts: StatusCountView[], t: Translate): ChartView | undefined {
  const max = Math.max(0, ...counts.map((c) => c.count));
  if (max === 0) return undefined;
  const bars = counts.map((c, i) => {
    const width = Math.round((c.count / max) * CHART.barMax);
    const y = 5 + i * CHART.row;
    return { acronym: c.acronym, count: c.count, y, textY: y + CHART.barHeight - 4, width, countX: CHART.barX + width + 6 };
  });
  const list = counts.map((c) => `${c.acronym}${c.description ? ` ${c.description}` : ''}: ${c.count}`).join(', ');
  return {
    width: CHART.width, height: counts.length * CHART.row + 10, labelX: CHART.labelX, barX: CHART.barX, barHeight: CHART.barHeight,
    ariaLabel: t('student_view.chart.label', { list }), bars,
  };
}

function statusOf(cell: ReportCell, session: ReportSession, statusById: ReadonlyMap<string, ReportStatus>, now: Date, t: Translate) {
  const recorded = cell.statusId ? statusById.get(cell.statusId) : undefined;
  if (cell.statusId) return { acronym: recorded?.acronym ?? '?', statusDescription: recorded?.description ?? '', note: '' };
  const counted = cell.countedStatusId ? statusById.get(cell.countedStatusId) : undefined;
  if (counted) return { acronym: counted.acronym, statusDescription: counted.description, note: t('student_view.sessions.counted_auto') };
  const ended = timingOf(session, now) === 'past';
  return { acronym: '', statusDescription: '', note: t(ended ? 'student_view.sessions.not_marked' : 'student_view.sessions.not_marked_yet') };
}

function hintText(hint: RecordHint | undefined, t: Translate): string {
  if (hint === 'self') return t('student_view.sessions.self_recorded');
  if (hint === 'auto') return t('student_view.sessions.auto_marked');
  return '';
}

export function toStudentAttendanceView(data: StudentAttendance, o: PresentOptions): StudentAttendanceView {
  const { report, activity, groups } = data.loaded;
  // The report was loaded for this student only; the find is a second guard against anyone else's row.
  const row = report.rows.find((r) => r.student.userId === o.userId);
  const groupNames = new Map(groups.map((g) => [g.id, g.name]));
  const summary = summaryOf(row, report, o.locale);
  const byTiming: Record<SessionTiming, Array<{ at: number; view: SessionRowView }>> = { past: [], now: [], later: [] };
  report.sessions.forEach((session, i) => {
    const cell = row?.cells[i];
    if (!cell || (!cell.inAudience && !cell.statusId)) return;
    const line = formatSession(session, activity.timezone, o.locale);
    const groupName = session.audience.kind === 'group' ? groupNames.get(session.audience.groupId ?? '') : undefined;
    const timing = timingOf(session, o.now);
    const started = timing !== 'later';
    const view: SessionRowView = {
      id: session.id, when: line.when, description: line.description, group: groupName ? o.t('student_view.sessions.group', { name: groupName }) : '',
      ...(started || cell.statusId ? statusOf(cell, session, report.statusById, o.now, o.t) : { acronym: '', statusDescription: '', note: '' }),
      remark: cell.remark ?? '', hint: hintText(data.hints.get(session.id), o.t), recorded: Boolean(cell.statusId),
    };
    byTiming[timing].push({ at: session.startsAt.getTime(), view });
  });
  const upcoming = byTiming.later.sort((a, b) => a.at - b.at).map((x) => x.view);
  return {
    summary,
    chart: chartOf(summary.counts, o.t),
    past: byTiming.past.sort((a, b) => b.at - a.at).map((x) => x.view),
    now: byTiming.now.sort((a, b) => a.at - b.at).map((x) => x.view),
    upcoming,
    upcomingFirst: upcoming.slice(0, UPCOMING_SHOWN),
    upcomingRest: upcoming.slice(UPCOMING_SHOWN),
  };
}

export interface CalendarCardView {
  action: string;
  active: boolean;
  url?: string;
  createdOn: string;
  lastUsed: string;
  /** The confirmation after create / renew / turn off, translated; '' for none. */
  flash: string;
}

export function toCalendarCard(state: CalendarFeedState, o: { activityId: string; timezone: string; locale: Locale; t: Translate; flash: unknown }): CalendarCardView {
  const day = (d: Date) => new Intl.DateTimeFormat(formatLocale(o.locale), { timeZone: o.timezone, day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
  return {
    action: studentCalendarPath(o.activityId),
    active: state.active,
    url: state.url,
    createdOn: state.createdAt ? day(state.createdAt) : '',
    lastUsed: state.lastUsedAt ? o.t('student_view.calendar.last_used', { date: day(state.lastUsedAt) }) : o.t('student_view.calendar.never_used'),
    flash: flashText(o.flash, o.t),
  };
}

function flashText(flash: unknown, t: Translate): string {
  if (flash === 'created') return t('student_view.calendar.flash_created');
  if (flash === 'renewed') return t('student_view.calendar.flash_renewed');
  if (flash === 'revoked') return t('student_view.calendar.flash_revoked');
  return '';
}

export const studentCalendarPath = (activityId: string) => `/activity/${activityId}/student/calendar`;
