import { Provider } from 'ltijs';
import { createAgsServices, type AgsAdapterOptions } from './ags.adapter';
import { LtiServiceError, NRPS_FAILURE_REASONS, type AgsServices, type LtiServices, type NrpsFailureReason, type RosterMember, type ServiceEndpoints } from './lti-services';

/**
 * Names and Role Provisioning (NRPS) through ltijs. Background work has no live launch, so the
 * ltijs token is rebuilt from the endpoints stored on the Activity: NamesAndRoles.getMembers
 * reads only `iss`, `clientId` (to find the registration and get an access token) and
 * `platformContext.namesRoles.context_memberships_url`.
 *
 * Every failure becomes an LtiServiceError whose message is one short reason code
 * (NRPS_FAILURE_REASONS) and whose status is the LMS's HTTP status when there was one; the
 * details go to the caller's log through `cause`.
 */

export { NRPS_FAILURE_REASONS, type NrpsFailureReason };

type NamesAndRoles = (typeof Provider)['NamesAndRoles'];

export interface NrpsAdapterOptions {
  /** Whole call, all pages included. ltijs's HTTP client (got 11) has no timeout of its own. */
  timeoutMs?: number;
  /** Unit tests pass a stand-in; by default ltijs's, looked up per call (it exists only after setup()). */
  namesAndRoles?: () => NamesAndRoles;
  /** Options of the AGS half (src/lti/ags.adapter.ts). */
  ags?: AgsAdapterOptions;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export function createLtiServices(options: NrpsAdapterOptions = {}): LtiServices & AgsServices {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const service = options.namesAndRoles ?? (() => Provider.NamesAndRoles);
  return {
    ...createAgsServices(options.ags),
    async getMembers(endpoints: ServiceEndpoints): Promise<RosterMember[]> {
      const url = endpoints.nrpsUrl;
      if (!url) throw new LtiServiceError('lms_error');
      const token = { iss: endpoints.issuer, clientId: endpoints.clientId, platformContext: { namesRoles: { context_memberships_url: url } } };
      let body: Awaited<ReturnType<NamesAndRoles['getMembers']>>;
      try {
        // pages: false = follow every rel="next" page (with pages: 1, the ltijs default, we would get only the first).
        body = await withTimeout(service().getMembers(token, { pages: false }), timeoutMs);
      } catch (err) {
        throw toServiceError(err);
      }
      if (!body || !Array.isArray(body.members)) throw new LtiServiceError('bad_response');
      return body.members.map(toRosterMember).filter((m): m is RosterMember => m !== undefined);
    },
  };
}

class NrpsTimeout extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new NrpsTimeout(`NRPS call took longer than ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/** Classifies what ltijs or its HTTP client (got 11) threw. Exported for unit tests. */
export function toServiceError(err: unknown): LtiServiceError {
  const e = (err ?? {}) as {
    name?: string;
    message?: string;
    code?: string;
    response?: { statusCode?: number };
    options?: { method?: string };
  };
  const wrap = (reason: NrpsFailureReason, status?: number) => {
    const out = new LtiServiceError(reason, status);
    out.cause = err;
    return out;
  };
  if (err instanceof LtiServiceError) return err;
  if (err instanceof NrpsTimeout || e.name === 'TimeoutError' || e.code === 'ETIMEDOUT') return wrap('timeout');
  if (e.message === 'PLATFORM_NOT_FOUND') return wrap('platform_unknown');
  if (e.message === 'PLATFORM_NOT_ACTIVATED') return wrap('platform_inactive');
  const status = e.response?.statusCode;
  if (e.name === 'HTTPError' && typeof status === 'number') {
    // The only POST in an NRPS call is the client_credentials request to the token endpoint.
    return wrap(e.options?.method === 'POST' ? 'token_refused' : 'lms_error', status);
  }
  if (e.name === 'ParseError' || err instanceof SyntaxError) return wrap('bad_response');
  if (e.code !== undefined && NETWORK_CODES.has(e.code)) return wrap('unreachable');
  if (e.name === 'RequestError') return wrap('unreachable');
  return wrap('unknown');
}

const text = (v: unknown): string | undefined => {
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string') return undefined;
  const trimmed = v.trim();
  return trimmed === '' ? undefined : trimmed;
};

function toStatus(v: unknown): RosterMember['status'] {
  const s = typeof v === 'string' ? v.trim().toLowerCase() : '';
  if (s === 'inactive') return 'Inactive';
  if (s === 'deleted') return 'Deleted';
  return 'Active'; // NRPS: a missing status means Active
}

/** One NRPS member (Moodle shape: fixtures/moodle/nrps-memberships.json); undefined without a user id. */
export function toRosterMember(raw: unknown): RosterMember | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const m = raw as Record<string, unknown>;
  const userId = text(m.user_id);
  if (!userId) return undefined;
  const roles = Array.isArray(m.roles) ? m.roles.filter((r): r is string => typeof r === 'string') : [];
  return {
    userId,
    givenName: text(m.given_name),
    familyName: text(m.family_name),
    name: text(m.name),
    email: text(m.email),
    sourcedId: text(m.lis_person_sourcedid),
    username: text(m.ext_user_username) ?? text(m.username),
    roles,
    status: toStatus(m.status),
  };
}
