import {
  hasAtMostTwoDecimals, isLastVisible, normaliseStatuses, StatusDraft, StatusSetDraft, validateStatusSet, withoutStatus,
} from '../../../src/status-sets/status-rules';

let next = 0;
function status(over: Partial<StatusDraft> = {}): StatusDraft {
  next += 1;
  return {
    key: String(next),
    acronym: `S${next}`,
    description: 'Something',
    points: 1,
    order: next,
    visible: true,
    studentPick: { mode: 'never' },
    ...over,
  };
}

function set(statuses: StatusDraft[], over: Partial<StatusSetDraft> = {}): StatusSetDraft {
  return { name: 'Lectures', statuses, autoKey: null, ...over };
}

describe('points with at most two decimals', () => {
  it.each([
    [0, true], [2, true], [1.5, true], [0.25, true], [0.07, true], [9999.99, true], [1.234, false], [0.001, false], [2.005, false],
  ])('when points are %p, then allowed is %p', (points, allowed) => {
    expect(hasAtMostTwoDecimals(points)).toBe(allowed);
  });
});

describe('validating one status', () => {
  it.each<[string, Partial<StatusDraft>, string, string]>([
    ['the acronym is empty', { acronym: '  ' }, 'acronym', 'status_sets.errors.acronym_length'],
    ['the acronym has 5 characters', { acronym: 'ABCDE' }, 'acronym', 'status_sets.errors.acronym_length'],
    ['the description is empty', { description: '' }, 'description', 'status_sets.errors.description_length'],
    ['the description has 61 characters', { description: 'x'.repeat(61) }, 'description', 'status_sets.errors.description_length'],
    ['points have 3 decimals', { points: 1.234 }, 'points', 'status_sets.errors.points_decimals'],
    ['points are negative', { points: -1 }, 'points', 'status_sets.errors.points_range'],
    ['points exceed 9999.99', { points: 10000 }, 'points', 'status_sets.errors.points_range'],
    ['the order is not whole', { order: 1.5 }, 'order', 'status_sets.errors.order_integer'],
    ['"within" has no minutes', { studentPick: { mode: 'within' } }, 'pickMinutes', 'status_sets.errors.minutes_required'],
    ['"within" has 0 minutes', { studentPick: { mode: 'within', minutes: 0 } }, 'pickMinutes', 'status_sets.errors.minutes_range'],
    ['"within" has 1441 minutes', { studentPick: { mode: 'within', minutes: 1441 } }, 'pickMinutes', 'status_sets.errors.minutes_range'],
  ])('when %s, then that field is refused', (_name, over, field, key) => {
    const s = status(over);
    expect(validateStatusSet(set([s]))).toEqual({ [`statuses.${s.key}.${field}`]: key });
  });

  it.each<[string, Partial<StatusDraft>]>([
    ['a 4-character acronym', { acronym: 'ABCD' }],
    ['a Latvian acronym typed decomposed', { acronym: 'A\u0304B' }],
    ['a 60-character description', { description: 'y'.repeat(60) }],
    ['points 0', { points: 0 }],
    ['points 9999.99', { points: 9999.99 }],
    ['no order (goes last)', { order: undefined }],
    ['"within" 1440 minutes', { studentPick: { mode: 'within', minutes: 1440 } }],
    ['"never" with stray minutes', { studentPick: { mode: 'never', minutes: 99999 } }],
  ])('when a status has %s, then it is accepted', (_name, over) => {
    expect(validateStatusSet(set([status(over)]))).toEqual({});
  });
});

