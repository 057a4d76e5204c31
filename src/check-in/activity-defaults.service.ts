import { ActivityModel } from '../courses/activity.model';
import { AttendanceSessionModel } from '../sessions/attendance-session.model';
import { EditConflict } from '../shared/edit-conflict';
import { Refusal } from '../shared/errors';
import { EditStamp, Editor, stampOf, versionOf } from '../shared/versioned';
import { saveVersioned } from '../shared/versioned-update.service';
import { validateDefaults } from './self-marking-form';
import { newCheckInKeys, newPassword } from './self-marking.service';
import { DEFAULT_SELF_MARKING, SelfMarkingDefaults, SelfMarkingSettings } from './settings';

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

/** The defaults as the settings form edits them: absent = none saved yet (version 0). */
export interface DefaultsForEdit {
  defaults?: SelfMarkingDefaults;
  version: number;
  lastEdit?: EditStamp;
}

/** A save from a stale defaults form: the defaults as stored now (built-in ones if none), and the refused ones. */
export type DefaultsConflict = EditConflict<SelfMarkingDefaults, SelfMarkingDefaults>;

/** A stored document that no longer validates (older rules) counts as "no defaults". */
export async function loadDefaultsForEdit(courseId: string, activityId: string): Promise<DefaultsForEdit> {
  const activity = await ActivityModel.findOne({ _id: activityId, courseId }, { selfMarkingDefaults: 1 }).lean();
  if (!activity) throw new Refusal('not_found', 'ACTIVITY_NOT_FOUND');
  const stored = activity.selfMarkingDefaults;
  const checked = stored ? validateDefaults(stored) : undefined;
  return { defaults: checked?.ok ? checked.defaults : undefined, version: versionOf(stored), lastEdit: stampOf(stored) };
}

export async function loadSelfMarkingDefaults(courseId: string, activityId: string): Promise<SelfMarkingDefaults | undefined> {
  return (await loadDefaultsForEdit(courseId, activityId)).defaults;
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
 * Saves the defaults if they are still at the version the form was rendered from (one conditional
 * update), else throws a DefaultsConflict. Existing sessions keep their own settings; with
 * `applyToUpcoming`, sessions that have not ended and have no settings of their own get them
 * (one bulk write). Returns how many sessions were updated.
 */
export async function saveSelfMarkingDefaults(
  courseId: string, activityId: string, defaults: SelfMarkingDefaults,
  options: { applyToUpcoming: boolean; now: Date; expected: number; editor: Editor },
): Promise<{ applied: number }> {
  await saveVersioned(
    {
      model: ActivityModel, scope: { _id: activityId, courseId }, within: 'selfMarkingDefaults',
      expected: options.expected, editor: options.editor, set: { ...defaults, allowedCidrs: [...defaults.allowedCidrs] },
    },
    () => new Refusal('not_found', 'ACTIVITY_NOT_FOUND'),
    async () => {
      const now = await loadDefaultsForEdit(courseId, activityId);
      return new EditConflict(now.defaults ?? DEFAULT_SELF_MARKING, defaults, now.version, now.lastEdit);
    },
  );
  return { applied: options.applyToUpcoming ? await applyToUpcoming(courseId, activityId, defaults, options.now, options.editor) : 0 };
}

type Candidate = { _id: string; startsAt: Date; durationMinutes: number; checkInSecret?: string | null; publicId?: string | null };

async function applyToUpcoming(courseId: string, activityId: string, defaults: SelfMarkingDefaults, now: Date, editor: Editor): Promise<number> {
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
    // selfMarking: null again, so a session the teacher saved in the meantime is left alone. Version
    // 1: a settings form opened before this (version 0, showing the defaults) is stale now.
    const versioned = { ...selfMarking, version: 1, lastEdit: { ...editor } };
    return { updateOne: { filter: { _id: s._id, courseId, activityId, selfMarking: null }, update: { $set: { selfMarking: versioned, ...keys } } } };
  });
  const result = await AttendanceSessionModel.bulkWrite(ops, { ordered: false });
  return result.modifiedCount;
}
