/**
 * The download's file name, pure: `<course>-<activity>-attendance-<YYYY-MM-DD>.<ext>`, the date
 * being today in the activity's time zone. Content-Disposition carries two spellings: an ASCII
 * fallback in `filename=` (letters stripped of their accents, everything else a dash) for old
 * clients, and the real name in `filename*=UTF-8''…` (RFC 6266 / 5987), which browsers prefer,
 * so "Ķīmija" stays "Ķīmija" on disk.
 */
import { DateTime } from 'luxon';

export type ExportFormat = 'csv' | 'xlsx';

export interface ExportFileName {
  ascii: string;
  utf8: string;
}

const MAX_PART = 60;

/** "Ķīmija & Fizika" → "kimija-fizika"; nothing usable → the fallback. */
export function asciiSlug(text: string, fallback: string): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_PART)
    .replace(/-+$/, '');
  return slug || fallback;
}

/** Keeps letters and digits of any script; path separators, quotes, control characters, spaces → "-". */
export function unicodeSlug(text: string, fallback: string): string {
  const slug = [...text.normalize('NFC').replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '')].slice(0, MAX_PART).join('').replace(/-+$/, '');
  return slug || fallback;
}

export function exportFileName(course: string, activity: string, now: Date, timeZone: string, format: ExportFormat): ExportFileName {
  const date = DateTime.fromJSDate(now, { zone: timeZone }).toISODate() ?? now.toISOString().slice(0, 10);
  return {
    ascii: `${asciiSlug(course, 'course')}-${asciiSlug(activity, 'activity')}-attendance-${date}.${format}`,
    utf8: `${unicodeSlug(course, 'course')}-${unicodeSlug(activity, 'activity')}-attendance-${date}.${format}`,
  };
}

/** RFC 5987 value: encodeURIComponent leaves ' ( ) * alone, which the grammar does not allow. */
function rfc5987(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function contentDisposition(name: ExportFileName): string {
  return `attachment; filename="${name.ascii}"; filename*=UTF-8''${rfc5987(name.utf8)}`;
}
