import { allowedStatuses, automaticStatus, CheckInStatus } from '../../../src/check-in/status-choice';

const MIN = 60_000;
const start = new Date('2025-03-10T09:00:00Z');
const t = start.getTime();

function status(acronym: string, order: number, over: Partial<CheckInStatus> = {}): CheckInStatus {
  return { id: acronym, acronym, order, visible: true, studentPick: { mode: 'always' }, ...over };
}

const defaults = [status('A', 4, { studentPick: { mode: 'never' } }), status('P', 1), status('L', 2), status('E', 3, { studentPick: { mode: 'never' } })];

describe('automatic status (late after 10 minutes)', () => {
  it.each<[string, number, string | undefined]>([
    ['before the start', -5 * MIN, 'P'],
    ['exactly at start + 10 min', 10 * MIN, 'P'],
    ['1 ms after start + 10 min', 10 * MIN + 1, 'L'],
    ['an hour after the start', 60 * MIN, 'L'],
  ])('when checking in %s, then the status is %p', (_label, offset, expected) => {
    expect(automaticStatus(defaults, 10, start, t + offset)?.id).toBe(expected);
  });

  it('when late after 0 minutes, then Present only at the exact start', () => {
    expect(automaticStatus(defaults, 0, start, t)?.id).toBe('P');
    expect(automaticStatus(defaults, 0, start, t + 1)?.id).toBe('L');
  });

  it('when acronyms are lower case, then they are still found', () => {
    const set = [status('l', 1), status('p', 2)];
    expect(automaticStatus(set, 10, start, t)?.id).toBe('p');
    expect(automaticStatus(set, 10, start, t + 11 * MIN)?.id).toBe('l');
  });

  it('when the set has no P and no L, then the first and second visible statuses by order are used', () => {
    const set = [status('Z', 3), status('X', 1), status('H', 0, { visible: false }), status('Y', 2)];
    expect(automaticStatus(set, 10, start, t)?.id).toBe('X');
    expect(automaticStatus(set, 10, start, t + 11 * MIN)?.id).toBe('Y');
  });

  it('when the set has P but no L, then Late is the first other visible status', () => {
    const set = [status('X', 1), status('P', 2)];
    expect(automaticStatus(set, 10, start, t + 11 * MIN)?.id).toBe('X');
  });

  it('when P or L is hidden, then it is not used', () => {
    const set = [status('P', 1, { visible: false }), status('X', 2), status('L', 3, { visible: false }), status('Y', 4)];
    expect(automaticStatus(set, 10, start, t)?.id).toBe('X');
    expect(automaticStatus(set, 10, start, t + 11 * MIN)?.id).toBe('Y');
  });

  it('when only one status is visible, then there is none for late students', () => {
    const set = [status('P', 1), status('L', 2, { visible: false })];
    expect(automaticStatus(set, 10, start, t)?.id).toBe('P');
    expect(automaticStatus(set, 10, start, t + 11 * MIN)).toBeUndefined();
  });

  it('when no status is visible, then nothing fits', () => {
    expect(automaticStatus([status('P', 1, { visible: false })], 10, start, t)).toBeUndefined();
  });
});

describe('statuses a student may choose', () => {
  const set = [
    status('L', 2),
    status('P', 1, { studentPick: { mode: 'within', minutes: 10 } }),
    status('E', 3, { studentPick: { mode: 'never' } }),
    status('H', 4, { visible: false }),
  ];
  const ids = (offset: number) => allowedStatuses(set, start, t + offset).map((s) => s.id);

  it.each<[string, number, string[]]>([
    ['before the start', -5 * MIN, ['P', 'L']],
    ['start + 10 min - 1 ms', 10 * MIN - 1, ['P', 'L']],
    ['exactly start + 10 min', 10 * MIN, ['L']],
    ['later', 30 * MIN, ['L']],
  ])('when it is %s, then the choices are %p', (_label, offset, expected) => {
    expect(ids(offset)).toEqual(expected);
  });

  it('when a status is "within" without minutes, then it is never offered', () => {
    expect(allowedStatuses([status('P', 1, { studentPick: { mode: 'within' } })], start, t)).toEqual([]);
  });
});
