import type { Translate } from '../i18n/i18n';
import { DEFAULT_TEACHING_ASSISTANT_POLICY, mapRoles, roleFacts, TEACHING_ASSISTANT_POLICIES, type TeachingAssistantPolicy } from '../lti/roles';
import { type ConflictContext, type ConflictView, formConflictView } from '../shared/edit-conflict.presenter';
import type { TeachingAssistantConflict, TeachingAssistantSetting } from './teaching-assistants.service';

/** The teaching-assistant section of the roster page (views/roster/_teaching-assistants.ejs). */

export const TEACHING_ASSISTANTS_FORM_ID = 'teaching-assistants-form';

export interface TeachingAssistantChoice {
  value: TeachingAssistantPolicy;
  label: string;
  isDefault: boolean;
  checked: boolean;
}

export interface TeachingAssistantsView {
  /** The rule in force, in words. */
  rule: string;
  /** Only a plain teacher gets the form: a teaching assistant must not be able to promote themselves. */
  canChange: boolean;
  choices: TeachingAssistantChoice[];
  version: number;
  formId: string;
  error?: string;
  saved: boolean;
  conflict?: ConflictView;
}

export interface TeachingAssistantsFormState {
  /** The posted choice, when the form comes back (undefined: nothing valid was chosen). */
  posted?: TeachingAssistantPolicy;
  invalid?: boolean;
  conflict?: TeachingAssistantConflict;
  saved?: boolean;
}

const policyText = (p: TeachingAssistantPolicy, t: Translate) => t(`roster.teaching_assistants.policy.${p}`);

export function toTeachingAssistantsView(
  setting: TeachingAssistantSetting,
  state: TeachingAssistantsFormState,
  o: { t: Translate; canChange: boolean; theirsHref: string; conflictContext: ConflictContext },
): TeachingAssistantsView {
  const shown = state.invalid ? undefined : (state.posted ?? setting.policy);
  const conflict = state.conflict
    ? formConflictView(state.conflict, {
        fields: [['policy', 'roster.teaching_assistants.field']],
        theirs: { policy: state.conflict.current },
        mine: { policy: state.conflict.submitted },
        show: (_key, value) => policyText(value, o.t),
        links: { theirsHref: o.theirsHref, formId: TEACHING_ASSISTANTS_FORM_ID },
      }, o.conflictContext)
    : undefined;
  return {
    rule: policyText(setting.policy, o.t),
    canChange: o.canChange,
    choices: TEACHING_ASSISTANT_POLICIES.map((value) => ({
      value, label: policyText(value, o.t), isDefault: value === DEFAULT_TEACHING_ASSISTANT_POLICY, checked: value === shown,
    })),
    version: state.conflict?.currentVersion ?? setting.version,
    formId: TEACHING_ASSISTANTS_FORM_ID,
    error: state.invalid ? o.t('roster.teaching_assistants.invalid') : undefined,
    saved: state.saved ?? false,
    conflict,
  };
}

/**
 * A roster row's role: teaching assistants are named as such, with what they may do in this
 * activity under its setting; everyone else by their course role.
 */
export function memberRoleLabel(
  member: { role: string; ltiRoles?: readonly string[] },
  policy: TeachingAssistantPolicy,
  t: Translate,
): string {
  const facts = roleFacts(member.ltiRoles ?? []);
  if (!facts.teachingAssistant) return t(`roles.${member.role}`);
  const takesAttendance = mapRoles(member.ltiRoles, { teachingAssistants: policy }) === 'teacher';
  const who = facts.learner ? 'student_assistant' : 'assistant';
  return t(`roster.teaching_assistants.role.${who}_${takesAttendance ? 'teacher' : 'student'}`);
}
