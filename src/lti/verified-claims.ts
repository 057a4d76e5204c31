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
 * The launch handler runs on the request after ltijs's redirect (possibly on another
 * instance), so the claims travel in ltijs's own idtoken document: the same request stores it
 * right after validateToken returns, and ltijs-store.ts adds `verifiedClaims` from
 * `claimsToStore` (no write and no read of their own). Launches stored by an earlier release
 * kept them in the `verified_claims` collection, which is still read when the field is absent.
 */

export interface VerifiedUserClaims {
  preferredUsername?: string;
}

export interface ClaimsKey { issuer: string; clientId: string; deploymentId: string; userId: string }

const DEPLOYMENT_ID = 'https://purl.imsglobal.org/spec/lti/claim/deployment_id';

type ValidateToken = (...args: unknown[]) => Promise<unknown>;

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

/**
 * Claims verified moments ago, by idtoken key, until ltijs stores that idtoken in the same
 * request. Kept briefly rather than taken once: two tabs of the same user launching at once
 * both find the (same person's) latest claims. Bounded by age and count.
 */
const pending = new Map<string, { claims: VerifiedUserClaims; atMs: number }>();
const PENDING_MS = 60_000;
const PENDING_MAX = 10_000;

function remember(payload: unknown, nowMs: number): void {
  if (typeof payload !== 'object' || payload === null) return;
  const p = payload as Record<string, unknown>;
  const key = keyOf(p);
  if (!key) return;
  const id = verifiedClaimsId(key);
  pending.delete(id);
  pending.set(id, { claims: claimsOf(p), atMs: nowMs });
  for (const [oldest, entry] of pending) {
    if (pending.size <= PENDING_MAX && entry.atMs > nowMs - PENDING_MS) break;
    pending.delete(oldest);
  }
}

/** For ltijs-store.ts: the claims to store with the idtoken of this user and platform, if just verified. */
export function claimsToStore(key: ClaimsKey, nowMs: number): VerifiedUserClaims | undefined {
  const entry = pending.get(verifiedClaimsId(key));
  return entry && entry.atMs > nowMs - PENDING_MS ? entry.claims : undefined;
}

/** The claims ltijs-store.ts stored in the idtoken (res.locals.token), or undefined for an older launch. */
export function storedClaims(token: unknown): VerifiedUserClaims | undefined {
  const claims = (token as { verifiedClaims?: unknown } | undefined)?.verifiedClaims;
  if (typeof claims !== 'object' || claims === null) return undefined;
  const u = (claims as { preferredUsername?: unknown }).preferredUsername;
  return typeof u === 'string' && u !== '' ? { preferredUsername: u } : {};
}

/** Installs the wrapper once per module registry. */
export function captureVerifiedClaims(now: () => Date = () => new Date()): void {
  if (installed) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Auth = require('ltijs/dist/Utils/Auth') as { validateToken?: ValidateToken };
  const original = Auth.validateToken;
  // An ltijs upgrade that moves this must be noticed, not silently lose the usernames.
  if (typeof original !== 'function') throw new Error('ltijs Utils/Auth.validateToken not found: re-check src/lti/verified-claims.ts against the installed ltijs');
  installed = true;
  Auth.validateToken = async function validateTokenAndRemember(this: unknown, ...args: unknown[]) {
    const verified = await original.apply(this, args);
    remember(verified, now().getTime());
    return verified;
  };
}

/** An earlier release's record of the claims (launches it stored; see the header). */
export async function verifiedClaimsFor(key: ClaimsKey): Promise<VerifiedUserClaims> {
  const doc = await VerifiedClaimsModel.findOne({ _id: verifiedClaimsId(key) }, { preferredUsername: 1 }).lean<{ preferredUsername?: string | null }>();
  return doc?.preferredUsername ? { preferredUsername: doc.preferredUsername } : {};
}
