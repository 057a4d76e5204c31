import {
  CurrentRecord, fillRows, isEdited, PostedRow, RowProblemKey, splitAudience, StatusChoice, validateRows,
} from '../../../src/attendance/take-rules';

const P: StatusChoice = { id: 'P', acronym: 'P', description: 'Present', visible: true };
const L: StatusChoice = { id: 'L', acronym: 'L', description: 'Late', visible: true };
const E: StatusChoice = { id: 'E', acronym: 'E', description: 'Excused', visible: false };
const statuses = new Map([P, L, E].map((s) => [s.id, s]));

const row = (userId: string, statusId = '', remark = '', index = 0): PostedRow => ({ index, userId, statusId, remark });
const rec = (userId: string, statusId: string, remark = '', source: CurrentRecord['source'] = 'teacher'): CurrentRecord => ({ userId, statusId, remark, source });

describe('validateRows', () => {
  const current = new Map([['u-e', rec('u-e', 'E')], ['u-p', rec('u-p', 'P')]]);
  const ctx = { statuses, courseUserIds: new Set(['u1', 'u2', 'u-e', 'u-p']), current };

  it.each<[string, PostedRow[], Array<[number, RowProblemKey]>]>([
    ['a visible status, no remark', [row('u1', 'P')], []],
    ['unmarked without remark', [row('u1')], []],
    ['a 500-character remark', [row('u1', 'L', 'x'.repeat(500))], []],
    ['a 501-character remark', [row('u1', 'L', 'x'.repeat(501))], [[0, 'remark_too_long']]],
    ['a status of another set', [row('u1', 'other-P')], [[0, 'status_not_in_set']]],
    ['a hidden status for a new mark', [row('u1', 'E')], [[0, 'status_hidden']]],
    ['a hidden status the record already has', [row('u-e', 'E')], []],
    ['a hidden status replacing another', [row('u-p', 'E')], [[0, 'status_hidden']]],
    ['someone not in the course', [row('stranger', 'P')], [[0, 'user_not_in_course']]],
    ['a remark for an unmarked student without a record', [row('u1', '', 'sick')], [[0, 'remark_needs_status']]],
    ['a remark for an unmarked row that has a record', [row('u-p', '', 'sick')], []],
    ['the same student twice', [row('u1', 'P', '', 0), row('u1', 'L', '', 1)], [[1, 'duplicate_student']]],
    ['several problems at once', [row('u1', 'X', 'y'.repeat(501), 0), row('u2', 'E', '', 1)], [[0, 'remark_too_long'], [0, 'status_not_in_set'], [1, 'status_hidden']]],
  ])('when the form has %s, then the problems are as listed', (_name, rows, expected) => {
    expect(validateRows(rows, ctx).map((p) => [p.index, p.key])).toEqual(expected);
  });
});

describe('isEdited', () => {
  const shown = { statusId: 'L', remark: 'bus' };

  it('when the row posts what the page showed, or an empty status (radios cannot be cleared), then it is not a change', () => {
    expect(isEdited(row('a', 'L', 'bus'), shown)).toBe(false);
    expect(isEdited(row('a', '', 'bus'), shown)).toBe(false);
    expect(isEdited(row('a'), null)).toBe(false);
  });

  it('when the status or the remark differs, or a first mark is given, then it is a change; "keep theirs" never is', () => {
    expect(isEdited(row('a', 'P', 'bus'), shown)).toBe(true);
    expect(isEdited(row('a', '', 'no bus'), shown)).toBe(true);
    expect(isEdited(row('a', 'P'), null)).toBe(true);
    expect(isEdited({ ...row('a', 'P'), choice: 'theirs' }, shown)).toBe(false);
  });
});

describe('validateRows on rows the teacher left alone', () => {
  it('when an untouched row carries a status that is hidden or unknown, then it is not a problem: it is never written', () => {
    const ctx = { statuses, courseUserIds: new Set(['u1']), current: new Map<string, CurrentRecord>() };
    expect(validateRows([{ ...row('u1', 'gone'), shown: { statusId: 'gone', remark: '' } }], ctx)).toEqual([]);
    expect(validateRows([{ ...row('u1', 'E', 'x'), shown: { statusId: 'E', remark: 'x' } }], ctx)).toEqual([]);
  });
});

describe('fillRows', () => {
  const rows = [row('a', 'P'), row('b'), row('c', 'L'), row('d')];

  it('when everyone is set, then every row gets the status', () => {
    const out = fillRows(rows, 'all', 'A');
    expect(out.rows.map((r) => r.statusId)).toEqual(['A', 'A', 'A', 'A']);
    expect(out.filled).toBe(4);
  });

  it('when only the unmarked are set, then marked rows keep their status', () => {
    const out = fillRows(rows, 'unmarked', 'A');
    expect(out.rows.map((r) => r.statusId)).toEqual(['P', 'A', 'L', 'A']);
    expect(out.filled).toBe(2);
    expect(rows[1]?.statusId).toBe(''); // the input is not changed
  });

  it('when a row waits for "keep theirs / use mine", then it is left for the teacher to decide', () => {
    const out = fillRows([row('a', 'P'), { ...row('b', 'L'), choice: 'theirs' }], 'all', 'A');
    expect(out.rows.map((r) => r.statusId)).toEqual(['A', 'L']);
    expect(out.filled).toBe(1);
  });
});

describe('splitAudience', () => {
  const m = (userId: string, role = 'student', active = true) => ({ userId, role, active });
  const members = [m('s1'), m('s2'), m('off', 'student', false), m('t1', 'teacher'), m('s3')];

  it('when the session is for everyone, then active students are taken and others with records are listed apart', () => {
    const split = splitAudience(members, ['s1', 'off', 't1', 'ghost'], undefined);
    expect(split.students.map((s) => s.userId)).toEqual(['s1', 's2', 's3']);
    expect(split.former.map((f) => [f.userId, f.reason])).toEqual([['off', 'inactive'], ['t1', 'not_student'], ['ghost', 'not_in_course']]);
  });

  it('when the session is for a group, then only its active students are taken and a student who left with a record is listed apart', () => {
    const split = splitAudience(members, ['s2', 's3'], new Set(['s1', 's3', 'off']));
    expect(split.students.map((s) => s.userId)).toEqual(['s1', 's3']);
    expect(split.former.map((f) => [f.userId, f.reason])).toEqual([['s2', 'left_group']]);
  });
});