describe('validating the whole set', () => {
  it('when two statuses share an acronym ignoring case, then the later one is marked', () => {
    const first = status({ acronym: 'P' });
    const second = status({ acronym: ' p ' });
    expect(validateStatusSet(set([first, second]))).toEqual({ [`statuses.${second.key}.acronym`]: 'status_sets.errors.acronym_duplicate' });
  });

  it('when every status is hidden, then the set is refused', () => {
    expect(validateStatusSet(set([status({ visible: false })]))).toEqual({ statuses: 'status_sets.errors.no_visible' });
  });

  it('when the automatic status is hidden, then it is refused', () => {
    const hidden = status({ visible: false });
    expect(validateStatusSet(set([status(), hidden], { autoKey: hidden.key }))).toEqual({ autoStatus: 'status_sets.errors.auto_not_visible' });
  });

  it('when the automatic status is not in the set, then it is refused', () => {
    expect(validateStatusSet(set([status()], { autoKey: 'elsewhere' }))).toEqual({ autoStatus: 'status_sets.errors.auto_not_visible' });
  });

  it('when the automatic status is a shown status or none, then it is accepted', () => {
    const a = status();
    expect(validateStatusSet(set([a], { autoKey: a.key }))).toEqual({});
    expect(validateStatusSet(set([a], { autoKey: null }))).toEqual({});
  });

  it('when the name is empty or longer than 60 characters, then it is refused', () => {
    expect(validateStatusSet(set([status()], { name: ' ' }))).toEqual({ name: 'status_sets.errors.name_length' });
    expect(validateStatusSet(set([status()], { name: 'n'.repeat(61) }))).toEqual({ name: 'status_sets.errors.name_length' });
  });

  it('when a set has more than 30 statuses, then it is refused', () => {
    const many = Array.from({ length: 31 }, () => status());
    expect(validateStatusSet(set(many)).statuses).toBe('status_sets.errors.too_many_statuses');
  });

  it('when several rows have problems, then every problem is reported at once', () => {
    const a = status({ acronym: '' });
    const b = status({ points: 1.234, studentPick: { mode: 'within' } });
    expect(Object.keys(validateStatusSet(set([a, b])))).toEqual(
      expect.arrayContaining([`statuses.${a.key}.acronym`, `statuses.${b.key}.points`, `statuses.${b.key}.pickMinutes`]),
    );
  });
});

describe('normalising before storing', () => {
  it('when orders are sparse or tied, then they are renumbered 1..n by order then acronym', () => {
    const out = normaliseStatuses([
      status({ acronym: 'Z', order: 10 }),
      status({ acronym: 'b', order: 3 }),
      status({ acronym: 'A', order: 3 }),
      status({ acronym: 'N', order: undefined }),
    ]);
    expect(out.map((s) => [s.acronym, s.order])).toEqual([['A', 1], ['b', 2], ['Z', 3], ['N', 4]]);
  });

  it('when texts have spaces and points float noise, then they are trimmed and rounded to cents', () => {
    const [out] = normaliseStatuses([status({ acronym: ' L ', description: ' Late ', points: 0.1 + 0.2 })]);
    expect(out).toMatchObject({ acronym: 'L', description: 'Late', points: 0.3 });
  });

  it('when the pick mode is not "within", then minutes are dropped', () => {
    const [never, within] = normaliseStatuses([
      status({ order: 1, studentPick: { mode: 'never', minutes: 5 } }),
      status({ order: 2, studentPick: { mode: 'within', minutes: 15 } }),
    ]);
    expect(never?.studentPick).toEqual({ mode: 'never' });
    expect(within?.studentPick).toEqual({ mode: 'within', minutes: 15 });
  });
});

describe('deleting a status', () => {
  const stored = [
    { _id: 'p', order: 1, visible: true },
    { _id: 'l', order: 2, visible: false },
    { _id: 'a', order: 3, visible: true },
  ];

  it('when the automatic status is deleted, then the set has no automatic status and orders close the gap', () => {
    expect(withoutStatus(stored, 'a', 'l')).toEqual({
      statuses: [{ _id: 'p', order: 1, visible: true }, { _id: 'a', order: 2, visible: true }],
      autoStatusId: 'a',
    });
    expect(withoutStatus(stored, 'a', 'a').autoStatusId).toBeNull();
  });

  it('when a status is the only shown one, then it counts as the last visible', () => {
    expect(isLastVisible(stored, 'p')).toBe(false);
    expect(isLastVisible([{ _id: 'p', visible: true }, { _id: 'l', visible: false }], 'p')).toBe(true);
    expect(isLastVisible([{ _id: 'p', visible: true }, { _id: 'l', visible: false }], 'l')).toBe(false);
  });
});
