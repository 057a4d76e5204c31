import type { LtiResourceLinkItem } from '../lti/deep-linking.adapter';
import type { LmsKind } from '../platforms/platform.schema';
import { hasAtMostTwoDecimals } from '../status-sets/status-rules';
import { DEEP_LINK_LIMITS, type DeepLinkingFormInput, parseDecimal } from './deep-linking.schema';

/**
 * Deep linking, pure parts: the content item a teacher's choices become, the grading those
 * choices carry to the activity's first launch, and the one CSP change the return page needs.
 */

/** Our line items are tagged so grade sync can tell them from the LMS's other columns. */
export const LINE_ITEM_TAG = 'lti-attendance';

/**
 * Custom parameters on the resource link. The resource link (and so our Activity) does not
 * exist yet when the teacher chooses the grading, so the choice travels with every launch of
 * the link and is applied when its Activity is created (launch.service.ts).
 * `username` is the substitution docs/admin-guide.md asks Moodle admins to configure (ltijs drops `ext`).
 */
export const CUSTOM_PARAMS = { gradeType: 'grade_type', maxGrade: 'max_grade', username: 'username' } as const;
export const USERNAME_VARIABLE = '$User.username';

export function resourceLinkItem(
  input: DeepLinkingFormInput,
  opts: { launchUrl: string; resourceId: string },
): LtiResourceLinkItem {
  const custom: Record<string, string> = {
    [CUSTOM_PARAMS.username]: USERNAME_VARIABLE,
    [CUSTOM_PARAMS.gradeType]: input.gradeType,
  };
  const item: LtiResourceLinkItem = { type: 'ltiResourceLink', title: input.title, url: opts.launchUrl, custom };
  if (input.description !== '') item.text = input.description;
  if (input.gradeType === 'points' && input.maxGrade !== undefined) {
    custom[CUSTOM_PARAMS.maxGrade] = String(input.maxGrade);
    item.lineItem = { scoreMaximum: input.maxGrade, label: input.title, resourceId: opts.resourceId, tag: LINE_ITEM_TAG };
  }
  return item;
}

export type LaunchGrading = { type: 'none' } | { type: 'points'; maxGrade?: number };

/**
 * The grading a launch's custom parameters ask for; undefined when they ask for nothing
 * usable. A bad max grade is dropped (the activity keeps its default) rather than refusing a launch.
 */
export function gradingFromCustom(custom: Readonly<Record<string, unknown>> | undefined): LaunchGrading | undefined {
  const value = (key: string): string | undefined => {
    const v = custom?.[key];
    return typeof v === 'string' || typeof v === 'number' ? String(v).trim() : undefined;
  };
  const type = value(CUSTOM_PARAMS.gradeType);
  if (type === 'none') return { type: 'none' };
  if (type !== 'points') return undefined;
  const max = parseDecimal(value(CUSTOM_PARAMS.maxGrade) ?? '');
  const valid = max > 0 && max <= DEEP_LINK_LIMITS.maxGradeMax && hasAtMostTwoDecimals(max);
  return valid ? { type: 'points', maxGrade: max } : { type: 'points' };
}

/**
 * The CSP for the one page that POSTs the response to the LMS: `form-action` gains the LMS
 * return URL's origin; every other directive (script-src 'self', frame-ancestors …) stays.
 */
export function allowFormActionTo(csp: string, returnUrl: string): string {
  const origin = new URL(returnUrl).origin;
  let found = false;
  const directives = csp
    .split(';')
    .map((d) => d.trim())
    .filter((d) => d !== '')
    .map((d) => {
      if (!/^form-action(\s|$)/i.test(d)) return d;
      found = true;
      return `${d} ${origin}`;
    });
  if (!found) directives.push(`form-action 'self' ${origin}`);
  return directives.join(';');
}

/**
 * Where Open edX takes deep-linking responses: `{lms}/api/lti_consumer/v1/lti/{config id}/lti-dl/response`
 * (openedx/xblock-lti-consumer, lti_consumer/utils.py, get_lti_deeplinking_response_url).
 * Open edX sends no tool_platform claim (lti_consumer/lti_1p3/constants.py, LTI_BASE_MESSAGE,
 * holds only message_type and version), so this address is what gives it away.
 */
const OPENEDX_DEEP_LINKING_RETURN = /\/api\/lti_consumer\/v1\/lti\/[^/]+\/lti-dl\/response\/?$/;

/**
 * Whether the content picker was opened by Open edX, whose deep linking differs: every response
 * replaces the block's earlier items (lti_consumer/plugin/views.py, deep_linking_response_endpoint:
 * "Erase older deep linking selection"), so an empty response erases them, and a returned
 * lineItem is ignored. The registration's `lms` (set by the admin) decides; an unmarked
 * registration is recognised by Open edX's return address.
 */
export function isOpenEdxDeepLinking(registered: LmsKind | undefined, returnUrl: string): boolean {
  if (registered !== undefined) return registered === 'openedx';
  return URL.canParse(returnUrl) && OPENEDX_DEEP_LINKING_RETURN.test(new URL(returnUrl).pathname);
}
