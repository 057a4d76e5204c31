import { randomBytes } from 'node:crypto';
import { AttendanceSessionModel } from '../sessions/attendance-session.model';
import { activityTimezone, getSession, StoredSession } from '../sessions/sessions.service';
import { EditConflict } from '../shared/edit-conflict';
import { Refusal } from '../shared/errors';
import { EditStamp, Editor, stampOf, versionOf } from '../shared/versioned';
import { saveVersioned } from '../shared/versioned-update.service';
import { loadSelfMarkingDefaults } from './activity-defaults.service';
import { generatePassword } from './password';
import { DEFAULT_SELF_MARKING, SelfMarkingSettings, validateSelfMarkingSettings } from './settings';

/** Self-marking settings of one session, as the teacher edits them. Scoped by (courseId, activityId). */

type StoredSelfMarking = Partial<Record<keyof SelfMarkingSettings, unknown>> & { version?: number | null; lastEdit?: { by?: string | null; name?: string | null; at?: Date | null } | null };
type SessionExtras = { selfMarking?: StoredSelfMarking | null; checkInSecret?: string | null; publicId?: string | null };

export interface SelfMarkingState {
  settings: SelfMarkingSettings;
  /** False until the teacher saved the form once. */
  stored: boolean;
  /** Where the shown settings come from: the session's own, the activity's defaults, or the built-in ones. */
  source: 'session' | 'activity' | 'built_in';
  /** The form's version (0 until first saved) and who saved it last. */
  version: number;
  lastEdit?: EditStamp;
}

/** A save from a stale settings form: the settings as stored now, and the ones that were refused. */
export type SelfMarkingConflict = EditConflict<SelfMarkingSettings, SelfMarkingSettings>;

export function newPassword(): string {
  return generatePassword(randomBytes);
}

/** The per-session secret (codes) and public id (QR URL); made once per session, never replaced. */
export function newCheckInKeys(): { checkInSecret: string; publicId: string } {
  return { checkInSecret: randomBytes(32).toString('base64'), publicId: randomBytes(12).toString('base64url') };
}

/** A stored subdocument that no longer validates (older rules) falls back to the defaults, disabled. */
export function settingsFrom(stored: StoredSelfMarking | null | undefined): SelfMarkingSettings | undefined {
  if (!stored) return undefined;
  const checked = validateSelfMarkingSettings(stored);
  return checked.ok ? checked.settings : { ...DEFAULT_SELF_MARKING, allowedCidrs: [], password: String(stored.password ?? ''), enabled: false };
}

export async function readExtras(courseId: string, activityId: string, sessionId: string): Promise<SessionExtras> {
  const doc = await AttendanceSessionModel.findOne({ _id: sessionId, courseId, activityId }, { selfMarking: 1, checkInSecret: 1, publicId: 1 }).lean<SessionExtras>();
  if (!doc) throw new Refusal('not_found', 'SESSION_NOT_IN_ACTIVITY');
  return doc;
}

export async function loadSelfMarking(courseId: string, activityId: string, sessionId: string, fallbackZone: string): Promise<{ session: StoredSession; timezone: string; state: SelfMarkingState }> {
  const [session, timezone, extras] = await Promise.all([
    getSession(courseId, activityId, sessionId),
    activityTimezone(courseId, activityId, fallbackZone),
    readExtras(courseId, activityId, sessionId),
  ]);
  const stored = settingsFrom(extras.selfMarking);
  const version = { version: versionOf(extras.selfMarking), lastEdit: stampOf(extras.selfMarking) };
  if (stored) return { session, timezone, state: { settings: stored, stored: true, source: 'session', ...version } };
  // Not saved yet: offer the activity's defaults (or the built-in ones) with a password of its own.
  const defaults = await loadSelfMarkingDefaults(courseId, activityId);
  const base = defaults ?? DEFAULT_SELF_MARKING;
  const settings = { ...base, allowedCidrs: [...base.allowedCidrs], password: newPassword() };
  return { session, timezone, state: { settings, stored: false, source: defaults ? 'activity' : 'built_in', ...version } };
}

/**
 * Saves validated settings if they are still at the version the form was rendered from (one
 * conditional update), else throws a SelfMarkingConflict. Without a guard (fixtures, scripts) the
 * version just read is used. The secret and public id are made once, the first time, and never
 * replaced; the version check also keeps two first saves from making two of them.
 */
export async function saveSelfMarking(
  courseId: string, activityId: string, sessionId: string, settings: SelfMarkingSettings, guard?: { expected: number; editor: Editor },
): Promise<void> {
  const extras = await readExtras(courseId, activityId, sessionId);
  const keys = newCheckInKeys();
  const missing = {
    ...(extras.checkInSecret ? {} : { checkInSecret: keys.checkInSecret }),
    ...(extras.publicId ? {} : { publicId: keys.publicId }),
  };
  await saveVersioned(
    {
      model: AttendanceSessionModel, scope: { _id: sessionId, courseId, activityId }, within: 'selfMarking',
      expected: guard?.expected ?? versionOf(extras.selfMarking), editor: guard?.editor, set: { ...settings }, also: { $set: missing },
    },
    () => new Refusal('not_found', 'SESSION_NOT_IN_ACTIVITY'),
    async () => {
      const now = (await readExtras(courseId, activityId, sessionId)).selfMarking;
      const current = settingsFrom(now) ?? { ...DEFAULT_SELF_MARKING, allowedCidrs: [], password: '' };
      return new EditConflict(current, settings, versionOf(now), stampOf(now));
    },
  );
}

/** Ids of the given sessions with self-marking switched on (the sessions list's badge). */
export async function selfMarkingEnabledIds(courseId: string, activityId: string, sessionIds: string[]): Promise<Set<string>> {
  const docs = await AttendanceSessionModel.find({ courseId, activityId, _id: { $in: sessionIds } }, { selfMarking: 1 }).lean<Array<{ _id: string } & SessionExtras>>();
  return new Set(docs.filter((d) => d.selfMarking?.enabled === true).map((d) => d._id));
}
