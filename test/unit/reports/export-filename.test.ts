import { asciiSlug, contentDisposition, exportFileName, unicodeSlug } from '../../../src/reports/export-filename';

describe('export file names', () => {
  it('when the course and activity have Latvian letters, then the ASCII name drops the accents and the UTF-8 name keeps them', () => {
    const name = exportFileName('Ķīmija 1', 'Lekcijas / Labs', new Date('2025-03-10T22:30:00Z'), 'Europe/Riga', 'csv');
    // 22:30 UTC is already the 11th in Riga.
    expect(name).toEqual({ ascii: 'kimija-1-lekcijas-labs-attendance-2025-03-11.csv', utf8: 'Ķīmija-1-Lekcijas-Labs-attendance-2025-03-11.csv' });
  });

  it.each([
    ['ATT101', 'att101'],
    ['Fizika & ķīmija', 'fizika-kimija'],
    ['../../etc/passwd', 'etc-passwd'],
    ['"quoted"; name', 'quoted-name'],
    ['日本語', 'course'],
    ['', 'course'],
  ])('when the ASCII slug of %j is made, then it is %j', (text, slug) => {
    expect(asciiSlug(text, 'course')).toBe(slug);
  });

  it('when the UTF-8 name is made, then separators, quotes and control characters become dashes', () => {
    expect(unicodeSlug('a/b\\c"d\r\ne', 'x')).toBe('a-b-c-d-e');
    expect(unicodeSlug('日本語', 'x')).toBe('日本語');
    expect(unicodeSlug('---', 'x')).toBe('x');
  });

  it('when a part is very long, then it is cut to 60 characters', () => {
    expect(asciiSlug('a'.repeat(200), 'x')).toHaveLength(60);
    expect(unicodeSlug('ā'.repeat(200), 'x')).toHaveLength(60);
  });

  it('when the header is made, then it is an attachment with both spellings, the UTF-8 one percent-encoded', () => {
    const header = contentDisposition({ ascii: 'kimija-x-attendance-2025-03-11.xlsx', utf8: 'Ķīmija-(x)-attendance-2025-03-11.xlsx' });
    expect(header).toBe("attachment; filename=\"kimija-x-attendance-2025-03-11.xlsx\"; filename*=UTF-8''%C4%B6%C4%ABmija-%28x%29-attendance-2025-03-11.xlsx");
  });
});
