import type { Locale, Translate } from '../i18n/i18n';
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

/**
 * Who has no family name from the LMS. Open edX (and any LMS without the LIS name parts) sends
 * only `name`: those people are sorted "by last name" by their full name as given, never by a
 * guessed family name. In a course where only some lack it they keep their place among the
 * others by that full name (the others are not pulled down to the same fallback); the page says
 * how many are sorted that way (namesNotice).
 */
export type NameSortNotice = { kind: 'all' } | { kind: 'some'; count: number };

export function nameSortNotice(people: ReadonlyArray<Pick<TakeStudent, 'familyName'>>): NameSortNotice | undefined {
  const without = people.filter((p) => !p.familyName).length;
  if (without === 0) return undefined;
  return without === people.length ? { kind: 'all' } : { kind: 'some', count: without };
}

/** The notice's text (keys under `<prefix>.all` / `<prefix>.some`), in the caller's catalog. */
export function nameSortNoticeText(notice: NameSortNotice | undefined, t: Translate, prefix: string): string | undefined {
  if (!notice) return undefined;
  return notice.kind === 'all' ? t(`${prefix}.all`) : t(`${prefix}.some`, { count: notice.count });
}

/** Sorted with the UI language's collation (Latvian: Č after C, Š after S). */
export function sortByName<T>(items: readonly T[], nameOf: (item: T) => { shown: string; key: string[] }, locale: Locale): T[] {
  const collator = new Intl.Collator(locale, { sensitivity: 'base', numeric: true });
  const keyed = items.map((item) => ({ item, key: nameOf(item).key }));
  keyed.sort((a, b) => compareNameKeys(collator, a.key, b.key));
  return keyed.map((k) => k.item);
}

/** Compares two nameParts keys part by part. */
export function compareNameKeys(collator: Intl.Collator, a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const c = collator.compare(a[i] ?? '', b[i] ?? '');
    if (c !== 0) return c;
  }
  return 0;
}
