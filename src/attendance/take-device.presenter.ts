import { DateTime } from 'luxon';
import type { Translate } from '../i18n/i18n';
import { nameParts } from './take-names';
import type { TakePageData } from './take.service';

/** The take page's device flags (one device per student), kept apart from take.presenter.ts. */

export const NO_FLAGS: string[] = [];

/**
 * Device flags per student, from one pass over the records (shared deviceId) and the refused
 * check-ins. Text, so the flag does not rely on colour; names read "Anna Bērziņa" inside a sentence.
 */
export function deviceFlags(data: TakePageData, t: Translate): Map<string, string[]> {
  const flags = new Map<string, Set<string>>();
  const add = (userId: string, text: string) => flags.set(userId, (flags.get(userId) ?? new Set()).add(text));
  const people = new Map([...data.students, ...data.former.flatMap((f) => (f.student ? [f.student] : []))].map((s) => [s.userId, s]));
  const nameOf = (id: string) => { const p = people.get(id); return p ? nameParts(p, 'first').shown : t('auto_mark.device.someone'); };
  const byDevice = new Map<string, string[]>();
  for (const r of data.records.values()) if (r.deviceId) byDevice.set(r.deviceId, [...(byDevice.get(r.deviceId) ?? []), r.userId]);
  for (const users of byDevice.values()) {
    if (users.length < 2) continue;
    for (const u of users) add(u, t('auto_mark.device.same_phone', { name: users.filter((o) => o !== u).map(nameOf).join(', ') }));
  }
  for (const c of data.deviceConflicts ?? []) {
    const time = DateTime.fromJSDate(c.at, { zone: data.timezone }).toFormat('HH:mm');
    add(c.userId, t('auto_mark.device.tried_other', { name: nameOf(c.otherUserId), time }));
    add(c.otherUserId, t('auto_mark.device.phone_used', { name: nameOf(c.userId) }));
  }
  return new Map([...flags].map(([userId, texts]) => [userId, [...texts]]));
}

