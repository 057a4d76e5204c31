import { ActivityModel } from '../courses/activity.model';
import { Refusal } from '../shared/errors';
import { canonicalTimeZone } from './local-time';

/** The activity's own settings (for now its time zone). Scoped by (courseId, activityId). */

export async function getActivitySettings(courseId: string, activityId: string): Promise<{ timezone: string; title: string }> {
  const activity = await ActivityModel.findOne({ _id: activityId, courseId }, { timezone: 1, title: 1 }).lean();
  if (!activity) throw new Refusal('not_found', 'ACTIVITY_NOT_FOUND');
  return { timezone: activity.timezone, title: activity.title ?? '' };
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
