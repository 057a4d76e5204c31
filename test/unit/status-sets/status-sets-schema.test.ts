import { fieldErrors } from '../../../src/shared/forms';
import { createSetSchema, rawStatusSetForm, statusSetFormSchema } from '../../../src/status-sets/status-sets.schema';

/** The edit form as the browser posts it: flat `statuses.<row>.<field>` names. */
function body(rows: Array<Record<string, string>>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = { ltik: 'x', name: 'Lectures', autoStatus: 'none', ...extra };
  rows.forEach((row, i) => {
    for (const [k, v] of Object.entries(row)) out[`statuses.${i}.${k}`] = v;
  });
  return out;
}

const P = { id: 'p', acronym: 'P', description: 'Present', points: '2', order: '1', visible: '1', pickMode: 'always', pickMinutes: '' };
const BLANK = { id: '', acronym: '', description: '', points: '', order: '', visible: '1', pickMode: 'never', pickMinutes: '' };

function parse(b: Record<string, unknown>) {
  return statusSetFormSchema.safeParse(rawStatusSetForm(b));
}

describe('the status-set edit form', () => {
  it('when the form is valid, then rows become drafts keyed by their row index and the blank row is ignored', () => {
    const r = parse(body([P, { ...P, id: '', acronym: 'L', description: 'Late', points: '1,5', order: '' }, BLANK], { autoStatus: '1' }));
    expect(r.success).toBe(true);
    expect(r.data).toEqual({
      name: 'Lectures',
      autoKey: '1',
      statuses: [
        { key: '0', id: 'p', acronym: 'P', description: 'Present', points: 2, order: 1, visible: true, excused: false, studentPick: { mode: 'always', minutes: undefined } },
        { key: '1', id: undefined, acronym: 'L', description: 'Late', points: 1.5, order: undefined, visible: true, excused: false, studentPick: { mode: 'always', minutes: undefined } },
      ],
    });
  });

  it('when "Shown" is unticked, then the status is hidden (unticked boxes are not sent)', () => {
    const { visible: _omit, ...hidden } = { ...P, id: 'l', acronym: 'L' };
    const r = parse(body([P, hidden]));
    expect(r.data?.statuses[1]?.visible).toBe(false);
  });

  it('when "Excused" is ticked, then the status is excused; unticked (not sent), it is not', () => {
    const r = parse(body([P, { ...P, id: 'e', acronym: 'E', excused: '1' }]));
    expect(r.data?.statuses.map((s) => [s.acronym, s.excused])).toEqual([['P', false], ['E', true]]);
  });

  it('when only "Excused" is ticked on the blank row, then the row still counts as empty', () => {
    const r = parse(body([P, { ...BLANK, excused: '1' }]));
    expect(r.success).toBe(true);
    expect(r.data?.statuses).toHaveLength(1);
  });

  it.each([
    ['points are not a number', { points: 'two' }, 'statuses.0.points', 'form.not_a_number'],
    ['points are empty', { points: '' }, 'statuses.0.points', 'form.required'],
    ['points have 3 decimals', { points: '1.234' }, 'statuses.0.points', 'status_sets.errors.points_decimals'],
    ['the order is a fraction', { order: '1.5' }, 'statuses.0.order', 'status_sets.errors.order_integer'],
    ['the pick mode is unknown', { pickMode: 'sometimes' }, 'statuses.0.pickMode', 'form.invalid_choice'],
    ['"within" has no minutes', { pickMode: 'within' }, 'statuses.0.pickMinutes', 'status_sets.errors.minutes_required'],
    ['the description is empty', { description: '   ' }, 'statuses.0.description', 'status_sets.errors.description_length'],
  ])('when %s, then the message is keyed by the cell', (_name, over, field, key) => {
    const r = parse(body([{ ...P, ...over }]));
    expect(r.success).toBe(false);
    expect(fieldErrors(r.error!)[field]).toBe(key);
  });

  it('when the set-level rules fail, then they are reported under statuses / autoStatus', () => {
    const { visible: _omit, ...hidden } = P;
    const r = parse(body([hidden], { autoStatus: '0' }));
    expect(fieldErrors(r.error!)).toEqual({ statuses: 'status_sets.errors.no_visible', autoStatus: 'status_sets.errors.auto_not_visible' });
  });

  it('when the automatic choice points at the empty new row, then it is refused', () => {
    const r = parse(body([P, BLANK], { autoStatus: '1' }));
    expect(fieldErrors(r.error!)).toEqual({ autoStatus: 'status_sets.errors.auto_not_visible' });
  });

  it('when a field is sent twice or rows beyond the limit are sent, then only sane input is read', () => {
    const raw = rawStatusSetForm({ ...body([P]), 'statuses.0.acronym': ['P', 'X'], 'statuses.99.acronym': 'Q', 'other.0.x': 'y' });
    expect(raw.statuses).toHaveLength(1);
    expect(raw.statuses[0]?.acronym).toBe('P');
  });
});

describe('the create-a-set form', () => {
  it.each([
    ['Labs', true],
    ['  Seminars  ', true],
    ['', false],
    ['x'.repeat(61), false],
  ])('when the name is %p, then valid is %p', (name, ok) => {
    expect(createSetSchema.safeParse({ name }).success).toBe(ok);
  });
});
