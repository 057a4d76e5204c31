import { z } from 'zod';
import { TEACHING_ASSISTANT_POLICIES, type TeachingAssistantPolicy } from '../lti/roles';

const policyForm = z.object({ policy: z.enum(TEACHING_ASSISTANT_POLICIES) });

/** The teaching-assistant form's choice, or undefined when none of the offered values came. */
export function parsePolicyForm(body: unknown): TeachingAssistantPolicy | undefined {
  const parsed = policyForm.safeParse(body);
  return parsed.success ? parsed.data.policy : undefined;
}
