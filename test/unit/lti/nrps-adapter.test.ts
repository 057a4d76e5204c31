import type { ServiceEndpoints } from '../../../src/lti/lti-services';
import { createLtiServices, NRPS_SCOPE } from '../../../src/lti/nrps.adapter';
import type { FetchLike, TokenSource } from '../../../src/lti/service-http.adapter';

/** The NRPS adapter's HTTP side: tokens, every page, the fresh-token retry, and the failure reasons. */

const ENDPOINTS: ServiceEndpoints = {
  issuer: 'https://openedx.example.edu', clientId: 'block-1', deploymentId: '1',
  nrpsUrl: 'https://openedx.example.edu/api/lti_consumer/v1/lti/7/memberships',
};
const MEMBERSHIPS = 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json';
const member = (id: string) => ({ user_id: id, roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'], name: `User ${id}`, status: 'Active' });
const page = (members: unknown[], next?: string) => new Response(JSON.stringify({ id: 'x', members }), next ? { headers: { Link: `<${next}>; rel="next"` } } : {});

function fakeTokens(): TokenSource & { gets: string[]; invalidated: number } {
  const t = {
    gets: [] as string[], invalidated: 0,
    async get(_e: ServiceEndpoints, scopes: string) { t.gets.push(scopes); return { access_token: `tok${t.gets.length}`, token_type: 'Bearer' }; },
    async invalidate() { t.invalidated += 1; },
  };
  return t;
}

interface Call { url: string; auth: string; accept: string }
function fakeFetch(answer: (url: string, n: number) => Response | Promise<Response>): FetchLike & { calls: Call[] } {
  const calls: Call[] = [];
  const f = async (url: string, init?: RequestInit) => {
    const h = (init?.headers ?? {}) as Record<string, string>;
    calls.push({ url, auth: h.Authorization ?? '', accept: h.Accept ?? '' });
    return answer(url, calls.length);
  };
  return Object.assign(f, { calls });
}

describe('NRPS over HTTP', () => {
  it('when asked for members, then the memberships URL is read with an NRPS token and every rel="next" page is followed', async () => {
    const tokens = fakeTokens();
    const http = fakeFetch((url) => (url === ENDPOINTS.nrpsUrl ? page([member('1'), member('2')], 'https://openedx.example.edu/m?page=2') : page([member('3')])));
    const members = await createLtiServices({ tokens, fetch: http }).getMembers(ENDPOINTS);
    expect(members.map((m) => m.userId)).toEqual(['1', '2', '3']);
    expect(http.calls).toEqual([
      { url: ENDPOINTS.nrpsUrl, auth: 'Bearer tok1', accept: MEMBERSHIPS },
      { url: 'https://openedx.example.edu/m?page=2', auth: 'Bearer tok2', accept: MEMBERSHIPS },
    ]);
    expect(tokens.gets).toEqual([NRPS_SCOPE, NRPS_SCOPE]);
  });

  it('when a member has no user id, then it is skipped', async () => {
    const http = fakeFetch(() => new Response(JSON.stringify({ members: [{ name: 'Nobody' }, null, 'x', { user_id: '1' }] })));
    expect((await createLtiServices({ tokens: fakeTokens(), fetch: http }).getMembers(ENDPOINTS)).map((m) => m.userId)).toEqual(['1']);
  });

  it.each([401, 403])('when the LMS refuses the cached token with %i (Open edX after a key rotation), then it is dropped and the page read again with a new one', async (status) => {
    const tokens = fakeTokens();
    const http = fakeFetch((_url, n) => (n === 1 ? new Response('{"detail": "Invalid token signature."}', { status }) : page([member('1')])));
    expect(await createLtiServices({ tokens, fetch: http }).getMembers(ENDPOINTS)).toHaveLength(1);
    expect(tokens.invalidated).toBe(1);
    expect(http.calls.map((c) => c.auth)).toEqual(['Bearer tok1', 'Bearer tok2']);
  });

  it('when the LMS refuses the fresh token too, then that second refusal fails the call (lms_error with the status and message), after exactly two requests', async () => {
    const tokens = fakeTokens();
    const http = fakeFetch(() => new Response('{"detail": "Invalid token signature."}', { status: 403 }));
    await expect(createLtiServices({ tokens, fetch: http }).getMembers(ENDPOINTS))
      .rejects.toMatchObject({ name: 'LtiServiceError', message: 'lms_error', status: 403, lmsMessage: 'Invalid token signature.' });
    expect(http.calls).toHaveLength(2);
    expect(tokens.invalidated).toBe(1);
  });

  it.each([
    ['the memberships URL answers 503', () => new Response('', { status: 503 }), 'lms_error', 503],
    ['the body is not JSON', () => new Response('<html>'), 'bad_response', undefined],
    ['the answer has no members list', () => new Response('{"id":"x"}'), 'bad_response', 200],
    ['the LMS is down', () => Promise.reject(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } })), 'unreachable', undefined],
  ] as const)('when %s, then the call fails with %s', async (_name, answer, reason, status) => {
    const http = fakeFetch(answer);
    await expect(createLtiServices({ tokens: fakeTokens(), fetch: http }).getMembers(ENDPOINTS)).rejects.toMatchObject({ message: reason, status });
  });

  it('when a page links back to itself, then the call fails with bad_response instead of looping (a partial roster is never applied)', async () => {
    const http = fakeFetch(() => page([member('1')], ENDPOINTS.nrpsUrl));
    await expect(createLtiServices({ tokens: fakeTokens(), fetch: http }).getMembers(ENDPOINTS)).rejects.toMatchObject({ message: 'bad_response' });
    expect(http.calls).toHaveLength(1);
  });

  it.each([
    ['the registration is gone', new Error('PLATFORM_NOT_FOUND'), 'platform_unknown', undefined],
    ['the registration is pending', new Error('PLATFORM_NOT_ACTIVATED'), 'platform_inactive', undefined],
    ['the token endpoint answers 401', Object.assign(new Error('Response code 401'), { name: 'HTTPError', response: { statusCode: 401, body: '{"error":"invalid_client"}' } }), 'token_refused', 401],
    ['the token answer is not JSON', { name: 'ParseError' }, 'bad_response', undefined],
  ] as const)('when %s, then the call fails with %s (status %s)', async (_name, thrown, reason, status) => {
    const tokens: TokenSource = { get: async () => { throw thrown; }, invalidate: async () => undefined };
    await expect(createLtiServices({ tokens, fetch: fakeFetch(() => page([])) }).getMembers(ENDPOINTS)).rejects.toMatchObject({ message: reason, status });
  });

  it('when the LMS does not answer within the time limit, then it fails with timeout', async () => {
    const http = fakeFetch(() => new Promise(() => undefined));
    await expect(createLtiServices({ timeoutMs: 20, tokens: fakeTokens(), fetch: http }).getMembers(ENDPOINTS)).rejects.toMatchObject({ message: 'timeout' });
  });

  it('when the activity has no memberships URL, then it fails with lms_error and asks nothing', async () => {
    const http = fakeFetch(() => page([]));
    await expect(createLtiServices({ tokens: fakeTokens(), fetch: http }).getMembers({ ...ENDPOINTS, nrpsUrl: undefined })).rejects.toMatchObject({ message: 'lms_error' });
    expect(http.calls).toEqual([]);
  });
});
