import type { Logger } from '../shared/logger';
import { VerifiedClaimsModel, verifiedClaimsId } from './verified-claims.model';

/**
 * ltijs keeps only given_name, family_name, name and email of the id_token's user claims
 * (res.locals.token.userInfo); Open edX sends the username only as the OIDC claim
 * `preferred_username`. Reading it from the POSTed id_token ourselves would trust an
 * unverified claim, so we wrap ltijs's own `Auth.validateToken` (Provider calls
 * `Auth.validateToken(...)` at use time, see async-keygen.ts for the same pattern): the value
 * is taken from the payload that call returns, i.e. after ltijs checked the signature against
 * the platform's keys, the audience, nonce and age. A token that fails any check never gets
 * here; a request that carries a valid ltik *and* an id_token never calls validateToken at all.
 *
 * The launch handler runs on the request after ltijs's redirect, so the claims are stored
 * (VerifiedClaimsModel, keyed like ltijs's own idtoken) and read back there.
 */

export interface VerifiedUserClaims {
  preferredUsername?: string;
}

export interface ClaimsKey { issuer: string; clientId: string; deploymentId: string; userId: string }

const DEPLOYMENT_ID = 'https://purl.imsglobal.org/spec/lti/claim/deployment_id';

type ValidateToken = (...args: unknown[]) => Promise<unknown>;

let log: Logger | undefined;
let installed = false;

/** The claims we keep from a verified payload; a `$…` placeholder or a non-string is no value. */
export function claimsOf(payload: Record<string, unknown>): VerifiedUserClaims {
  const u = payload.preferred_username;
  return typeof u === 'string' && u.trim() !== '' && !u.startsWith('$') ? { preferredUsername: u.trim() } : {};
}

function keyOf(payload: Record<string, unknown>): ClaimsKey | undefined {
  const { iss, sub, clientId } = payload;
  const deploymentId = payload[DEPLOYMENT_ID];
  if (typeof iss !== 'string' || typeof sub !== 'string' || typeof clientId !== 'string' || typeof deploymentId !== 'string') return undefined;
  return { issuer: iss, clientId, deploymentId, userId: sub };
}

async function remember(payload: unknown, now: Date): Promise<void> {
  if (typeof payload !== 'object' || payload === null) return;
  const p = payload as Record<string, unknown>;
  const key = keyOf(p);
  if (!key) return;
  const claims = claimsOf(p);
  const update = claims.preferredUsername === undefined
    ? { $set: { ...key, verifiedAt: now }, $unset: { preferredUsername: 1 } }
    : { $set: { ...key, verifiedAt: now, preferredUsername: claims.preferredUsername } };
  try {
    await VerifiedClaimsModel.updateOne({ _id: verifiedClaimsId(key) }, update, { upsert: true });
  } catch (err) {
    // The launch goes on without them (the username then comes from elsewhere or stays as it was).
    log?.warn({ err }, 'could not store the verified id_token claims');
  }
}

/** Installs the wrapper once per module registry; `logger` receives storage failures. */
export function captureVerifiedClaims(logger: Logger, now: () => Date = () => new Date()): void {
  log = logger;
  if (installed) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Auth = require('ltijs/dist/Utils/Auth') as { validateToken?: ValidateToken };
  const original = Auth.validateToken;
  // An ltijs upgrade that moves this must be noticed, not silently lose the usernames.
  if (typeof original !== 'function') throw new Error('ltijs Utils/Auth.validateToken not found: re-check src/lti/verified-claims.ts against the installed ltijs');
  installed = true;
  Auth.validateToken = async function validateTokenAndRemember(this: unknown, ...args: unknown[]) {
    const verified = await original.apply(this, args);
    await remember(verified, now());
    return verified;
  };
}

/** The claims of the user's last verified id_token on that platform, if any. */
export async function verifiedClaimsFor(key: ClaimsKey): Promise<VerifiedUserClaims> {
  const doc = await VerifiedClaimsModel.findOne({ _id: verifiedClaimsId(key) }, { preferredUsername: 1 }).lean<{ preferredUsername?: string | null }>();
  return doc?.preferredUsername ? { preferredUsername: doc.preferredUsername } : {};
}
