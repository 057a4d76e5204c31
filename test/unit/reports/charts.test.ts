import { DEFAULT_GRADE_OPTIONS, maxPointsOf, RuleSet } from '../../../src/grading/grade-rule';
import { barChart, columnChart, distributionChartView, rateChartView, sessionRates } from '../../../src/reports/charts';
import { buildReport, ReportStatus } from '../../../src/reports/report';

const PAD = { top: 10, right: 0, bottom: 10, left: 40 };

describe('columnChart (attendance rate per session)', () => {
  // Plot: x 40…140, y 10…110 (100 × 100 units); 4 slots of 25, columns 70 % of a slot wide.
  const g = columnChart([0, 50, 100, null], { width: 140, height: 120, max: 100, ticks: [0, 50, 100, 150], threshold: 70, padding: PAD });

  it('when values are given, then each column rises from the baseline in proportion to its value', () => {
    expect(g.plot).toEqual({ x: 40, y: 10, width: 100, height: 100 });
    expect(g.bars.map((b) => [b.x, b.y, b.width, b.height])).toEqual([
      [43.75, 110, 17.5, 0],
      [68.75, 60, 17.5, 50],
      [93.75, 10, 17.5, 100],
      [118.75, 110, 17.5, 0],
    ]);
  });

  it('when a value is missing, then its column has no value and no height (nothing is drawn)', () => {
    expect(g.bars[3]).toMatchObject({ value: null, height: 0 });
  });

  it('when ticks and a threshold are given, then gridlines within the scale and the threshold line sit at their heights', () => {
    expect(g.gridlines).toEqual([{ y: 110, value: 0 }, { y: 60, value: 50 }, { y: 10, value: 100 }]);
    expect(g.threshold).toEqual({ y: 40, value: 70 });
  });

  it('when a value is outside 0…max, then it is clamped', () => {
    const c = columnChart([120, -5], { width: 140, height: 120, max: 100, ticks: [], padding: PAD });
    expect(c.bars.map((b) => [b.value, b.height])).toEqual([[100, 100], [0, 0]]);
  });

  it('when there are many sessions, then columns stay at least 1 unit wide and at most 8 get a date label', () => {
    const many = columnChart(Array.from({ length: 100 }, () => 50), { width: 140, height: 120, max: 100, ticks: [], padding: PAD });
    expect(many.labelled.map((l) => l.index)).toEqual([0, 13, 26, 39, 52, 65, 78, 91]);
    const lots = columnChart(Array.from({ length: 1000 }, () => 50), { width: 140, height: 120, max: 100, ticks: [], padding: PAD });
    expect(lots.bars[0]?.width).toBe(1);
  });

  it('when there is a single session, then its column is capped at 48 units wide and centred', () => {
    const one = columnChart([80], { width: 540, height: 120, max: 100, ticks: [], padding: PAD });
    expect(one.bars[0]).toMatchObject({ x: 266, width: 48, y: 30, height: 80 });
  });
});

describe('barChart (status distribution)', () => {
  it('when values are given, then bars are scaled to the largest, one row each, with the value after the bar', () => {
    const g = barChart([6, 2, 0], { width: 300, rowHeight: 30, labelWidth: 50, valueWidth: 50 });
    expect(g.height).toBe(98);
    expect(g.labelX).toBe(42);
    expect(g.bars.map((b) => [b.x, b.y, b.width, b.height, b.textY, b.valueX])).toEqual([
      [50, 8.5, 200, 21, 19, 256],
      [50, 38.5, 66.67, 21, 49, 122.67],
      [50, 68.5, 0, 21, 79, 56],
    ]);
  });

  it('when every value is zero, then no bar has a length', () => {
    expect(barChart([0, 0], { width: 300, rowHeight: 30, labelWidth: 50 }).bars.map((b) => b.width)).toEqual([0, 0]);
  });
});

const texts = { t: (key: string, vars?: Record<string, string | number>) => `${key} ${JSON.stringify(vars ?? {})}`, percent: (v: number | null) => (v === null ? '–' : `${v.toFixed(1)} %`), number: (n: number) => String(n) };

