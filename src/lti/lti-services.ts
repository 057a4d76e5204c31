/**
 * What the rest of the tool may ask of the LMS, in our own words (ltijs stays in src/lti).
 * Background jobs call these without a live launch: the endpoints come from the Activity.
 */
export interface ServiceEndpoints {
  issuer: string;
  clientId: string;
  deploymentId: string;
  nrpsUrl?: string;
  agsLineItemsUrl?: string;
  agsLineItemUrl?: string;
  /** The AGS scopes the launch granted (choosing the scope to ask a token for). */
  agsScopes?: string[];
}

export interface RosterMember {
  userId: string;
  givenName?: string;
  familyName?: string;
  name?: string;
  email?: string;
  sourcedId?: string;
  username?: string;
  /** As the LMS sent them: full URIs or short names. */
  roles: string[];
  status: 'Active' | 'Inactive' | 'Deleted';
}

/** A gradebook column (AGS line item) as the LMS describes it; `id` is its URL. */
export interface AgsLineItem {
  id: string;
  label?: string;
  scoreMaximum?: number;
  resourceLinkId?: string;
  resourceId?: string;
  tag?: string;
}

export interface NewLineItem {
  label: string;
  scoreMaximum: number;
  resourceLinkId: string;
  tag: string;
  resourceId?: string;
}

/** An AGS score (application/vnd.ims.lis.v1.score+json). Without scoreGiven it clears the grade. */
export interface AgsScore {
  userId: string;
  scoreGiven?: number;
  scoreMaximum?: number;
  activityProgress: 'Initialized' | 'Started' | 'InProgress' | 'Submitted' | 'Completed';
  gradingProgress: 'FullyGraded' | 'Pending' | 'PendingManual' | 'Failed' | 'NotReady';
  timestamp: string;
  comment?: string;
}

/**
 * Assignment and Grade Services. Every call throws LtiServiceError (AGS_FAILURE_REASONS); a
 * line item the LMS no longer has is reported as `line_item_not_found` (status 404).
 */
export interface AgsServices {
  /** Line items of the context matching the filters (all pages). Needs `agsLineItemsUrl`. */
  findLineItems(endpoints: ServiceEndpoints, filter: { resourceLinkId?: string; tag?: string }): Promise<AgsLineItem[]>;
  /** Creates a line item in the context. Needs `agsLineItemsUrl`. */
  createLineItem(endpoints: ServiceEndpoints, item: NewLineItem): Promise<AgsLineItem>;
  /** Posts one score to `<line item path>/scores?<line item query>`. */
  postScore(endpoints: ServiceEndpoints, lineItemUrl: string, score: AgsScore): Promise<void>;
}

/**
 * The AGS operations are optional here so that fakes written for NRPS alone (roster tests) stay
 * valid; createLtiServices() always provides them and grade sync asks for them with agsFrom().
 */
export interface LtiServices extends Partial<AgsServices> {
  /** Every member of the context, following every NRPS page. Throws LtiServiceError. */
  getMembers(endpoints: ServiceEndpoints): Promise<RosterMember[]>;
}

/** The AGS half of a services object; throws at start-up when it has none (a wiring mistake). */
export function agsFrom(lti: LtiServices): AgsServices {
  const { findLineItems, createLineItem, postScore } = lti;
  if (!findLineItems || !createLineItem || !postScore) throw new Error('These LTI services have no AGS operations');
  return { findLineItems, createLineItem, postScore };
}

/** Short reason codes an NRPS failure is reported with (LtiServiceError.message). */
export const NRPS_FAILURE_REASONS = [
  'platform_unknown',
  'platform_inactive',
  'token_refused',
  'lms_error',
  'unreachable',
  'timeout',
  'bad_response',
  'unknown',
] as const;
export type NrpsFailureReason = (typeof NRPS_FAILURE_REASONS)[number];

/**
 * AGS failures: the NRPS reasons plus `line_item_not_found` (the LMS deleted the column),
 * `rejected` (a 4xx that retrying the same request will not fix) and `ags_unavailable` (the
 * activity has no AGS endpoints: the LMS did not grant the service).
 */
export const AGS_FAILURE_REASONS = [...NRPS_FAILURE_REASONS, 'line_item_not_found', 'rejected', 'ags_unavailable'] as const;
export type AgsFailureReason = (typeof AGS_FAILURE_REASONS)[number];

/**
 * `message` is the reason code; `status` the LMS's HTTP status when there was one; `lmsMessage`
 * the LMS's own explanation, already made safe to store and show (lmsMessage() in
 * service-http.adapter.ts: bounded, no addresses, no stack traces).
 */
export class LtiServiceError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly lmsMessage?: string,
  ) {
    super(message);
    this.name = 'LtiServiceError';
  }
}
