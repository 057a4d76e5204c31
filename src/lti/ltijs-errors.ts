import { isDatabaseDown } from '../shared/database-errors';
import type { RefusalKind } from '../shared/errors';

/**
 * ltijs reports failures as message strings in res.locals.err.details.message: its own codes
 * (MISSING_VALIDATION_COOKIE), jsonwebtoken's messages ('invalid signature'), and — when its
 * database is unreachable — the driver's error text, which names internal addresses. Pure.
 */

/** jsonwebtoken's messages, turned into codes a page may show. */
const JWT_MESSAGES: Record<string, string> = {
  'maxAge exceeded': 'LTIK_EXPIRED',
  'invalid signature': 'INVALID_SIGNATURE',
  'jwt malformed': 'INVALID_JWT',
  'jwt expired': 'TOKEN_EXPIRED',
  'invalid token': 'INVALID_JWT',
  'jwt signature is required': 'INVALID_SIGNATURE',
};

/**
 * What may be shown as the page's reference and sent in JSON: an upper-case code only. Anything
 * else (an internal error text) becomes undefined and stays in the log.
 */
export function publicReason(message: string | undefined): string | undefined {
  if (typeof message !== 'string') return undefined;
  const mapped = JWT_MESSAGES[message];
  if (mapped) return mapped;
  return /^[A-Z][A-Z0-9_]{1,63}$/.test(message) ? message : undefined;
}

export function refusalForLtijsError(message: string | undefined, hadIdToken: boolean): RefusalKind {
  if (isDatabaseDown(message)) return 'unavailable';
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

/**
 * An LMS checking the tool URL, not a person's launch: Moodle fetches the launch URL with a plain
 * GET (no id_token, no state) whenever an activity or the tool settings are saved, to see whether
 * it is a cartridge. ltijs refuses such a request as NO_LTIK_OR_IDTOKEN_FOUND (it carries no ltik
 * either); it is logged at debug, or every save would add an info line that looks like a failure.
 */
export function isTokenlessProbe(req: { method: string; body?: unknown; query?: unknown }, message: string | undefined): boolean {
  if (message !== 'NO_LTIK_OR_IDTOKEN_FOUND') return false;
  const field = (source: unknown, name: string) => (source && typeof source === 'object' ? (source as Record<string, unknown>)[name] : undefined);
  const method = req.method.toUpperCase();
  if (method === 'GET' || method === 'HEAD') return field(req.query, 'id_token') === undefined && field(req.query, 'state') === undefined;
  return method === 'POST' && field(req.body, 'id_token') === undefined;
}
