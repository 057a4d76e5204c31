import { CSV_MAX_BYTES, CSV_MAX_ROWS, CsvCandidate, matchMembershipCsv } from '../../../src/groups/csv-import';
import { detectSeparator, parseCsv } from '../../../src/groups/csv-parse';
import { DomainError } from '../../../src/shared/errors';

const students: CsvCandidate[] = [
  { userId: 'u1', email: 'Anna.Berzina@Example.com', username: 'aberzina' },
  { userId: 'u2', email: 'janis@example.com', username: 'jkalns' },
  { userId: 'u3', email: null, username: 'Peteris' },
  { userId: '1234', email: 'ilze@example.com', username: null },
];

const match = (text: string) => matchMembershipCsv(text, students);

function refusal(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('expected a DomainError');
}

describe('parseCsv()', () => {
  it.each<[string, string, string[][]]>([
    ['comma separated', 'a,b\nc,d', [['a', 'b'], ['c', 'd']]],
    ['semicolon separated', 'a;b\nc;d', [['a', 'b'], ['c', 'd']]],
    ['tab separated (pasted cells)', 'a\tb\nc\td', [['a', 'b'], ['c', 'd']]],
    ['quoted separator', '"Doe, Jane",x\n', [['Doe, Jane', 'x']]],
    ['escaped quote', '"say ""hi""",x', [['say "hi"', 'x']]],
    ['CRLF line ends', 'a,b\r\nc,d\r\n', [['a', 'b'], ['c', 'd']]],
    ['old Mac CR line ends', 'a,b\rc,d', [['a', 'b'], ['c', 'd']]],
    ['a BOM', '\uFEFFa,b', [['a', 'b']]],
    ['a quote inside an unquoted field', 'O"Brien,x', [['O"Brien', 'x']]],
    ['an unterminated quote', '"open,x', [['open,x']]],
  ])('when the text has %s, then cells are split correctly', (_name, text, cells) => {
    expect(parseCsv(text).map((r) => r.cells)).toEqual(cells);
  });

  it('when a quoted field spans lines, then later records keep their real line numbers', () => {
    const records = parseCsv('a,"two\r\nlines"\r\nb,c\n\nd,e');
    expect(records.map((r) => [r.line, r.cells[0]])).toEqual([[1, 'a'], [3, 'b'], [5, 'd']]);
  });

  it.each<[string, string]>([
    ['a;b,c;d', ';'],
    ['"x;y",z', ','],
    ['\n\na\tb', '\t'],
    ['single', ','],
  ])('when the first line is %p, then the separator is %p', (text, sep) => {
    expect(detectSeparator(text)).toBe(sep);
  });
});

describe('matchMembershipCsv() without a header', () => {
  it('when each line holds one identifier, then email (any case), username and LMS id all match', () => {
    const r = match('anna.berzina@EXAMPLE.COM\njkalns\n1234');
    expect(r).toMatchObject({ userIds: ['u1', 'u2', '1234'], unmatched: [], hasHeader: false });
  });

  it('when a username differs in case, then it does not match (usernames are exact)', () => {
    expect(match('peteris\nPeteris').userIds).toEqual(['u3']);
    expect(match('peteris').unmatched).toEqual([{ line: 1, value: 'peteris' }]);
  });

  it('when lines have several cells, then the first non-empty cell is used', () => {
    const r = match(';; janis@example.com ; Kalns\nAnna;aberzina');
    expect(r.userIds).toEqual(['u2']);
    expect(r.unmatched).toEqual([{ line: 2, value: 'Anna' }]);
  });

  it('when rows match nobody, then they are reported with their line numbers and values', () => {
    const r = match('janis@example.com\n\nnobody@example.com\r\n  \r\nghost');
    expect(r.userIds).toEqual(['u2']);
    expect(r.unmatched).toEqual([{ line: 3, value: 'nobody@example.com' }, { line: 5, value: 'ghost' }]);
  });

  it('when the same person or value appears twice, then the repeat is ignored', () => {
    const r = match('janis@example.com\njkalns\nJANIS@example.com\nghost\nGhost');
    expect(r.userIds).toEqual(['u2']);
    expect(r.unmatched).toEqual([{ line: 4, value: 'ghost' }]);
    expect(r.duplicateRows).toBe(3);
  });

  it('when the file starts with a BOM and uses CRLF, then the first row still matches', () => {
    expect(match('\uFEFFjanis@example.com\r\naberzina\r\n').userIds).toEqual(['u2', 'u1']);
  });
});

describe('matchMembershipCsv() with a header', () => {
  it('when a column is named email, then that column is used (not the first cell)', () => {
    const r = match('Name;Surname;E-mail\nAnna;Bērziņa;ANNA.BERZINA@example.com\nJānis;Kalns;nobody@example.com');
    expect(r).toMatchObject({ userIds: ['u1'], hasHeader: true });
    expect(r.unmatched).toEqual([{ line: 3, value: 'nobody@example.com' }]);
  });

  it.each([
    ['username', 'Username\njkalns', ['u2']],
    ['user_id', 'user_id\n1234', ['1234']],
    ['id', 'Name,ID\nIlze,1234', ['1234']],
    ['lms id', '"LMS ID",name\n1234,Ilze', ['1234']],
  ])('when a column is named %s, then it matches', (_name, text, ids) => {
    expect(match(text).userIds).toEqual(ids);
  });

  it('when a header names several identifiers, then any of them may match, each by its own kind', () => {
    const r = match('email,username,id\n,aberzina,\njkalns,,\nx@example.com,nobody,999');
    expect(r.userIds).toEqual(['u1']);
    expect(r.unmatched).toEqual([{ line: 3, value: 'jkalns' }, { line: 4, value: '999 / nobody / x@example.com' }]);
  });

  it('when the header row has quoted names and a BOM, then it is recognised', () => {
    expect(match('\uFEFF"Email address";"Name"\r\n"janis@example.com";"Jānis"').userIds).toEqual(['u2']);
  });
});

describe('matchMembershipCsv() limits', () => {
  it(`when there are more than ${CSV_MAX_ROWS} rows, then it is refused with a clear message`, () => {
    const text = Array.from({ length: CSV_MAX_ROWS + 1 }, (_, i) => `s${i}@example.com`).join('\n');
    const err = refusal(() => match(text));
    expect(err.messageKey).toBe('groups.import.errors.too_many_rows');
    expect(err.vars).toMatchObject({ max: CSV_MAX_ROWS, count: CSV_MAX_ROWS + 1 });
  });

  it(`when exactly ${CSV_MAX_ROWS} rows (plus a header and blank lines) are given, then they are accepted`, () => {
    const text = ['email', ...Array.from({ length: CSV_MAX_ROWS }, (_, i) => `s${i}@example.com`), '', ''].join('\n');
    expect(match(text).unmatched).toHaveLength(CSV_MAX_ROWS);
  });

  it('when the text is larger than 1 MB, then it is refused before parsing', () => {
    const err = refusal(() => match('x'.repeat(CSV_MAX_BYTES + 1)));
    expect(err.messageKey).toBe('groups.import.errors.too_large');
  });

  it('when there is only a header, then it is refused as having no rows', () => {
    expect(refusal(() => match('email\n\n')).messageKey).toBe('groups.import.errors.no_rows');
  });
});
