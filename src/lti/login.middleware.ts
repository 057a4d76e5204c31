import type { RequestHandler } from 'express';
import { Refusal } from '../shared/errors';
import { asyncHandler } from '../shared/async-handler';
import { LoginAttemptModel } from './login-attempt.model';

const LOGIN_PARAMS = ['iss', 'login_hint', 'target_link_uri', 'lti_message_hint', 'client_id', 'lti_deployment_id'] as const;
type LoginParams = Partial<Record<(typeof LOGIN_PARAMS)[number], string>>;

function pickParams(source: Record<string, unknown>): LoginParams {
  const out: LoginParams = {};
  for (const key of LOGIN_PARAMS) {
    const value = source[key];
    if (typeof value === 'string' && value.length <= 2048) out[key] = value;
  }
  return out;
}

/**
 * Runs before ltijs's /login: refuses incomplete or foreign login requests with a friendly
 * page (ltijs would answer raw JSON) and remembers the parameters under ltijs's `state`.
 */
export function loginMiddleware(opts: { publicUrl: string; now: () => Date }): RequestHandler {
  const ownOrigin = new URL(opts.publicUrl).origin;
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

    const redirect = res.redirect.bind(res) as (url: string) => void;
    (res as unknown as { redirect: (url: string) => void }).redirect = (url: string) => {
      let state: string | null = null;
      try {
        state = new URL(url).searchParams.get('state');
      } catch {
        /* not an absolute URL: nothing to remember */
      }
      if (!state) return redirect(url);
      LoginAttemptModel.updateOne({ state }, { $set: { params, createdAt: opts.now() } }, { upsert: true })
        .catch(() => undefined) // remembering is a convenience; never block the launch on it
        .finally(() => redirect(url));
    };
    next();
  });
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
