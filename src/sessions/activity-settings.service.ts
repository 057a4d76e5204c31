import { ActivityModel } from '../courses/activity.model';
import { Refusal } from '../shared/errors';
import { canonicalTimeZone } from './local-time';

/** The activity's own settings (for now its time zone). Scoped by (courseId, activityId). */

export async function getActivitySettings(courseId: string, activityId: string): Promise<{ timezone: string; title: string; lmsActivityUrl: string }> {
  const activity = await ActivityModel.findOne({ _id: activityId, courseId }, { timezone: 1, title: 1, lmsActivityUrl: 1 }).lean();
  if (!activity) throw new Refusal('not_found', 'ACTIVITY_NOT_FOUND');
  return { timezone: activity.timezone, title: activity.title ?? '', lmsActivityUrl: activity.lmsActivityUrl ?? '' };
}

/** Only absolute http(s) addresses: the link is put in an href on a public page. Empty clears it. */
export function parseLmsLink(raw: string): { ok: true; url: string } | { ok: false } {
  const value = raw.trim();
  if (value === '') return { ok: true, url: '' };
  if (value.length > 2000) return { ok: false };
  try {
    const url = new URL(value);
    return ['https:', 'http:'].includes(url.protocol) && url.hostname !== '' ? { ok: true, url: url.toString() } : { ok: false };
  } catch {
    return { ok: false };
  }
}

export async function updateLmsLink(courseId: string, activityId: string, url: string): Promise<void> {
  const update = url ? { $set: { lmsActivityUrl: url } } : { $unset: { lmsActivityUrl: 1 } };
  const result = await ActivityModel.updateOne({ _id: activityId, courseId }, update);
  if (result.matchedCount === 0) throw new Refusal('not_found', 'ACTIVITY_NOT_FOUND');
}

/**
 * Sessions keep their instants (each stores its own zone as saved), so changing the activity's
 * zone moves no meeting; it changes how times are shown and how new ones are entered.
 */
export async function updateActivityTimezone(
  courseId: string,
  activityId: string,
  zone: string,
): Promise<{ ok: true; timezone: string } | { ok: false; errorKey: string }> {
  const timezone = canonicalTimeZone(zone);
  if (!timezone) return { ok: false, errorKey: 'sessions.settings.errors.bad_zone' };
  const result = await ActivityModel.updateOne({ _id: activityId, courseId }, { $set: { timezone } });
  if (result.matchedCount === 0) throw new Refusal('not_found', 'ACTIVITY_NOT_FOUND');
  return { ok: true, timezone };
}