describe('chart view models', () => {
  it('when some sessions have a rate, then the label sums up lowest, highest and how many are below the threshold; the table lists all', () => {
    const v = rateChartView([
      { when: 'Mon', shortDay: '02.03.', description: 'A', rate: 50 },
      { when: 'Wed', shortDay: '04.03.', description: 'B', rate: 90 },
      { when: 'Fri', shortDay: '06.03.', description: 'C', rate: null },
    ], 70, texts);
    expect(v.label).toBe('reports.charts.rate_summary {"count":3,"min":"50.0 %","max":"90.0 %","below":1,"threshold":"70"}');
    expect(v.bars).toHaveLength(2);
    expect(v.bars[0]?.title).toBe('Mon: 50.0 %');
    expect(v.table.map((r) => r.rate)).toEqual(['50.0 %', '90.0 %', '–']);
    expect(v.threshold?.text).toBe('reports.charts.threshold {"threshold":"70"}');
  });

  it('when no session has a rate, then the label says so', () => {
    expect(rateChartView([{ when: 'Mon', shortDay: '', description: '', rate: null }], 70, texts).label).toBe('reports.charts.rate_none {"count":1}');
  });

  it('when statuses are counted, then each gets a bar, its share and the unmarked bar its own class', () => {
    const v = distributionChartView([{ name: 'P', description: 'Present', count: 3 }, { name: '?', description: 'Not marked', count: 1, unmarked: true }], texts);
    expect(v.label).toBe('reports.charts.distribution_summary {"list":"P 3, ? 1"}');
    expect(v.table.map((r) => r.share)).toEqual(['75.0 %', '25.0 %']);
    expect(v.bars.map((b) => b.c)).toEqual(['', 'bar--unmarked']);
  });
});

describe('sessionRates: the grade rule applied to one session', () => {
  const st = (id: string, acronym: string, points: number, order: number, excused = false): ReportStatus => ({ id, acronym, description: acronym, points, order, excused });
  const statuses = [st('P', 'P', 2, 1), st('L', 'L', 1, 2), st('E', 'E', 1, 3, true), st('A', 'A', 0, 4)];
  const set = { id: 'd', statuses, maxPoints: maxPointsOf(statuses), autoStatusId: 'A' };
  const sets = new Map<string, RuleSet>([['d', set]]);
  const students = ['a', 'b', 'c', 'd'].map((userId) => ({ userId, givenName: userId, familyName: userId, name: userId, active: true, joinedAt: new Date('2026-01-01') }));
  const build = (countUnmarkedAsAuto: boolean) => buildReport({
    students,
    sessions: [{ id: 's1', startsAt: new Date('2026-03-02T08:00:00Z'), durationMinutes: 60, description: '', audience: { kind: 'all' }, statusSetId: 'd' },
      { id: 's2', startsAt: new Date('2026-03-04T08:00:00Z'), durationMinutes: 60, description: '', audience: { kind: 'all' }, statusSetId: 'd' }],
    records: [{ sessionId: 's1', userId: 'a', statusId: 'P', remark: '' }, { sessionId: 's1', userId: 'b', statusId: 'L', remark: '' }, { sessionId: 's1', userId: 'c', statusId: 'E', remark: '' }],
    sets: [set], groups: new Map(), options: { ...DEFAULT_GRADE_OPTIONS, countUnmarkedAsAuto }, now: new Date('2026-03-20T00:00:00Z'),
  });

  it('when three of four are marked P, L, E, then the rate is (2 + 1 + 1) ÷ (3 × 2) and a session without marks has none', () => {
    expect(sessionRates(build(false), sets, DEFAULT_GRADE_OPTIONS).map((r) => r && Math.round(r * 10) / 10)).toEqual([66.7, null]);
  });

  it('when excused marks are excluded, then E counts in neither sum: (2 + 1) ÷ (2 × 2)', () => {
    expect(sessionRates(build(false), sets, { countUnmarkedAsAuto: false, excludeExcused: true })[0]).toBe(75);
  });

  it('when unmarked ended sessions count as A, then the unmarked student adds 0 of 2: 4 ÷ 8, and the empty session is 0 %', () => {
    const options = { countUnmarkedAsAuto: true, excludeExcused: false };
    expect(sessionRates(build(true), sets, options)).toEqual([50, 0]);
  });
});
