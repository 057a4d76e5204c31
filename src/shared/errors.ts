import type { Vars } from '../i18n/i18n';

/**
 * Domain errors carry an i18n message key; the error-handler middleware turns them into a
 * translated page (or JSON for scripts) with the right status. Services never see HTTP.
 */
export class DomainError extends Error {
  constructor(
    readonly messageKey: string,
    readonly status: number = 400,
    readonly vars: Vars = {},
  ) {
    super(messageKey);
    this.name = 'DomainError';
  }
}

/** Why a launch or request was refused. Each kind has refusal.<kind>.{title,message,hint} keys. */
export const REFUSAL_STATUS = {
  malformed_launch: 400,
  bad_login_request: 400,
  unregistered_platform: 400,
  invalid_launch: 401,
  cookies_blocked: 401,
  session_expired: 401,
  platform_inactive: 403,
  deployment_not_allowed: 403,
  wrong_role: 403,
  wrong_activity: 403,
  not_found: 404,
  dynreg_unavailable: 404,
  rate_limited: 429,
  cross_site: 403,
  unavailable: 503,
} as const;

export type RefusalKind = keyof typeof REFUSAL_STATUS;

export interface RefusalAction {
  href: string;
  labelKey: string;
  newWindow?: boolean;
}

export class Refusal extends DomainError {
  constructor(
    readonly kind: RefusalKind,
    /** Machine-readable reason for logs and JSON clients (e.g. NONCE_ALREADY_RECEIVED). */
    readonly reason?: string,
    readonly action?: RefusalAction,
  ) {
    super(`refusal.${kind}.message`, REFUSAL_STATUS[kind]);
    this.name = 'Refusal';
  }
}
