import { escapeText, foldLine, icalUtc, writeCalendar } from '../../../src/reports/ical';

const octets = (s: string) => Buffer.byteLength(s, 'utf8');
/** Undo folding: CRLF followed by one space joins the lines again. */
const unfold = (s: string) => s.replace(/\r\n /g, '');

describe('iCalendar text escaping', () => {
  it.each([
    ['a comma', 'Room 1, floor 2', 'Room 1\\, floor 2'],
    ['a semicolon', 'Lab; bring laptops', 'Lab\\; bring laptops'],
    ['a backslash', 'C:\\temp', 'C:\\\\temp'],
    ['LF, CRLF and CR line breaks', 'one\ntwo\r\nthree\rfour', 'one\\ntwo\\nthree\\nfour'],
    ['other control characters', 'bell\u0007 and tab\t', 'bell and tab\t'],
    ['a backslash before a comma', '\\,', '\\\\\\,'],
  ])('when a text has %s, then it is escaped', (_name, input, expected) => {
    expect(escapeText(input)).toBe(expected);
  });
});

describe('line folding', () => {
  it('when a line has at most 75 octets, then it is left alone', () => {
    const line = `SUMMARY:${'x'.repeat(67)}`;
    expect(octets(line)).toBe(75);
    expect(foldLine(line)).toBe(line);
  });

  it('when an ASCII line is longer, then it is folded at 75 octets with a leading space on continuations', () => {
    const line = `DESCRIPTION:${'a'.repeat(200)}`;
    const parts = foldLine(line).split('\r\n');
    expect(parts.length).toBeGreaterThan(2);
    for (const p of parts) expect(octets(p)).toBeLessThanOrEqual(75);
    expect(parts.slice(1).every((p) => p.startsWith(' '))).toBe(true);
    expect(unfold(foldLine(line))).toBe(line);
  });

  it.each([
    ['Latvian letters (2 octets)', 'ĀČĒĢĪĶĻŅŠŪŽāčēģīķļņšūž'.repeat(8)],
    ['CJK (3 octets)', '日本語のクラス'.repeat(10)],
    ['emoji (4 octets, surrogate pairs)', '📅🎓'.repeat(30)],
    ['a 2-octet letter right at the boundary', `SUMMARY:${'x'.repeat(66)}ā${'y'.repeat(10)}`],
  ])('when a line holds %s, then no character is split and every line fits', (_name, text) => {
    const line = text.startsWith('SUMMARY:') ? text : `SUMMARY:${text}`;
    const folded = foldLine(line);
    for (const p of folded.split('\r\n')) {
      expect(octets(p)).toBeLessThanOrEqual(75);
      // A split character would show up as U+FFFD after a round trip through UTF-8.
      expect(Buffer.from(p, 'utf8').toString('utf8')).toBe(p);
      expect(p).not.toMatch(/[\uD800-\uDBFF]$|^ ?[\uDC00-\uDFFF]/);
    }
    expect(unfold(folded)).toBe(line);
  });

  it('when a 2-octet letter would cross octet 75, then it moves to the next line whole', () => {
    const line = `SUMMARY:${'x'.repeat(66)}ā`; // 74 + 2 octets
    expect(foldLine(line)).toBe(`SUMMARY:${'x'.repeat(66)}\r\n ā`);
  });
});

describe('the calendar', () => {
  const stamp = new Date('2027-03-10T12:00:00.123Z');
  const ics = writeCalendar({
    prodId: '-//LTI Attendance//Calendar feed//EN', name: 'Lectures, spring; 2027', timezone: 'Europe/Riga', stamp, refreshHours: 6,
    events: [
      { uid: 's1@tool.example', start: new Date('2027-03-22T08:00:00Z'), end: new Date('2027-03-22T09:30:00Z'), summary: 'Lectures – Intro, part 1', description: 'Group: Lab A' },
      { uid: 's2@tool.example', start: new Date('2027-03-29T07:00:00Z'), end: new Date('2027-03-29T08:30:00Z'), summary: 'Lectures', lastModified: new Date('2027-03-01T10:00:00Z') },
    ],
  });

  it('when written, then every line ends with CRLF, including the last, and no bare LF remains', () => {
    expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('when written, then the header has the publishing properties and the escaped name', () => {
    const lines = ics.split('\r\n');
    expect(lines.slice(0, 9)).toEqual([
      'BEGIN:VCALENDAR', 'PRODID:-//LTI Attendance//Calendar feed//EN', 'VERSION:2.0', 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH',
      'X-WR-CALNAME:Lectures\\, spring\\; 2027', 'X-WR-TIMEZONE:Europe/Riga', 'REFRESH-INTERVAL;VALUE=DURATION:PT6H', 'X-PUBLISHED-TTL:PT6H',
    ]);
  });

  it('when written, then times are UTC with a trailing Z and DTSTAMP is the feed time', () => {
    expect(ics).toContain('BEGIN:VEVENT\r\nUID:s1@tool.example\r\nDTSTAMP:20270310T120000Z\r\nDTSTART:20270322T080000Z\r\nDTEND:20270322T093000Z\r\n');
    expect(ics).toContain('SUMMARY:Lectures – Intro\\, part 1\r\nDESCRIPTION:Group: Lab A\r\nEND:VEVENT');
    expect(ics).toContain('DTSTART:20270329T070000Z\r\nDTEND:20270329T083000Z\r\nLAST-MODIFIED:20270301T100000Z\r\nSUMMARY:Lectures\r\nEND:VEVENT');
    expect(icalUtc(new Date('2027-01-02T03:04:05.999Z'))).toBe('20270102T030405Z');
  });

  it('when there are no events, then the calendar is still complete', () => {
    const empty = writeCalendar({ prodId: 'x', name: 'n', timezone: 'UTC', stamp, refreshHours: 6, events: [] });
    expect(empty).toMatch(/^BEGIN:VCALENDAR\r\n[\s\S]*X-PUBLISHED-TTL:PT6H\r\nEND:VCALENDAR\r\n$/);
    expect(empty).not.toContain('VEVENT');
  });
});
