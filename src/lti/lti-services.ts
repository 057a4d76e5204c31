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

export interface LtiServices {
  /** Every member of the context, following every NRPS page. Throws LtiServiceError. */
  getMembers(endpoints: ServiceEndpoints): Promise<RosterMember[]>;
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

export class LtiServiceError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'LtiServiceError';
  }
}
