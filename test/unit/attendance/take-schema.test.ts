import { parseTakeForm } from '../../../src/attendance/take.schema';

describe('parseTakeForm', () => {
  it('when rows are posted, then they come back in order, trimmed, with absent statuses as unmarked', () => {
    const result = parseTakeForm({ count: '2', u0: 'a', s0: 'P', r0: '  late  ', u1: 'b', sort: 'first' });
    expect(result).toEqual({
      ok: true,
      form: { sort: 'first', bulk: undefined, rows: [{ index: 0, userId: 'a', statusId: 'P', remark: 'late' }, { index: 1, userId: 'b', statusId: '', remark: '' }] },
    });
  });

  it.each([
    ['no count', { u0: 'a' }],
    ['a negative count', { count: '-1' }],
    ['a fractional count', { count: '1.5', u0: 'a' }],
    ['a missing user id', { count: '2', u0: 'a' }],
    ['an empty user id', { count: '1', u0: '  ' }],
  ])('when the form has %s, then it is refused as incomplete', (_name, body) => {
    expect(parseTakeForm(body)).toMatchObject({ ok: false, errorKey: 'attendance.errors.form_incomplete' });
  });

  it('when a field is sent twice, then the form is refused rather than guessed', () => {
    expect(parseTakeForm({ count: '1', u0: 'a', s0: ['P', 'L'] })).toMatchObject({ ok: false, errorKey: 'form.invalid_choice' });
  });

  it('when there are more rows than allowed, then it is refused', () => {
    expect(parseTakeForm({ count: '1901' })).toMatchObject({ ok: false, errorKey: 'attendance.errors.too_many_rows' });
  });

  it('when rows carry what the page showed and a conflict choice, then they come with the rows', () => {
    const result = parseTakeForm({ count: '2', u0: 'a', s0: 'L', w0: '["P","front row"]', c0: 'mine', u1: 'b', w1: '' });
    expect(result).toMatchObject({
      ok: true,
      form: { rows: [{ userId: 'a', shown: { statusId: 'P', remark: 'front row' }, choice: 'mine' }, { userId: 'b', shown: null }] },
    });
  });

  it.each([
    ['not JSON', { count: '1', u0: 'a', w0: 'P' }],
    ['a pair without a status', { count: '1', u0: 'a', w0: '["",""]' }],
    ['a number instead of a pair', { count: '1', u0: 'a', w0: '7' }],
    ['shown values on some rows only', { count: '2', u0: 'a', w0: '', u1: 'b' }],
  ])('when the shown values are %s, then the form is refused as incomplete', (_name, body) => {
    expect(parseTakeForm(body)).toMatchObject({ ok: false, errorKey: 'attendance.errors.form_incomplete' });
  });

  it('when a conflict choice is neither theirs nor mine, then the form is refused', () => {
    expect(parseTakeForm({ count: '1', u0: 'a', w0: '', c0: 'both' })).toMatchObject({ ok: false, errorKey: 'form.invalid_choice' });
  });

  it('when a bulk button is pressed, then its mode and status come with the rows; an unknown sort falls back to last name', () => {
    expect(parseTakeForm({ count: '0', setAll: 'P', sort: 'weird' })).toEqual({ ok: true, form: { rows: [], sort: 'last', bulk: { mode: 'all', statusId: 'P' } } });
    expect(parseTakeForm({ count: '0', setUnmarked: 'A' })).toMatchObject({ ok: true, form: { bulk: { mode: 'unmarked', statusId: 'A' } } });
  });
});
