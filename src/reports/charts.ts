/**
 * Chart geometry for the report page, pure: numbers in, SVG coordinates out. The page draws
 * the shapes with escaped attributes in an .ejs partial (no client library, no CDN: the CSP
 * and offline installs forbid them), so the charts work without JavaScript.
 */
import { summarize, type GradeOptions, type RuleSet } from '../grading/grade-rule';
import type { Report } from './report';

/** Two decimals are plenty for SVG user units and keep the markup short. */
const r2 = (x: number): number => Math.round(x * 100) / 100;

export interface Box { x: number; y: number; width: number; height: number }

export interface ColumnBar extends Box {
  index: number;
  /** The value drawn (already clamped to 0…max); null = nothing to draw (no data). */
  value: number | null;
}

export interface Gridline { y: number; value: number }

export interface ColumnChartGeometry {
  width: number;
  height: number;
  plot: Box;
  bars: ColumnBar[];
  gridlines: Gridline[];
  /** A reference line (the report threshold), when given and within the scale. */
  threshold?: { y: number; value: number };
  /** Indices of the bars that get an axis label, at most `maxLabels`, first and evenly spaced. */
  labelled: Array<{ index: number; x: number }>;
}

export interface ColumnChartOptions {
  width: number;
  height: number;
  max: number;
  ticks: readonly number[];
  threshold?: number;
  /** Room for the axis labels: left (values) and bottom (dates). */
  padding?: { top: number; right: number; bottom: number; left: number };
  maxLabels?: number;
}

const DEFAULT_PADDING = { top: 10, right: 8, bottom: 28, left: 40 };

/** One column per value, equally spaced in the given order (sessions in time order). */
export function columnChart(values: ReadonlyArray<number | null>, opts: ColumnChartOptions): ColumnChartGeometry {
  const pad = opts.padding ?? DEFAULT_PADDING;
  const plot: Box = { x: pad.left, y: pad.top, width: opts.width - pad.left - pad.right, height: opts.height - pad.top - pad.bottom };
  const scaleY = (v: number) => r2(plot.y + plot.height * (1 - Math.min(Math.max(v, 0), opts.max) / opts.max));
  const n = values.length;
  const slot = n > 0 ? plot.width / n : plot.width;
  // A gap between columns while there is room; hairline columns (≥ 1 unit) for many sessions.
  const barWidth = Math.max(1, Math.min(slot * 0.7, 48));
  const bars = values.map((value, index) => {
    const x = r2(plot.x + index * slot + (slot - barWidth) / 2);
    if (value === null || !Number.isFinite(value)) return { index, value: null, x, y: r2(plot.y + plot.height), width: r2(barWidth), height: 0 };
    const clamped = Math.min(Math.max(value, 0), opts.max);
    const y = scaleY(clamped);
    return { index, value: clamped, x, y, width: r2(barWidth), height: r2(plot.y + plot.height - y) };
  });
  const maxLabels = Math.max(1, opts.maxLabels ?? 8);
  const every = Math.max(1, Math.ceil(n / maxLabels));
  const labelled = bars.filter((b) => b.index % every === 0).map((b) => ({ index: b.index, x: r2(b.x + b.width / 2) }));
  const threshold = opts.threshold !== undefined && opts.threshold >= 0 && opts.threshold <= opts.max ? { y: scaleY(opts.threshold), value: opts.threshold } : undefined;
  return {
    width: opts.width, height: opts.height, plot, bars,
    gridlines: opts.ticks.filter((t) => t >= 0 && t <= opts.max).map((value) => ({ y: scaleY(value), value })),
    threshold, labelled,
  };
}

export interface HorizontalBar extends Box {
  index: number;
  value: number;
  /** Middle of the row, for the label on the left and the value after the bar. */
  textY: number;
  valueX: number;
}

export interface BarChartGeometry {
  width: number;
  height: number;
  labelX: number;
  bars: HorizontalBar[];
}

export interface BarChartOptions {
  width: number;
  rowHeight: number;
  labelWidth: number;
  /** Room on the right for the value printed after the longest bar. */
  valueWidth?: number;
  top?: number;
}

/** Horizontal bars, one row per value, scaled to the largest value (all zero → no bar lengths). */
export function barChart(values: readonly number[], opts: BarChartOptions): BarChartGeometry {
  const top = opts.top ?? 4;
  const valueWidth = opts.valueWidth ?? 56;
  const plotWidth = Math.max(1, opts.width - opts.labelWidth - valueWidth);
  const max = values.reduce((m, v) => Math.max(m, v), 0);
  const barHeight = r2(opts.rowHeight * 0.7);
  const bars = values.map((raw, index) => {
    const value = Math.max(0, Number.isFinite(raw) ? raw : 0);
    const y = r2(top + index * opts.rowHeight + (opts.rowHeight - barHeight) / 2);
    const width = max > 0 ? r2((value / max) * plotWidth) : 0;
    return { index, value, x: opts.labelWidth, y, width, height: barHeight, textY: r2(top + index * opts.rowHeight + opts.rowHeight / 2), valueX: r2(opts.labelWidth + width + 6) };
  });
  return { width: opts.width, height: r2(top * 2 + values.length * opts.rowHeight), labelX: opts.labelWidth - 8, bars };
}

/* ---- The data of the rate chart ---- */

/**
 * Attendance rate of each session for the chart: the grade rule applied to one column —
 * points of the statuses that count (recorded, or automatic where the activity says so) ÷ the
 * maximum points of those students, excused left out when the activity excludes them.
 */
