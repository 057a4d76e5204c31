import { ActivityModel } from '../courses/activity.model';
import { AttendanceSessionModel } from '../sessions/attendance-session.model';
import { Refusal } from '../shared/errors';
import { validateDefaults } from './self-marking-form';
import { newCheckInKeys, newPassword } from './self-marking.service';
import type { SelfMarkingDefaults, SelfMarkingSettings } from './settings';

/**
 * An activity's self check-in defaults: the settings new sessions start with. Scoped by
 * (courseId, activityId). sessions.service calls newSessionSelfMarking when it creates sessions;
 * the resulting import cycle (sessions → here → self-marking.service → sessions) is call-time only.
 */

/** What a new session is created with: its settings, its own password, secret and public id. */
export interface InitialSelfMarking {
  selfMarking: SelfMarkingSettings;
  checkInSecret: string;
  publicId: string;
}

/** Sessions may last up to a day; anything that started earlier than this has ended. */
const LONGEST_SESSION_MS = 1440 * 60_000;

/** A stored document that no longer validates (older rules) counts as "no defaults". */
export async function loadSelfMarkingDefaults(courseId: string, activityId: string): Promise<SelfMarkingDefaults | undefined> {
  const activity = await ActivityModel.findOne({ _id: activityId, courseId }, { selfMarkingDefaults: 1 }).lean();
  if (!activity) throw new Refusal('not_found', 'ACTIVITY_NOT_FOUND');
  if (!activity.selfMarkingDefaults) return undefined;
  const checked = validateDefaults(activity.selfMarkingDefaults);
  return checked.ok ? checked.defaults : undefined;
}

function initialFrom(defaults: SelfMarkingDefaults): InitialSelfMarking {
  return { selfMarking: { ...defaults, allowedCidrs: [...defaults.allowedCidrs], password: newPassword() }, ...newCheckInKeys() };
}

/**
 * For session creation: a maker of the fields each new session gets (fresh password and keys per
 * call), or of nothing when the activity has no defaults, so the session is inserted complete in
 * its one write.
 */
export async function newSessionSelfMarking(courseId: string, activityId: string): Promise<() => InitialSelfMarking | Record<string, never>> {
  const defaults = await loadSelfMarkingDefaults(courseId, activityId);
  return defaults ? () => initialFrom(defaults) : () => ({});
}

/**
 * Saves the defaults. Existing sessions keep their own settings; with `applyToUpcoming`, sessions
 * that have not ended and have no settings of their own get them (one bulk write). Returns how
 * many sessions were updated.
 */
export async function saveSelfMarkingDefaults(
  courseId: string, activityId: string, defaults: SelfMarkingDefaults, options: { applyToUpcoming: boolean; now: Date },
): Promise<{ applied: number }> {
  const res = await ActivityModel.updateOne({ _id: activityId, courseId }, { $set: { selfMarkingDefaults: { ...defaults, allowedCidrs: [...defaults.allowedCidrs] } } });
  if (res.matchedCount === 0) throw new Refusal('not_found', 'ACTIVITY_NOT_FOUND');
  return { applied: options.applyToUpcoming ? await applyToUpcoming(courseId, activityId, defaults, options.now) : 0 };
}

type Candidate = { _id: string; startsAt: Date; durationMinutes: number; checkInSecret?: string | null; publicId?: string | null };

async function applyToUpcoming(courseId: string, activityId: string, defaults: SelfMarkingDefaults, now: Date): Promise<number> {
  const candidates = await AttendanceSessionModel.find(
    { courseId, activityId, selfMarking: null, startsAt: { $gt: new Date(now.getTime() - LONGEST_SESSION_MS) } },
    { startsAt: 1, durationMinutes: 1, checkInSecret: 1, publicId: 1 },
  ).lean<Candidate[]>();
  // "Upcoming" as on the sessions list: not ended yet.
  const upcoming = candidates.filter((s) => s.startsAt.getTime() + s.durationMinutes * 60_000 > now.getTime());
  if (upcoming.length === 0) return 0;
  const ops = upcoming.map((s) => {
    const { selfMarking, checkInSecret, publicId } = initialFrom(defaults);
    // An existing secret or public id is never replaced (a printed QR would stop working).
    const keys = { ...(s.checkInSecret ? {} : { checkInSecret }), ...(s.publicId ? {} : { publicId }) };
    // selfMarking: null again, so a session the teacher saved in the meantime is left alone.
    return { updateOne: { filter: { _id: s._id, courseId, activityId, selfMarking: null }, update: { $set: { selfMarking, ...keys } } } };
  });
  const result = await AttendanceSessionModel.bulkWrite(ops, { ordered: false });
  return result.modifiedCount;
}
