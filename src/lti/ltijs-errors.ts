import type { RefusalKind } from '../shared/errors';

/**
 * ltijs reports failures as message strings in res.locals.err.details.message. Maps them to
 * the refusal page a person should see. Pure.
 */
export function refusalForLtijsError(message: string | undefined, hadIdToken: boolean): RefusalKind {
  switch (message) {
    case 'MISSING_VALIDATION_COOKIE':
      return 'cookies_blocked';
    case 'UNREGISTERED_PLATFORM':
      return 'unregistered_platform';
    case 'PLATFORM_NOT_ACTIVATED':
      return 'platform_inactive';
    case 'NO_MESSAGE_TYPE_CLAIM':
    case 'NO_TARGET_LINK_URI_CLAIM':
    case 'NO_RESOURCE_LINK_ID_CLAIM':
    case 'NO_LTI_VERSION_CLAIM':
    case 'WRONG_LTI_VERSION_CLAIM':
    case 'NO_DEPLOYMENT_ID_CLAIM':
    case 'NO_SUB_CLAIM':
    case 'NO_ROLES_CLAIM':
    case 'INVALID_JWT_RECEIVED':
      return 'malformed_launch';
    default:
      // A bad id_token is a refused launch; a bad or stale ltik is an expired session.
      return hadIdToken ? 'invalid_launch' : 'session_expired';
  }
}
