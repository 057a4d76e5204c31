import { DateTime } from 'luxon';
import { formatLocale, Locale, Translate } from '../i18n/i18n';
import type { Report, ReportCell, ReportRow, ReportSession } from './report';

/**
 * The student grid's column headers, cells and mark legend, pure. Split from reports.presenter.ts.
 *
 * Headers: date and time alone cannot tell apart two sessions at the same time (issue #14), so
 * each header also shows the description cut to HEAD_DESCRIPTION_MAX characters (the full text
 * in the title and in visually-hidden text); sessions that would still share a header get the
 * audience (group name) and, if that is not enough either, "#2", "#3".
 *
 * Cells carry one-letter classes (the template prints them as they are; reports.css styles them):
 * o = a mark outside the student's sessions (before they joined, or not in the group): it counts;
 * u = not marked in an ended session; ua = the same, counted as the set's automatic status;
 * a = set by automatic marking; r = has a remark. A self-recorded mark gets a trailing "*", the
 * same marker as the export.
 */

export interface SessionHead {
  day: string;
  time: string;
  when: string;
  title: string;
  /** Short description (and a distinguishing suffix), '' when there is nothing to show. */
  label: string;
  /** The full description and suffix, for screen readers (the short label is aria-hidden). */
  labelFull: string;
}

export interface CellView { t: string; title: string; c: string }

export type MarkKind = 'teacher' | 'self' | 'auto' | 'remark' | 'outside' | 'unmarked' | 'counted' | 'empty';
export interface LegendEntry { kind: MarkKind; sample: string; c: string; text: string }

export const HEAD_DESCRIPTION_MAX = 24;
export const SELF_MARKER = '*';

/** "A long description of a lecture" → "A long description of a…" (by code points, never mid-pair). */
export function shorten(text: string, max = HEAD_DESCRIPTION_MAX): string {
  const chars = Array.from(text.trim());
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}

interface HeadFormats { locale: Locale; zone: string }

function baseHead(s: ReportSession, f: HeadFormats, audience: string): SessionHead {
  const start = DateTime.fromJSDate(s.startsAt, { zone: f.zone }).setLocale(formatLocale(f.locale));
  const end = start.plus({ minutes: s.durationMinutes });
  const full = `${start.toLocaleString({ weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' })}, ${start.toFormat('HH:mm')}–${end.toFormat('HH:mm')}`;
  const description = s.description.trim();
  return {
    day: start.toFormat('dd.LL.'), time: start.toFormat('HH:mm'), when: full, title: [full, audience, description].filter(Boolean).join(' · '),
    label: shorten(description), labelFull: description,
  };
}

const keyOf = (h: SessionHead) => `${h.day}\u0000${h.time}\u0000${h.label}`;

function repeats(heads: SessionHead[]): Map<string, number[]> {
  const byKey = new Map<string, number[]>();
  heads.forEach((h, i) => byKey.set(keyOf(h), [...(byKey.get(keyOf(h)) ?? []), i]));
  return new Map([...byKey].filter(([, list]) => list.length > 1));
}

const suffixed = (h: SessionHead, suffix: string): SessionHead => ({
  ...h, label: h.label ? `${h.label} · ${suffix}` : suffix, labelFull: h.labelFull ? `${h.labelFull} · ${suffix}` : suffix,
});

/** One header per session (aligned with `sessions`), no two alike. */
export function sessionHeads(sessions: readonly ReportSession[], audiences: readonly string[], f: HeadFormats): SessionHead[] {
  const heads = sessions.map((s, i) => baseHead(s, f, audiences[i] ?? ''));
  for (const list of repeats(heads).values()) {
    if (new Set(list.map((i) => audiences[i])).size > 1) for (const i of list) heads[i] = suffixed(heads[i]!, audiences[i] ?? '');
  }
  for (const list of repeats(heads).values()) list.forEach((i, n) => { heads[i] = suffixed(heads[i]!, `#${n + 1}`); });
  return heads;
}

