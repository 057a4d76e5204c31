import { ActivityModel } from '../courses/activity.model';
import { DEFAULT_TEACHING_ASSISTANT_POLICY, isTeachingAssistantPolicy, type TeachingAssistantPolicy } from '../lti/roles';
import { EditConflict } from '../shared/edit-conflict';
import { Refusal } from '../shared/errors';
import { type EditStamp, type Editor, stampOf, versionOf } from '../shared/versioned';
import { saveVersioned } from '../shared/versioned-update.service';

/**
 * An activity's teaching-assistant setting (src/lti/roles.ts TeachingAssistantPolicy), scoped by
 * (courseId, activityId). Read at every teaching-assistant launch and request, so a change
 * applies to a TA's very next page.
 */

export interface TeachingAssistantSetting {
  policy: TeachingAssistantPolicy;
  /** The setting was never saved: the default applies. */
  isDefault: boolean;
  version: number;
  lastEdit?: EditStamp;
}

/** A save from a stale form: the setting as stored now, and the refused one. */
export type TeachingAssistantConflict = EditConflict<TeachingAssistantPolicy, TeachingAssistantPolicy>;

type Stored = { policy?: string | null; version?: number | null; lastEdit?: { by?: string | null; name?: string | null; at?: Date | null } | null } | null | undefined;

function toSetting(stored: Stored): TeachingAssistantSetting {
  const policy = isTeachingAssistantPolicy(stored?.policy) ? stored.policy : undefined;
  return { policy: policy ?? DEFAULT_TEACHING_ASSISTANT_POLICY, isDefault: policy === undefined, version: versionOf(stored), lastEdit: stampOf(stored) };
}

export async function loadTeachingAssistantSetting(courseId: string, activityId: string): Promise<TeachingAssistantSetting> {
  const activity = await ActivityModel.findOne({ _id: activityId, courseId }, { teachingAssistants: 1 }).lean();
  if (!activity) throw new Refusal('not_found', 'ACTIVITY_NOT_FOUND');
  return toSetting(activity.teachingAssistants);
}

/** For role decisions: an activity that is not (or no longer) there has the default setting. */
export async function teachingAssistantPolicyOf(courseId: string, activityId: string): Promise<TeachingAssistantPolicy> {
  const activity = await ActivityModel.findOne({ _id: activityId, courseId }, { teachingAssistants: 1 }).lean();
  return toSetting(activity?.teachingAssistants).policy;
}

/** Saves the setting if it is still at the version the form was rendered from, else throws a TeachingAssistantConflict. */
export async function saveTeachingAssistantPolicy(
  courseId: string, activityId: string, policy: TeachingAssistantPolicy, guard: { expected: number; editor: Editor },
): Promise<void> {
  await saveVersioned(
    { model: ActivityModel, scope: { _id: activityId, courseId }, within: 'teachingAssistants', expected: guard.expected, editor: guard.editor, set: { policy } },
    () => new Refusal('not_found', 'ACTIVITY_NOT_FOUND'),
    async () => {
      const now = await loadTeachingAssistantSetting(courseId, activityId);
      return new EditConflict(now.policy, policy, now.version, now.lastEdit);
    },
  );
}
