import { parseStatusSetForm, rawStatusSetForm } from '../../../src/status-sets/status-sets.schema';

/** The edit form as the browser posts it: flat `statuses.<row>.<field>` names. */
function body(rows: Array<Record<string, string>>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = { name: 'Lectures', autoStatus: 'none', ...extra };
  rows.forEach((row, i) => {
    for (const [k, v] of Object.entries(row)) out[`statuses.${i}.${k}`] = v;
  });
  return out;
}

const row = (acronym: string, over: Record<string, string> = {}) => ({
  id: acronym.toLowerCase(), acronym, description: `Status ${acronym}`, points: '1', order: '', visible: '1', pickMode: 'never', pickMinutes: '', ...over,
});

describe('the status-set form, checked in one pass', () => {
  it('when cells do not parse and the rows break the set\'s rules, then every problem is reported together', () => {
    const { errors } = parseStatusSetForm(rawStatusSetForm(body([
      row('P', { points: 'two' }),
      row('p', { order: '1.5' }),
      row('E', { description: ' ', pickMode: 'within', pickMinutes: '' }),
      row('A', { pickMode: 'sometimes' }),
    ], { name: '' })));
    expect(errors).toEqual({
      'statuses.0.points': 'form.not_a_number',
      'statuses.1.order': 'status_sets.errors.order_integer',
      'statuses.1.acronym': 'status_sets.errors.acronym_duplicate',
      'statuses.2.description': 'status_sets.errors.description_length',
      'statuses.2.pickMinutes': 'status_sets.errors.minutes_required',
      'statuses.3.pickMode': 'form.invalid_choice',
      name: 'status_sets.errors.name_length',
    });
  });

  it('when a cell does not parse, then only its own message is shown for it (not also a rule about its stand-in)', () => {
    const { errors } = parseStatusSetForm(rawStatusSetForm(body([row('P', { points: 'two', pickMode: 'within', pickMinutes: 'soon' })])));
    expect(errors).toEqual({ 'statuses.0.points': 'form.not_a_number', 'statuses.0.pickMinutes': 'form.not_a_number' });
  });

  it('when the form is valid, then there are no problems and the draft is complete', () => {
    const { errors, draft } = parseStatusSetForm(rawStatusSetForm(body([row('P'), row('L')], { autoStatus: '1' })));
    expect(errors).toEqual({});
    expect(draft).toMatchObject({ name: 'Lectures', autoKey: '1', statuses: [{ key: '0', acronym: 'P', points: 1 }, { key: '1', acronym: 'L' }] });
  });
});