const BLANK: CellView = Object.freeze({ t: '', title: '', c: '' });

/** One factory per page: every string a cell can show is made once, then shared by all cells. */
export function cellMaker(report: Report, t: Translate) {
  const unmarked: CellView = { t: '?', title: t('reports.cell.unmarked'), c: 'u' };
  const notYet: CellView = { t: '', title: t('reports.cell.not_yet'), c: '' };
  const selfNote = t('reports.cell.self');
  const autoNote = t('reports.cell.auto');
  const countedAs = new Map<string, CellView>();
  return (cell: ReportCell, ended: boolean): CellView => {
    if (cell.statusId !== undefined) {
      const status = report.statusById.get(cell.statusId);
      const notes = [status?.description ?? '', cell.origin === 'self' ? selfNote : cell.origin === 'auto' ? autoNote : '', cell.remark ?? ''];
      const classes = [cell.inAudience ? '' : 'o', cell.origin === 'auto' ? 'a' : '', cell.remark ? 'r' : ''].filter(Boolean).join(' ');
      return { t: `${status?.acronym ?? '?'}${cell.origin === 'self' ? SELF_MARKER : ''}`, title: notes.filter(Boolean).join(' — '), c: classes };
    }
    if (!cell.inAudience) return BLANK;
    if (!ended) return notYet;
    if (!cell.countedStatusId) return unmarked;
    let view = countedAs.get(cell.countedStatusId);
    if (!view) {
      view = { t: '?', title: t('reports.cell.unmarked_counted', { acronym: report.statusById.get(cell.countedStatusId)?.acronym ?? '' }), c: 'u ua' };
      countedAs.set(cell.countedStatusId, view);
    }
    return view;
  };
}

const ORDER: MarkKind[] = ['teacher', 'self', 'auto', 'remark', 'outside', 'unmarked', 'counted', 'empty'];

/** What the shown rows' cells use, so the legend explains exactly the styles on the page. */
function kindsUsed(report: Report, rows: readonly ReportRow[]): { kinds: Set<MarkKind>; counted: Set<string> } {
  const kinds = new Set<MarkKind>();
  const counted = new Set<string>();
  const ended = report.sessionSummaries.map((s) => s.ended);
  for (const row of rows) {
    row.cells.forEach((cell, i) => {
      if (cell.statusId !== undefined) {
        kinds.add(cell.origin ?? 'teacher');
        if (cell.remark) kinds.add('remark');
        if (!cell.inAudience) kinds.add('outside');
      } else if (!cell.inAudience || !ended[i]) kinds.add('empty');
      else if (cell.countedStatusId) {
        kinds.add('counted');
        counted.add(report.statusById.get(cell.countedStatusId)?.acronym ?? '');
      } else kinds.add('unmarked');
    });
  }
  return { kinds, counted };
}

/** One line per mark style the grid shows: a sample drawn like the cells, and what it means for the grade. */
export function markLegend(report: Report, rows: readonly ReportRow[], t: Translate): LegendEntry[] {
  const { kinds, counted } = kindsUsed(report, rows);
  const acronym = report.acronyms[0] ?? 'P';
  const samples: Record<MarkKind, { sample: string; c: string }> = {
    teacher: { sample: acronym, c: '' }, self: { sample: `${acronym}${SELF_MARKER}`, c: '' }, auto: { sample: acronym, c: 'a' },
    remark: { sample: acronym, c: 'r' }, outside: { sample: acronym, c: 'o' }, unmarked: { sample: '?', c: 'u' }, counted: { sample: '?', c: 'u ua' }, empty: { sample: '', c: 'e' },
  };
  return ORDER.filter((k) => kinds.has(k)).map((kind) => ({
    kind, ...samples[kind], text: t(`reports.legend.${kind}`, kind === 'counted' ? { acronym: [...counted].filter(Boolean).join(', ') } : {}),
  }));
}
