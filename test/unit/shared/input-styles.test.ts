/**
 * Issue #14 item 4b: the LMS activity URL field (`<input type="url">`) was left with the
 * browser's bare default look next to styled fields. Every field a person types into, whatever
 * its type, gets the form style of public/css/app.css.
 */
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
/** Types that are not typed into, or are styled (or left native) on purpose. */
const NOT_TEXT_FIELDS = new Set(['hidden', 'checkbox', 'radio', 'file', 'submit', 'button', 'reset', 'image', 'range', 'color']);

function templates(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? templates(full) : e.name.endsWith('.ejs') ? [full] : [];
  });
}

/** The input types of app.css's rule for text fields (the one that also styles select and textarea). */
function styledTypes(): Set<string> {
  const css = fs.readFileSync(path.join(ROOT, 'public', 'css', 'app.css'), 'utf8');
  const rule = css.split('}').map((r) => r.split('{')[0] ?? '').find((selectors) => /(^|,)\s*select\s*(,|$)/.test(selectors) && selectors.includes('textarea'));
  return new Set([...(rule ?? '').matchAll(/input\[type="([a-z]+)"\]/g)].map((m) => m[1] ?? ''));
}

describe('form field styles', () => {
  it('when a page has a field to type into (text, url, date, …), then app.css styles that input type like the others', () => {
    const used = new Set<string>();
    for (const file of templates(path.join(ROOT, 'views'))) {
      for (const m of fs.readFileSync(file, 'utf8').matchAll(/<input\b[^>]*\btype="([a-z]+)"/g)) used.add(m[1] ?? '');
    }
    expect(used).toContain('url'); // the scan sees the field of the issue
    const styled = styledTypes();
    expect(styled).toContain('text');
    const unstyled = [...used].filter((type) => !NOT_TEXT_FIELDS.has(type) && !styled.has(type)).sort();
    expect(unstyled).toEqual([]);
  });
});
