import { randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';
import { sendRefusal } from '../shared/error-handler.middleware';
import { Refusal } from '../shared/errors';
import { asyncHandler } from '../shared/async-handler';
import { hit, RateRule } from '../shared/rate-limit.service';
import { LoginAttemptModel } from './login-attempt.model';

const LOGIN_PARAMS = ['iss', 'login_hint', 'target_link_uri', 'lti_message_hint', 'client_id', 'lti_deployment_id'] as const;
type LoginParams = Partial<Record<(typeof LOGIN_PARAMS)[number], string>>;

/** How long after the login its id_token may arrive (ltijs's own state cookie lives 1 minute). */
export const LOGIN_VALID_MS = 10 * 60_000;

function pickParams(source: Record<string, unknown>): LoginParams {
  const out: LoginParams = {};
  for (const key of LOGIN_PARAMS) {
    const value = source[key];
    if (typeof value === 'string' && value.length <= 2048) out[key] = value;
  }
  return out;
}

export interface LoginMiddlewareOptions {
  publicUrl: string;
  now: () => Date;
  /** Whether a login names a registered LMS (issuer + client id, or issuer alone); `refresh` re-reads them first. */
  knowsLogin: (issuer: string, clientId: string | undefined, refresh: boolean) => Promise<boolean>;
  /** Logins naming no registered LMS, per client address (0 = no limit). */
  unregisteredPer10Minutes: number;
  /** ltijs's own failure answer (for the log; never shown). */
  onLtijsFailure?: (body: unknown) => void;
}

/**
 * ltijs makes the OIDC nonce with Math.random() and only checks that it was not seen before;
 * we replace it with 256 random bits and remember it with the state, so that the launch can
 * demand exactly this nonce back (see consumeLogin).
 */
function bindNonce(location: string): { url: string; state: string; nonce: string } | undefined {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return undefined; // not an absolute URL: not ltijs's authorization redirect
  }
  const state = url.searchParams.get('state');
  if (!state || !url.searchParams.has('nonce')) return undefined;
  const nonce = randomBytes(32).toString('base64url');
  url.searchParams.set('nonce', nonce);
  return { url: url.href, state, nonce };
}

/**
 * Runs before ltijs's /login: refuses incomplete, foreign or unregistered login requests with a
 * friendly page (ltijs would answer raw JSON), slows floods of unregistered ones per address,
 * and for registered LMSs stores the state with the nonce it binds into the redirect.
 */
export function loginMiddleware(opts: LoginMiddlewareOptions): RequestHandler {
  const ownOrigin = new URL(opts.publicUrl).origin;
  const unregistered: RateRule = { name: 'login-unregistered', limit: opts.unregisteredPer10Minutes, windowMs: 10 * 60_000 };
  return asyncHandler(async (req, res, next) => {
    const params = pickParams({ ...(req.query as Record<string, unknown>), ...((req.body as Record<string, unknown>) ?? {}) });
    if (!params.iss || !params.login_hint || !params.target_link_uri) {
      throw new Refusal('bad_login_request', 'MISSING_LOGIN_PARAMETERS');
    }
    let target: URL;
    try {
      target = new URL(params.target_link_uri);
    } catch {
      throw new Refusal('bad_login_request', 'BAD_TARGET_LINK_URI');
    }
    // The LMS must send people to this tool, not through it to somewhere else.
    if (target.origin !== ownOrigin) throw new Refusal('bad_login_request', 'FOREIGN_TARGET_LINK_URI');

    // Not in this instance's snapshot: counted per address before the registrations are re-read,
    // so a flood of made-up issuers costs one counter update each and then a 429.
    if (!(await opts.knowsLogin(params.iss, params.client_id, false))) {
      const limit = await hit(unregistered, req.ip ?? 'unknown', opts.now());
      if (limit.blocked) {
        res.set('Retry-After', String(limit.retryAfterSeconds));
        throw new Refusal('rate_limited', 'LOGIN_RATE_LIMITED');
      }
      if (!(await opts.knowsLogin(params.iss, params.client_id, true))) throw new Refusal('unregistered_platform', 'UNREGISTERED_PLATFORM');
    }

    // ltijs answers its own failures on /login (its database away) with a raw 500 JSON body that
    // carries the driver's error text: the person gets our calm page instead.
    const send = res.send.bind(res);
    res.send = ((body?: unknown) => {
      if (res.statusCode < 500) return send(body);
      res.send = send;
      res.statusCode = 200;
      opts.onLtijsFailure?.(body);
      sendRefusal(req, res, new Refusal('unavailable', 'LOGIN_FAILED'));
      return res;
    }) as typeof res.send;

    const redirect = res.redirect.bind(res) as (url: string) => void;
    (res as unknown as { redirect: (url: string) => void }).redirect = (location: string) => {
      const bound = bindNonce(location);
      if (!bound) return redirect(location);
      rememberLogin(bound.state, bound.nonce, params, opts.now())
        .then(() => redirect(bound.url))
        .catch(next);
    };
    next();
  });
}

async function rememberLogin(state: string, nonce: string, params: LoginParams, now: Date): Promise<void> {
  // Without this record the launch cannot be checked, so a failure here fails the login.
  await LoginAttemptModel.collection.updateOne({ state }, { $set: { nonce, params, createdAt: now }, $unset: { usedAt: '' } }, { upsert: true });
}

/**
 * Binds an arriving id_token to the login that asked for it: the state must be one this tool
 * issued in the last LOGIN_VALID_MS and not used before (marked used in the same atomic step),
 * and the id_token's nonce must be the one put into that login's redirect.
 */
export async function consumeLogin(state: unknown, nonce: string, now: Date): Promise<void> {
  if (typeof state !== 'string' || state.length === 0 || state.length > 200) throw new Refusal('invalid_launch', 'STATE_MISSING');
  const attempt = await LoginAttemptModel.collection.findOneAndUpdate(
    { state, usedAt: null, createdAt: { $gt: new Date(now.getTime() - LOGIN_VALID_MS) } },
    { $set: { usedAt: now } },
    { projection: { nonce: 1 } },
  );
  if (!attempt) throw new Refusal('invalid_launch', 'STATE_UNKNOWN_OR_USED');
  if (typeof attempt.nonce !== 'string' || attempt.nonce !== nonce) throw new Refusal('invalid_launch', 'NONCE_MISMATCH');
}

/** Rebuilds a login URL from a remembered attempt, for "open in a new window". */
export async function relaunchUrlForState(state: unknown, publicUrl: string): Promise<string | undefined> {
  if (typeof state !== 'string' || state.length === 0 || state.length > 200) return undefined;
  const attempt = await LoginAttemptModel.findOne({ state }).lean();
  if (!attempt?.params) return undefined;
  const query = new URLSearchParams();
  for (const key of LOGIN_PARAMS) {
    const value = attempt.params[key];
    if (typeof value === 'string') query.set(key, value);
  }
  return `${publicUrl}/login?${query.toString()}`;
}
