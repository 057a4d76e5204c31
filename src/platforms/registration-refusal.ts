/**
 * Every way a dynamic registration can be refused, with the HTTP status of its page. The page
 * shows a translated reason (registration.errors.<kind>.*), never what the network said: a
 * remote body, an error code or a port would turn /register into a scanner of the tool's
 * network. Those details go to the log only.
 */
export const REGISTRATION_REFUSALS = {
  link_missing: 403,
  link_invalid: 403,
  missing_parameters: 400,
  invalid_configuration_url: 400,
  host_not_allowed: 403,
  address_not_allowed: 403,
  rate_limited: 429,
  configuration_unreachable: 502,
  configuration_too_large: 502,
  configuration_not_json: 502,
  configuration_incomplete: 502,
  issuer_mismatch: 403,
  registration_endpoint_mismatch: 403,
  token_rejected: 403,
  registration_failed: 502,
  registration_answer_invalid: 502,
  already_registered: 409,
} as const;

export type RegistrationRefusalKind = keyof typeof REGISTRATION_REFUSALS;

export class RegistrationRefusal extends Error {
  readonly status: number;
  /** Set once the attempt has spent a use of its registration link (the page then says so). */
  linkSpent = false;
  constructor(
    readonly kind: RegistrationRefusalKind,
    /** For the log only: may hold what the LMS or the network said. */
    readonly detail?: string,
    /**
     * Shown (escaped) on the page. Only text the tool itself wrote from its own checks (missing
     * parameter names, missing configuration fields, the issuer and client id it was told), never
     * anything that reveals how the network answered.
     */
    readonly shown?: string,
  ) {
    super(detail ? `${kind}: ${detail}` : kind);
    this.name = 'RegistrationRefusal';
    this.status = REGISTRATION_REFUSALS[kind];
  }
}
