import { createAgsServices, type AgsAdapterOptions } from './ags.adapter';
import { LtiServiceError, NRPS_FAILURE_REASONS, type AgsServices, type LtiServices, type NrpsFailureReason, type RosterMember, type ServiceEndpoints } from './lti-services';
import { authorizedSender, fail, failureWithBody, ltijsTokens, nextLink, withDeadline, type FetchLike, type TokenSource } from './service-http.adapter';

/**
 * Names and Role Provisioning (NRPS) over HTTP, with the same access tokens and the same
 * "401 or 403: drop the token, retry once" rule as AGS (service-http.adapter.ts). Not through
 * ltijs's NamesAndRoles.getMembers: it never retries with a fresh token, so after Open edX
 * rotated a key (403 "Invalid token signature.") every roster refresh failed for the hour the
 * stale token stayed cached; it has no timeout either. Background work has no live launch: the
 * token comes from the issuer and client id stored on the Activity.
 *
 * Every failure becomes an LtiServiceError whose message is one short reason code
 * (NRPS_FAILURE_REASONS) and whose status is the LMS's HTTP status when there was one; the
 * details go to the caller's log through `cause`.
 */

export { NRPS_FAILURE_REASONS, type NrpsFailureReason };

export const NRPS_SCOPE = 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly';
const MEMBERSHIPS = 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json';

export interface NrpsAdapterOptions {
  /** Whole call, token and all pages included. */
  timeoutMs?: number;
  /** Unit tests pass their own HTTP client and tokens (by default: fetch and ltijs's tokens). */
  fetch?: FetchLike;
  tokens?: TokenSource;
  /** Options of the AGS half (src/lti/ags.adapter.ts). */
  ags?: AgsAdapterOptions;
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** A roster is applied only when complete: a paging loop or an endless roster is a bad answer, never a partial one. */
const MAX_PAGES = 1000;

export function createLtiServices(options: NrpsAdapterOptions = {}): LtiServices & AgsServices {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const doFetch: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const send = authorizedSender(doFetch, options.tokens ?? ltijsTokens);
  return {
    ...createAgsServices(options.ags),
    async getMembers(endpoints: ServiceEndpoints): Promise<RosterMember[]> {
      const first = endpoints.nrpsUrl;
      if (!first) throw new LtiServiceError('lms_error');
      const raw = await withDeadline(timeoutMs, 'NRPS', async (signal) => {
        const members: unknown[] = [];
        const seen = new Set<string>();
        // Every rel="next" page (ltijs's `pages: false`): the roster must be complete.
        for (let url: string | undefined = first; url; ) {
          if (seen.has(url) || seen.size >= MAX_PAGES) throw fail('bad_response', undefined, `NRPS paging did not end (${seen.size} pages)`);
          seen.add(url);
          const res = await send(endpoints, { method: 'GET', url, scopes: NRPS_SCOPE, accept: MEMBERSHIPS }, signal);
          const text = await res.text();
          // Any refusal of the memberships URL is the LMS's error (a failed token request is token_refused).
          if (!res.ok) throw failureWithBody('lms_error', res.status, text);
          const body = JSON.parse(text) as { members?: unknown } | null;
          if (!body || !Array.isArray(body.members)) throw fail('bad_response', res.status, 'NRPS page has no members list');
          members.push(...(body.members as unknown[]));
          url = nextLink(res.headers.get('link'));
        }
        return members;
      });
      return raw.map(toRosterMember).filter((m): m is RosterMember => m !== undefined);
    },
  };
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
