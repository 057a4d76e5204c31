/**
 * A minimal iCalendar (RFC 5545) writer for a published feed of timed events. Pure.
 * Times are written in UTC (`…Z`): every calendar app converts them to the viewer's zone, and
 * no VTIMEZONE has to be generated (the activity's zone is still named in X-WR-TIMEZONE).
 */

export interface IcalEvent {
  uid: string;
  start: Date;
  end: Date;
  summary: string;
  description?: string;
  lastModified?: Date;
}

export interface IcalCalendar {
  prodId: string;
  /** X-WR-CALNAME: the name calendar apps show for the subscription. */
  name: string;
  /** IANA zone of the events' wall times (X-WR-TIMEZONE, informative only). */
  timezone: string;
  /** DTSTAMP of every event: when this copy of the feed was made. */
  stamp: Date;
  /** How often subscribers should fetch the feed again. */
  refreshHours: number;
  events: readonly IcalEvent[];
}

/** Octets per physical line, CRLF excluded (RFC 5545 §3.1). */
const LINE_OCTETS = 75;

/** 2027-03-15T08:00:00.000Z → 20270315T080000Z */
export function icalUtc(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

/** TEXT value escaping: backslash, semicolon, comma and line breaks; other control characters are not allowed. */
export function escapeText(value: string): string {
  return value
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\n/g, '\\n');
}

function utf8Octets(codePoint: number): number {
  if (codePoint < 0x80) return 1;
  if (codePoint < 0x800) return 2;
  if (codePoint < 0x10000) return 3;
  return 4;
}

/**
 * Folds a content line into physical lines of at most 75 octets, each continuation starting with
 * one space. Splits only between code points, so a multi-byte UTF-8 character is never cut.
 */
export function foldLine(line: string): string {
  let out = '';
  let octets = 0;
  for (const ch of line) {
    const n = utf8Octets(ch.codePointAt(0) ?? 0);
    if (octets + n > LINE_OCTETS) {
      out += '\r\n ';
      octets = 1;
    }
    out += ch;
    octets += n;
  }
  return out;
}

function eventLines(e: IcalEvent, stamp: Date): string[] {
  return [
    'BEGIN:VEVENT',
    `UID:${escapeText(e.uid)}`,
    `DTSTAMP:${icalUtc(stamp)}`,
    `DTSTART:${icalUtc(e.start)}`,
    `DTEND:${icalUtc(e.end)}`,
    ...(e.lastModified ? [`LAST-MODIFIED:${icalUtc(e.lastModified)}`] : []),
    `SUMMARY:${escapeText(e.summary)}`,
    ...(e.description ? [`DESCRIPTION:${escapeText(e.description)}`] : []),
    'END:VEVENT',
  ];
}

/** The whole VCALENDAR, CRLF line ends (also after the last line), lines folded. */
export function writeCalendar(cal: IcalCalendar): string {
  const refresh = `PT${Math.max(1, Math.round(cal.refreshHours))}H`;
  const lines = [
    'BEGIN:VCALENDAR',
    `PRODID:${cal.prodId}`,
    'VERSION:2.0',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(cal.name)}`,
    `X-WR-TIMEZONE:${escapeText(cal.timezone)}`,
    `REFRESH-INTERVAL;VALUE=DURATION:${refresh}`,
    `X-PUBLISHED-TTL:${refresh}`,
    ...cal.events.flatMap((e) => eventLines(e, cal.stamp)),
    'END:VCALENDAR',
  ];
  return lines.map(foldLine).join('\r\n') + '\r\n';
}
