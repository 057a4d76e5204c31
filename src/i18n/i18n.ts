import en from './en.json';
import lv from './lv.json';
import attendanceEn from './attendance.en.json';
import attendanceLv from './attendance.lv.json';
import checkInEn from './check-in.en.json';
import checkInLv from './check-in.lv.json';
import groupsEn from './groups.en.json';
import groupsLv from './groups.lv.json';
import rosterEn from './roster.en.json';
import rosterLv from './roster.lv.json';
import sessionsEn from './sessions.en.json';
import sessionsLv from './sessions.lv.json';
import statusSetsEn from './status-sets.en.json';
import statusSetsLv from './status-sets.lv.json';
import projectorEn from './projector.en.json';
import projectorLv from './projector.lv.json';
import autoMarkEn from './auto-mark.en.json';
import autoMarkLv from './auto-mark.lv.json';
import qrCheckInEn from './qr-check-in.en.json';
import qrCheckInLv from './qr-check-in.lv.json';
import reportsEn from './reports.en.json';
import reportsLv from './reports.lv.json';
import exportEn from './export.en.json';
import exportLv from './export.lv.json';
import studentViewEn from './student-view.en.json';
import studentViewLv from './student-view.lv.json';
import gradeSyncEn from './grade-sync.en.json';
import gradeSyncLv from './grade-sync.lv.json';
import deepLinkingFormEn from './deep-linking-form.en.json';
import deepLinkingFormLv from './deep-linking-form.lv.json';
import registrationEn from './registration.en.json';
import registrationLv from './registration.lv.json';
import gradingEn from './grading.en.json';
import gradingLv from './grading.lv.json';
import editConflictEn from './edit-conflict.en.json';
import editConflictLv from './edit-conflict.lv.json';

/**
 * Message catalogs and `t()`. Catalogs are nested JSON with the same keys in every language
 * (a unit test checks it). Interpolation: `{{name}}`. Plurals: when `vars.count` is given and
 * `key_one` / `key_zero` / `key_other` exist, the CLDR plural category picks one (Latvian has
 * zero/one/other). Output is plain text: templates escape it.
 */

export const LOCALES = ['en', 'lv'] as const;
export type Locale = (typeof LOCALES)[number];
export type Vars = Record<string, string | number>;
export type Translate = (key: string, vars?: Vars) => string;

type Catalog = { [key: string]: string | Catalog };

/** Each feature keeps its strings in its own `<feature>.<locale>.json` under its own top-level key. */
function merge(...parts: Catalog[]): Catalog {
  const out: Catalog = {};
  for (const part of parts) {
    for (const [key, value] of Object.entries(part)) {
      if (key in out) throw new Error(`i18n: top-level key "${key}" is defined twice`);
      out[key] = value;
    }
  }
  return out;
}

const catalogs: Record<Locale, Catalog> = {
  en: merge(en, statusSetsEn, sessionsEn, rosterEn, groupsEn, attendanceEn, checkInEn, projectorEn, autoMarkEn, qrCheckInEn, reportsEn, exportEn, studentViewEn, gradeSyncEn, deepLinkingFormEn, registrationEn, gradingEn, editConflictEn),
  lv: merge(lv, statusSetsLv, sessionsLv, rosterLv, groupsLv, attendanceLv, checkInLv, projectorLv, autoMarkLv, qrCheckInLv, reportsLv, exportLv, studentViewLv, gradeSyncLv, deepLinkingFormLv, registrationLv, gradingLv, editConflictLv),
};

function lookup(catalog: Catalog, key: string): string | undefined {
  let node: string | Catalog | undefined = catalog;
  for (const part of key.split('.')) {
    if (node === undefined || typeof node === 'string') return undefined;
    node = node[part];
  }
  return typeof node === 'string' ? node : undefined;
}

function pluralKey(catalog: Catalog, locale: Locale, key: string, count: number): string | undefined {
  const category = new Intl.PluralRules(locale).select(count);
  return lookup(catalog, `${key}_${category}`) ?? lookup(catalog, `${key}_other`);
}

export function t(locale: Locale, key: string, vars: Vars = {}): string {
  const count = vars.count;
  const find = (l: Locale) => {
    const catalog = catalogs[l];
    return (typeof count === 'number' ? pluralKey(catalog, l, key, count) : undefined) ?? lookup(catalog, key);
  };
  const template = find(locale) ?? find('en');
  if (template === undefined) return key; // visible in the UI and caught by the catalog test
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

export function translator(locale: Locale): Translate {
  return (key, vars) => t(locale, key, vars);
}

/**
 * The BCP 47 tag for Intl/luxon formatting. English uses British conventions (day before month,
 * 24-hour clock), as expected in Europe where the tool comes from.
 */
export function formatLocale(locale: Locale): string {
  return locale === 'en' ? 'en-GB' : 'lv-LV';
}

/** 'lv-LV', 'lv_LV', 'LV' → 'lv'; unknown → undefined. */
export function toLocale(value: unknown): Locale | undefined {
  if (typeof value !== 'string') return undefined;
  const base = value.trim().toLowerCase().split(/[-_]/)[0];
  return (LOCALES as readonly string[]).includes(base ?? '') ? (base as Locale) : undefined;
}

/** Picks the best supported locale from an Accept-Language header (quality-ordered). */
export function negotiateLocale(acceptLanguage: string | undefined, fallback: Locale): Locale {
  if (!acceptLanguage) return fallback;
  const ranked = acceptLanguage
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { tag: tag ?? '', q: q ? Number(q.slice(2)) || 0 : 1 };
    })
    .filter((x) => x.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    const locale = toLocale(tag);
    if (locale) return locale;
  }
  return fallback;
}

/** Flattened key list of a catalog; used by the catalog-parity test. */
export function catalogKeys(locale: Locale): string[] {
  const out: string[] = [];
  const walk = (node: Catalog, prefix: string) => {
    for (const [k, v] of Object.entries(node)) {
      if (typeof v === 'string') out.push(prefix + k);
      else walk(v, `${prefix}${k}.`);
    }
  };
  walk(catalogs[locale], '');
  return out.sort();
}
