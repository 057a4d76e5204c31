import fs from 'node:fs';
import path from 'node:path';
import { catalogKeys, LOCALES, negotiateLocale, t, toLocale, translator } from '../../../src/i18n/i18n';
import { REFUSAL_STATUS } from '../../../src/shared/errors';
import type { ToolRole } from '../../../src/lti/roles';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const PLACEHOLDER = /\{\{\s*(\w+)\s*\}\}/g;
const placeholders = (s: string): string[] => [...s.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '').sort();

function filesUnder(dir: string, ext: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(full, ext);
    return entry.name.endsWith(ext) ? [full] : [];
  });
}

/** A key exists if `t` finds a template for it (directly or as a plural form). */
const hasKey = (keys: Set<string>, key: string) => keys.has(key) || keys.has(`${key}_other`);

describe('message catalogs', () => {
  const en = new Set(catalogKeys('en'));
  const lv = new Set(catalogKeys('lv'));

  it('when a key exists in one language, then it exists in the other', () => {
    expect(catalogKeys('lv')).toEqual(catalogKeys('en'));
    expect(en.size).toBeGreaterThan(0);
  });

  it('when a message is shown, then it is never empty', () => {
    for (const locale of LOCALES) {
      const empty = catalogKeys(locale).filter((key) => t(locale, key).trim() === '');
      expect({ locale, empty }).toEqual({ locale, empty: [] });
    }
  });

  it('when an English message has a {{placeholder}}, then the Latvian one uses the same placeholders', () => {
    const mismatched = catalogKeys('en').filter((key) => placeholders(t('en', key)).join() !== placeholders(t('lv', key)).join());
    expect(mismatched).toEqual([]);
  });

  it('when views and source code name a key literally, then the catalog has it', () => {
    const files = [...filesUnder(path.join(ROOT, 'views'), '.ejs'), ...filesUnder(path.join(ROOT, 'src'), '.ts')];
    const patterns = [/\bt\(\s*'([a-z0-9_.]+)'/g, /\b(?:labelKey|helpKey):\s*'([a-z0-9_.]+)'/g];
    const missing: string[] = [];
    let found = 0;
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      for (const pattern of patterns) {
        for (const m of text.matchAll(pattern)) {
          found += 1;
          const key = m[1] ?? '';
          if (!hasKey(en, key)) missing.push(`${path.relative(ROOT, file)}: ${key}`);
        }
      }
    }
    expect(found).toBeGreaterThan(20); // the scan really found the usages
    expect(missing).toEqual([]);
  });

  it('when a request is refused, then every refusal kind has a title, message and hint in both languages', () => {
    const missing = Object.keys(REFUSAL_STATUS).flatMap((kind) =>
      ['title', 'message', 'hint'].flatMap((part) =>
        [...LOCALES].filter((l) => !(l === 'en' ? en : lv).has(`refusal.${kind}.${part}`)).map((l) => `${l}: refusal.${kind}.${part}`),
      ),
    );
    expect(missing).toEqual([]);
  });

  it('when a role label is shown, then every tool role has one', () => {
    const roles: ToolRole[] = ['teacher', 'student', 'limited'];
    for (const role of roles) expect(en.has(`roles.${role}`) && lv.has(`roles.${role}`)).toBe(true);
  });
});

describe('t()', () => {
  it('when vars are given, then {{name}} placeholders are filled in', () => {
    expect(t('en', 'home.signed_in_as', { name: 'Terry Teacher', role: 'Teacher' })).toBe('Signed in as Terry Teacher · Teacher');
    expect(t('en', 'home.teacher.grading_points', { max: 10 })).toContain('10');
  });

  it('when a var is missing, then its placeholder stays visible', () => {
    expect(t('en', 'home.signed_in_as', { name: 'Terry' })).toBe('Signed in as Terry · {{role}}');
  });

  it('when the key is unknown, then the key itself is shown', () => {
    expect(t('en', 'no.such.key')).toBe('no.such.key');
    expect(t('lv', 'no.such.key')).toBe('no.such.key');
  });

  it('when the key names a group rather than a message, then the key itself is shown', () => {
    expect(t('en', 'refusal.session_expired')).toBe('refusal.session_expired');
  });

  it('when Latvian is asked for, then the Latvian text is shown, not English', () => {
    const lvTitle = t('lv', 'refusal.session_expired.title');
    expect(lvTitle).not.toBe(t('en', 'refusal.session_expired.title'));
    expect(lvTitle).not.toBe('refusal.session_expired.title');
    expect(translator('lv')('refusal.session_expired.title')).toBe(lvTitle);
  });
});

describe('toLocale()', () => {
  it.each<[unknown, string | undefined]>([
    ['lv-LV', 'lv'],
    ['lv_LV', 'lv'],
    ['LV', 'lv'],
    ['EN_us', 'en'],
    [' en ', 'en'],
    ['de', undefined],
    ['', undefined],
    [42, undefined],
    [undefined, undefined],
  ])('when given %p, then %p', (value, expected) => {
    expect(toLocale(value)).toBe(expected);
  });
});

describe('negotiateLocale()', () => {
  it.each<[string | undefined, string]>([
    ['de, lv;q=0.8, en;q=0.5', 'lv'],
    ['en;q=0.5, lv;q=0.9', 'lv'],
    ['lv-LV,lv;q=0.9,en-US;q=0.8', 'lv'],
    ['de', 'en'],
    ['en;q=0, lv;q=0.1', 'lv'],
    ['lv;q=0', 'en'],
    ['', 'en'],
    [undefined, 'en'],
  ])('when Accept-Language is %p and the fallback is en, then %p', (header, expected) => {
    expect(negotiateLocale(header, 'en')).toBe(expected);
  });

  it('when nothing matches, then the given fallback is used', () => {
    expect(negotiateLocale('de', 'lv')).toBe('lv');
    expect(negotiateLocale(undefined, 'lv')).toBe('lv');
  });
});
