import { BOM, csvChunks, csvField, csvLine, neutralise } from '../../../src/reports/csv';

describe('neutralise(): text a spreadsheet would run as a formula gets an apostrophe', () => {
  it.each([
    ['=HYPERLINK("http://evil","x")', `'=HYPERLINK("http://evil","x")`],
    ['+371 2000 0000', "'+371 2000 0000"],
    ['-5', "'-5"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tindented', "'\tindented"],
    ['\rreturn', "'\rreturn"],
    ['Bērziņa', 'Bērziņa'],
    ['a=b', 'a=b'],
    [' =leading space', "' =leading space"],
    ['   +1', "'   +1"],
    ['\n=HYPERLINK("http://evil")', `'\n=HYPERLINK("http://evil")`],
    ['\r\n@SUM(A1)', "'\r\n@SUM(A1)"],
    ['\u00a0=1+2', "'\u00a0=1+2"],
    ['\u3000-1', "'\u3000-1"],
    ['＝HYPERLINK("http://evil")', `'＝HYPERLINK("http://evil")`],
    ['＋1', "'＋1"],
    ['－1', "'－1"],
    ['＠SUM(A1)', "'＠SUM(A1)"],
    [' plain words', ' plain words'],
    ['Ozola = Bērziņa', 'Ozola = Bērziņa'],
    ["'already", "'already"],
    ['', ''],
  ])('when the text is %j, then it becomes %j', (input, expected) => {
    expect(neutralise(input)).toBe(expected);
  });

  it('when text is neutralised twice, then it is the same as once (writers may both apply it)', () => {
    expect(neutralise(neutralise('=1+2'))).toBe("'=1+2");
  });
});

describe('csvField(): RFC 4180 quoting', () => {
  it.each<[string | number | null | undefined, string]>([
    ['plain', 'plain'],
    ['Late, again', '"Late, again"'],
    ['said "hi"', '"said ""hi"""'],
    ['line one\nline two', '"line one\nline two"'],
    ['cr\r\nlf', '"cr\r\nlf"'],
    ['=1+2,3', `"'=1+2,3"`],
    ['-"x"', `"'-""x"""`],
    [3, '3'],
    [-1.5, '-1.5'],
    [83.33, '83.33'],
    [0, '0'],
    [Number.NaN, ''],
    [null, ''],
    [undefined, ''],
  ])('when the value is %j, then the field is %j', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it('when a number is negative, then it stays a number (only text is neutralised)', () => {
    expect(csvLine([-2, '-2'])).toBe("-2,'-2\r\n");
  });
});

describe('csvLine() and csvChunks()', () => {
  it('when a row is written, then fields are comma-separated and the line ends with CRLF', () => {
    expect(csvLine(['a', 1, null, 'b,c'])).toBe('a,1,,"b,c"\r\n');
  });

  it('when the file is produced, then it starts with the UTF-8 BOM and the single header row', () => {
    const text = [...csvChunks(['Uzvārds', 'Vārds'], [['Ķēniņš', 'Ūna']])].join('');
    expect(text).toBe(`${BOM}Uzvārds,Vārds\r\nĶēniņš,Ūna\r\n`);
    expect(Buffer.from(text, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });

  it('when there are many rows, then they come in several chunks that join to the whole file', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => [`name ${i}`, i]);
    const chunks = [...csvChunks(['n', 'i'], rows, 1024)];
    expect(chunks.length).toBeGreaterThan(5);
    const lines = chunks.join('').split('\r\n');
    expect(lines).toHaveLength(1002); // header + 1000 rows + the empty string after the last CRLF
    expect(lines[1000]).toBe('name 999,999');
  });

  it('when there are no rows, then the file is the header alone', () => {
    expect([...csvChunks(['a'], [])]).toEqual([`${BOM}a\r\n`]);
  });
});
