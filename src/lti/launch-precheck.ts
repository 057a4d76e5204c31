/**
 * Structural checks of an id_token before ltijs verifies it. Pure. We only ever *refuse*
 * here (never accept), so reading the payload before the signature check is safe; what it
 * buys is a precise, translated refusal for the malformed launches of the 1EdTech
 * certification suite instead of ltijs's raw 401 JSON, plus checks ltijs skips (nonce, exp,
 * iat in the future, roles must be an array).
 */

export type PrecheckResult = { ok: true; nonce: string } | { ok: false; kind: 'malformed_launch' | 'invalid_launch'; reason: string };

const CLAIM = 'https://purl.imsglobal.org/spec/lti/claim/';
const MESSAGE_TYPES = new Set(['LtiResourceLinkRequest', 'LtiDeepLinkingRequest']);
const MAX_ID = 255;

function decodePart(part: string | undefined): Record<string, unknown> | undefined {
  if (!part || !/^[A-Za-z0-9_-]+$/.test(part)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const isId = (v: unknown): boolean => typeof v === 'string' && v.length > 0 && v.length <= MAX_ID;

export function precheckIdToken(idToken: unknown, nowSeconds: number, allowedSkewSeconds = 60): PrecheckResult {
  const malformed = (reason: string): PrecheckResult => ({ ok: false, kind: 'malformed_launch', reason });
  if (typeof idToken !== 'string' || idToken.length > 64 * 1024) return malformed('INVALID_JWT');
  const parts = idToken.split('.');
  if (parts.length !== 3) return malformed('INVALID_JWT');
  const header = decodePart(parts[0]);
  const payload = decodePart(parts[1]);
  if (!header || !payload) return malformed('INVALID_JWT');
  if (header.alg !== 'RS256') return { ok: false, kind: 'invalid_launch', reason: 'ALG_NOT_RS256' };

  if (typeof payload.iss !== 'string' || payload.iss === '') return malformed('NO_ISS_CLAIM');
  const aud = payload.aud;
  if (!((typeof aud === 'string' && aud !== '') || (Array.isArray(aud) && aud.length > 0 && aud.every((a) => typeof a === 'string')))) {
    return malformed('NO_AUD_CLAIM');
  }
  if (!isId(payload.sub)) return malformed('NO_SUB_CLAIM');
  if (typeof payload.nonce !== 'string' || payload.nonce === '') return malformed('NO_NONCE_CLAIM');

  const version = payload[`${CLAIM}version`];
  if (version === undefined) return malformed('NO_LTI_VERSION_CLAIM');
  if (version !== '1.3.0') return malformed('WRONG_LTI_VERSION_CLAIM');

  const messageType = payload[`${CLAIM}message_type`];
  if (typeof messageType !== 'string' || messageType === '') return malformed('NO_MESSAGE_TYPE_CLAIM');
  if (!MESSAGE_TYPES.has(messageType)) return malformed('UNSUPPORTED_MESSAGE_TYPE');

  if (!isId(payload[`${CLAIM}deployment_id`])) return malformed('NO_DEPLOYMENT_ID_CLAIM');

  const roles = payload[`${CLAIM}roles`];
  // An empty list or [""] is a valid launch (limited view); a missing claim is not.
  if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string')) return malformed('NO_ROLES_CLAIM');

  if (messageType === 'LtiResourceLinkRequest') {
    const link = payload[`${CLAIM}resource_link`] as { id?: unknown } | undefined;
    if (!link || typeof link !== 'object' || !isId(link.id)) return malformed('NO_RESOURCE_LINK_ID_CLAIM');
  }
  const context = payload[`${CLAIM}context`] as { id?: unknown } | undefined;
  if (context !== undefined && (context === null || typeof context !== 'object' || !isId(context.id))) {
    return malformed('BAD_CONTEXT_CLAIM');
  }

  if (typeof payload.iat !== 'number' || typeof payload.exp !== 'number') return malformed('NO_TIMESTAMPS');
  if (payload.exp <= nowSeconds) return { ok: false, kind: 'invalid_launch', reason: 'TOKEN_EXPIRED' };
  if (payload.iat > nowSeconds + allowedSkewSeconds) return { ok: false, kind: 'invalid_launch', reason: 'IAT_IN_FUTURE' };
  return { ok: true, nonce: payload.nonce };
}
