import { DateTime, IANAZone } from 'luxon';

/**
 * Wall-clock time in a time zone ↔ UTC instants. Pure: takes the zone, never the machine's.
 * Sessions are stored as UTC instants; teachers think in local dates and times, so every
 * conversion goes through here, including the two DST oddities:
 * - a gap (03:30 on the spring-forward night does not exist): moved forward by the gap, like
 *   luxon does, and reported so the UI can say so;
 * - an overlap (03:30 on the fall-back night happens twice): the earlier instant, reported too.
 * (luxon alone picks the later instant in an overlap, hence the explicit candidate check.)
 */

export type DstNote = 'gap' | 'overlap';

export type LocalToUtcResult =
  | { ok: true; instant: Date; dst?: DstNote; localDate: string; localTime: string }
  | { ok: false; error: 'bad_date' | 'bad_time' | 'bad_zone' };

export interface LocalParts {
  date: string; // YYYY-MM-DD
  time: string; // HH:mm
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: number;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;

/**
 * Both checks build an Intl.DateTimeFormat (~0.1 ms each), and every page asks for its activity's
 * zone. Validity of a name never changes within a process; bounded, as names also come from forms.
 */
const knownZones = new Map<string, boolean>();

export function isValidTimeZone(zone: string): boolean {
  const known = knownZones.get(zone);
  if (known !== undefined) return known;
  const valid = checkZone(zone);
  if (knownZones.size < 500) knownZones.set(zone, valid);
  return valid;
}

function checkZone(zone: string): boolean {
  if (!zone || !IANAZone.isValidZone(zone)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The zone's canonical spelling ("europe/riga" → "Europe/Riga"), or undefined when unknown. */
export function canonicalTimeZone(zone: string): string | undefined {
  const trimmed = zone.trim();
  if (!isValidTimeZone(trimmed)) return undefined;
  return new Intl.DateTimeFormat('en', { timeZone: trimmed }).resolvedOptions().timeZone;
}

/** 'YYYY-MM-DD' → [y, m, d] when it names a real calendar day. */
export function parseDate(date: string): [number, number, number] | undefined {
  const m = DATE_RE.exec(date);
  if (!m) return undefined;
  const parts: [number, number, number] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return DateTime.utc(...parts).isValid ? parts : undefined;
}

export function parseTime(time: string): [number, number] | undefined {
  const m = TIME_RE.exec(time);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** Milliseconds of the wall-clock reading `ts` shows in `zone`, expressed as if it were UTC. */
function wallClock(zone: IANAZone, ts: number): number {
  return ts + zone.offset(ts) * MINUTE;
}

export function localToUtc(date: string, time: string, timeZone: string): LocalToUtcResult {
  const d = parseDate(date);
  if (!d) return { ok: false, error: 'bad_date' };
  const t = parseTime(time);
  if (!t) return { ok: false, error: 'bad_time' };
  if (!isValidTimeZone(timeZone)) return { ok: false, error: 'bad_zone' };
  const zone = IANAZone.create(timeZone);
  const naive = Date.UTC(d[0], d[1] - 1, d[2], t[0], t[1]);
  // Real zones change offset at most once within two days, so these offsets cover every reading.
  const offsets = [...new Set([zone.offset(naive - DAY), zone.offset(naive), zone.offset(naive + DAY)])];
  const candidates = offsets.map((o) => naive - o * MINUTE).filter((ts) => wallClock(zone, ts) === naive);
  if (candidates.length > 0) {
    const instant = Math.min(...candidates);
    return { ok: true, instant: new Date(instant), dst: candidates.length > 1 ? 'overlap' : undefined, localDate: date, localTime: time };
  }
  // A gap: read the wall clock with the offset in force before it, which lands after the jump.
  const instant = naive - zone.offset(naive - DAY) * MINUTE;
  const local = utcToLocal(new Date(instant), timeZone);
  return { ok: true, instant: new Date(instant), dst: 'gap', localDate: local.date, localTime: local.time };
}

export function utcToLocal(instant: Date, timeZone: string): LocalParts {
  const dt = DateTime.fromJSDate(instant, { zone: timeZone });
  return { date: dt.toFormat('yyyy-MM-dd'), time: dt.toFormat('HH:mm'), weekday: dt.weekday };
}
