import type { Locale } from '../i18n/i18n';
import type { TakeSort } from './take.schema';
import type { TakeStudent } from './take.service';

/** How the take page names and orders students. Pure. */

/** Sort key parts and the shown name, by last name ("Bērziņa, Anna") or first ("Anna Bērziņa"). */
export function nameParts(s: Pick<TakeStudent, 'givenName' | 'familyName' | 'name' | 'userId'>, sort: TakeSort): { shown: string; key: string[] } {
  const fallback = s.name || s.familyName || s.givenName || s.userId;
  if (sort === 'first') {
    const shown = s.givenName && s.familyName ? `${s.givenName} ${s.familyName}` : fallback;
    return { shown, key: [s.givenName || fallback, s.familyName, s.userId] };
  }
  const shown = s.givenName && s.familyName ? `${s.familyName}, ${s.givenName}` : fallback;
  return { shown, key: [s.familyName || fallback, s.givenName, s.userId] };
}

/** Sorted with the UI language's collation (Latvian: Č after C, Š after S). */
export function sortByName<T>(items: readonly T[], nameOf: (item: T) => { shown: string; key: string[] }, locale: Locale): T[] {
  const collator = new Intl.Collator(locale, { sensitivity: 'base', numeric: true });
  const keyed = items.map((item) => ({ item, key: nameOf(item).key }));
  keyed.sort((a, b) => {
    for (let i = 0; i < a.key.length; i++) {
      const c = collator.compare(a.key[i] ?? '', b.key[i] ?? '');
      if (c !== 0) return c;
    }
    return 0;
  });
  return keyed.map((k) => k.item);
}