export function sessionRates(report: Report, sets: ReadonlyMap<string, RuleSet>, options: GradeOptions): Array<number | null> {
  return report.sessions.map((session, i) => {
    const column = report.rows.flatMap((r) => {
      const id = r.cells[i]?.countedStatusId;
      return id === undefined ? [] : [{ statusSetId: session.statusSetId, ended: false, statusId: id }];
    });
    return summarize(column, sets, options).percentage;
  });
}

/* ---- The report's two charts as view models: geometry plus every label, already translated. ---- */

export interface ChartTexts {
  t: (key: string, vars?: Record<string, string | number>) => string;
  /** "66.7 %", or "–" for no value. */
  percent: (value: number | null) => string;
  number: (value: number) => string;
}

export interface RateChartView {
  width: number;
  height: number;
  label: string;
  plot: Box;
  /** Where the value labels end (left of the plot), the plot's right edge, the date labels' baseline. */
  axisX: number;
  plotRight: number;
  xLabelY: number;
  bars: Array<Box & { title: string }>;
  yLabels: Array<{ y: number; text: string }>;
  xLabels: Array<{ x: number; text: string }>;
  threshold?: { y: number; labelY: number; text: string };
  table: Array<{ when: string; description: string; rate: string }>;
}

export interface DistributionChartView {
  width: number;
  height: number;
  label: string;
  labelX: number;
  bars: Array<Box & { textY: number; valueX: number; name: string; value: string; c: string }>;
  table: Array<{ name: string; description: string; count: string; share: string }>;
}

export interface ChartsView { rate: RateChartView; distribution: DistributionChartView }

export interface RatePoint { when: string; shortDay: string; description: string; rate: number | null }

export function rateChartView(points: readonly RatePoint[], threshold: number, x: ChartTexts): RateChartView {
  const g = columnChart(points.map((p) => p.rate), { width: 720, height: 220, max: 100, ticks: [0, 25, 50, 75, 100], threshold });
  const rated = points.filter((p) => p.rate !== null).map((p) => p.rate as number);
  const label = rated.length === 0
    ? x.t('reports.charts.rate_none', { count: points.length })
    : x.t('reports.charts.rate_summary', { count: points.length, min: x.percent(Math.min(...rated)), max: x.percent(Math.max(...rated)), below: rated.filter((r) => r < threshold).length, threshold: x.number(threshold) });
  return {
    width: g.width, height: g.height, label, plot: g.plot,
    axisX: r2(g.plot.x - 6), plotRight: r2(g.plot.x + g.plot.width), xLabelY: r2(g.plot.y + g.plot.height + 18),
    bars: g.bars.filter((b) => b.value !== null).map((b) => ({ x: b.x, y: b.y, width: b.width, height: b.height, title: `${points[b.index]?.when ?? ''}: ${x.percent(b.value)}` })),
    yLabels: g.gridlines.map((l) => ({ y: l.y, text: `${l.value} %` })),
    xLabels: g.labelled.map((l) => ({ x: l.x, text: points[l.index]?.shortDay ?? '' })),
    threshold: g.threshold && { y: g.threshold.y, labelY: r2(g.threshold.y - 4), text: x.t('reports.charts.threshold', { threshold: x.number(threshold) }) },
    table: points.map((p) => ({ when: p.when, description: p.description, rate: x.percent(p.rate) })),
  };
}

export interface DistributionItem { name: string; description: string; count: number; unmarked?: boolean }

export function distributionChartView(items: readonly DistributionItem[], x: ChartTexts): DistributionChartView {
  const g = barChart(items.map((i) => i.count), { width: 720, rowHeight: 30, labelWidth: 64, valueWidth: 64 });
  const total = items.reduce((s, i) => s + i.count, 0);
  const share = (n: number) => x.percent(total > 0 ? (n / total) * 100 : null);
  return {
    width: g.width, height: g.height, labelX: g.labelX,
    label: total === 0 ? x.t('reports.charts.distribution_none') : x.t('reports.charts.distribution_summary', { list: items.map((i) => `${i.name} ${x.number(i.count)}`).join(', ') }),
    bars: g.bars.map((b) => ({ x: b.x, y: b.y, width: b.width, height: b.height, textY: b.textY, valueX: b.valueX, name: items[b.index]?.name ?? '', value: x.number(b.value), c: items[b.index]?.unmarked ? 'bar--unmarked' : '' })),
    table: items.map((i) => ({ name: i.name, description: i.description, count: x.number(i.count), share: share(i.count) })),
  };
}

/** Sets may share an acronym (P of two sets is one column): the first status's description names it. */
export function acronymDescriptions(report: Report): Map<string, string> {
  const out = new Map<string, string>();
  for (const st of report.statusById.values()) if (!out.has(st.acronym)) out.set(st.acronym, st.description);
  return out;
}

/** Both charts of the report. Status distribution = the recorded marks of the sessions shown, plus the unmarked of ended ones. */
export function reportCharts(report: Report, points: readonly RatePoint[], threshold: number, x: ChartTexts): ChartsView {
  const totals = new Map(report.acronyms.map((a) => [a, 0]));
  let unmarked = 0;
  for (const s of report.sessionSummaries) {
    for (const [a, n] of Object.entries(s.countsByAcronym)) totals.set(a, (totals.get(a) ?? 0) + n);
    if (s.ended) unmarked += s.unmarked;
  }
  const descriptions = acronymDescriptions(report);
  const items: DistributionItem[] = [...totals].map(([name, count]) => ({ name, description: descriptions.get(name) ?? '', count }));
  items.push({ name: '?', description: x.t('reports.charts.unmarked'), count: unmarked, unmarked: true });
  return { rate: rateChartView(points, threshold, x), distribution: distributionChartView(items, x) };
}
