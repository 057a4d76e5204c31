import { classify, createAgsServices, httpFailure, lineItemsQueryUrl, nextLink, scoresUrl, TokenSource } from '../../../src/lti/ags.adapter';
import type { ServiceEndpoints } from '../../../src/lti/lti-services';

const ENDPOINTS: ServiceEndpoints = {
  issuer: 'https://moodle.example.edu', clientId: 'c1', deploymentId: '1',
  agsLineItemsUrl: 'https://moodle.example.edu/mod/lti/services.php/2/lineitems?type_id=1',
};
const SCORE = { userId: '6', scoreGiven: 5, scoreMaximum: 10, activityProgress: 'Completed', gradingProgress: 'FullyGraded', timestamp: '2030-01-01T00:00:00.000Z' } as const;

describe('AGS URLs (Moodle line item URLs carry a query)', () => {
  it.each<[string, string]>([
    ['http://localhost:8080/mod/lti/services.php/2/lineitems/2/lineitem?type_id=1', 'http://localhost:8080/mod/lti/services.php/2/lineitems/2/lineitem/scores?type_id=1'],
    ['https://canvas.example.com/api/lti/courses/1/line_items/7', 'https://canvas.example.com/api/lti/courses/1/line_items/7/scores'],
    ['https://lms.example.com/li/7/', 'https://lms.example.com/li/7/scores'],
    ['https://lms.example.com/li/7?a=1&b=x%20y', 'https://lms.example.com/li/7/scores?a=1&b=x%20y'],
  ])('when the line item is %s, then its scores URL is %s', (lineItem, expected) => {
    expect(scoresUrl(lineItem)).toBe(expected);
  });

  it('when line items are filtered, then the filters join the query already there', () => {
    expect(lineItemsQueryUrl(ENDPOINTS.agsLineItemsUrl ?? '', { resourceLinkId: 'rl 1', tag: 'lti-attendance' }))
      .toBe('https://moodle.example.edu/mod/lti/services.php/2/lineitems?type_id=1&resource_link_id=rl+1&tag=lti-attendance');
  });

  it.each<[string | null, string | undefined]>([
    ['<https://x/li?page=2>; rel="next"', 'https://x/li?page=2'],
    ['<https://x/li?page=1>; rel="prev", <https://x/li?page=3>; rel="next"', 'https://x/li?page=3'],
    ['<https://x/li?page=9>; rel="last"', undefined],
    [null, undefined],
  ])('when the Link header is %p, then the next page is %p', (header, expected) => {
    expect(nextLink(header)).toBe(expected);
  });
});

describe('AGS failures are reported with a reason', () => {
  it.each<[number, boolean, string]>([
    [404, true, 'line_item_not_found'],
    [404, false, 'lms_error'],
    [401, true, 'token_refused'],
    [500, true, 'lms_error'],
    [503, false, 'lms_error'],
    [429, true, 'lms_error'],
    [408, true, 'lms_error'],
    [400, true, 'rejected'],
    [403, true, 'rejected'],
    [422, true, 'rejected'],
  ])('when the LMS answers %i (line item call: %p), then the reason is %s', (status, forLineItem, reason) => {
    expect(httpFailure(status, forLineItem)).toMatchObject({ message: reason, status });
  });

  it.each<[string, unknown, string]>([
    ['an abort', Object.assign(new Error('aborted'), { name: 'AbortError' }), 'timeout'],
    ['a refused connection', Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }), 'unreachable'],
    ['ltijs without the registration', new Error('PLATFORM_NOT_FOUND'), 'platform_unknown'],
    ['a token endpoint error', Object.assign(new Error('x'), { name: 'HTTPError', response: { statusCode: 400 } }), 'token_refused'],
    ['bad JSON', new SyntaxError('Unexpected token'), 'bad_response'],
    ['anything else', new Error('boom'), 'unknown'],
  ])('when the call fails with %s, then the reason is %s', (_name, err, reason) => {
    expect(classify(err)).toMatchObject({ name: 'LtiServiceError', message: reason });
  });
});

function fakeTokens(): TokenSource & { gets: number; invalidated: number } {
  const t = {
    gets: 0, invalidated: 0,
    async get() { t.gets += 1; return { access_token: `tok${t.gets}`, token_type: 'Bearer' }; },
    async invalidate() { t.invalidated += 1; },
  };
  return t;
}

describe('createAgsServices', () => {
  it('when a score is posted, then it goes to <path>/scores?<query> with the score media type and the bearer token', async () => {
    const calls: Array<{ url: string; init?: RequestInit }> = [];
    const ags = createAgsServices({ tokens: fakeTokens(), fetch: async (url, init) => (calls.push({ url: String(url), init }), new Response('', { status: 200 })) });
    await ags.postScore(ENDPOINTS, 'https://moodle.example.edu/mod/lti/services.php/2/lineitems/2/lineitem?type_id=1', SCORE);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe('https://moodle.example.edu/mod/lti/services.php/2/lineitems/2/lineitem/scores?type_id=1');
    expect(calls[0]?.init?.method).toBe('POST');
    expect(calls[0]?.init?.headers).toMatchObject({ Authorization: 'Bearer tok1', 'Content-Type': 'application/vnd.ims.lis.v1.score+json' });
    expect(JSON.parse(String(calls[0]?.init?.body))).toEqual(SCORE);
  });

  it('when the LMS refuses the token once (401), then a fresh token is fetched and the call repeated once', async () => {
    const tokens = fakeTokens();
    const statuses = [401, 200];
    const ags = createAgsServices({ tokens, fetch: async () => new Response('', { status: statuses.shift() ?? 500 }) });
    await ags.postScore(ENDPOINTS, 'https://lms/li/1', SCORE);
    expect(tokens).toMatchObject({ gets: 2, invalidated: 1 });
  });

  it('when the LMS refuses twice, then the call fails with token_refused', async () => {
    const ags = createAgsServices({ tokens: fakeTokens(), fetch: async () => new Response('', { status: 401 }) });
    await expect(ags.postScore(ENDPOINTS, 'https://lms/li/1', SCORE)).rejects.toMatchObject({ message: 'token_refused', status: 401 });
  });

  it('when Open edX refuses a stale token with 403 "Invalid token signature.", then the cached token is dropped and the call repeated once with a new one', async () => {
    const tokens = fakeTokens();
    const seen: string[] = [];
    const answers = [new Response('{"detail": "Invalid token signature."}', { status: 403 }), new Response('', { status: 201 })];
    const ags = createAgsServices({
      tokens, fetch: async (_url, init) => (seen.push(String((init?.headers as Record<string, string>).Authorization)), answers.shift() ?? new Response('', { status: 500 })),
    });
    await ags.postScore(ENDPOINTS, 'https://lms/li/1', SCORE);
    expect(tokens).toMatchObject({ gets: 2, invalidated: 1 });
    expect(seen).toEqual(['Bearer tok1', 'Bearer tok2']);
  });

  it.each<[number, number, string]>([
    [403, 403, 'rejected'],
    [401, 403, 'rejected'],
    [403, 401, 'token_refused'],
  ])('when the LMS answers %i and then %i to the fresh token, then the second refusal counts (%s) and no third request is made', async (first, second, reason) => {
    const tokens = fakeTokens();
    const statuses = [first, second, 200, 200];
    let calls = 0;
    const ags = createAgsServices({
      tokens, fetch: async () => (calls++, new Response('{"detail": "Invalid token signature."}', { status: statuses.shift() ?? 500 })),
    });
    await expect(ags.postScore(ENDPOINTS, 'https://lms/li/1', SCORE)).rejects.toMatchObject({ message: reason, status: second, lmsMessage: 'Invalid token signature.' });
    expect(calls).toBe(2);
    expect(tokens).toMatchObject({ gets: 2, invalidated: 1 });
  });

  it('when the LMS always refuses, then every call still ends after two requests (no loop)', async () => {
    let calls = 0;
    const ags = createAgsServices({ tokens: fakeTokens(), fetch: async () => (calls++, new Response('', { status: 403 })) });
    for (let i = 0; i < 3; i++) await expect(ags.postScore(ENDPOINTS, 'https://lms/li/1', SCORE)).rejects.toMatchObject({ message: 'rejected' });
    expect(calls).toBe(6);
  });

  it('when a score is refused with a 400 and a JSON body, then the failure carries the LMS\'s message (and no retry: a 400 is not about the token)', async () => {
    const tokens = fakeTokens();
    const ags = createAgsServices({ tokens, fetch: async () => new Response('{"error":"invalid_request","error_description":"scoreGiven must be a number >= 0"}', { status: 400 }) });
    await expect(ags.postScore(ENDPOINTS, 'https://lms/li/1', SCORE)).rejects.toMatchObject({ message: 'rejected', status: 400, lmsMessage: 'scoreGiven must be a number >= 0' });
    expect(tokens).toMatchObject({ gets: 1, invalidated: 0 });
  });

  it('when the line item is gone, then the score fails with line_item_not_found', async () => {
    const ags = createAgsServices({ tokens: fakeTokens(), fetch: async () => new Response('{"error":"not_found"}', { status: 404 }) });
    await expect(ags.postScore(ENDPOINTS, 'https://lms/li/1', SCORE)).rejects.toMatchObject({ message: 'line_item_not_found', status: 404 });
  });

  it('when the LMS does not answer in time, then the call fails with timeout', async () => {
    const ags = createAgsServices({
      timeoutMs: 30, tokens: fakeTokens(),
      fetch: (_url, init) => new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })))),
    });
    await expect(ags.postScore(ENDPOINTS, 'https://lms/li/1', SCORE)).rejects.toMatchObject({ message: 'timeout' });
  });

  it('when line items span pages, then every page is read and items without an id are dropped', async () => {
    const pages: Record<string, Response> = {
      [`${ENDPOINTS.agsLineItemsUrl}&resource_link_id=rl1&tag=t`]: new Response(JSON.stringify([{ id: 'https://lms/li/1', tag: 't' }, { label: 'no id' }]), { headers: { Link: '<https://lms/p2>; rel="next"' } }),
      'https://lms/p2': new Response(JSON.stringify([{ id: 'https://lms/li/2', tag: 't', resourceLinkId: 'rl1', scoreMaximum: 10 }])),
    };
    const ags = createAgsServices({ tokens: fakeTokens(), fetch: async (url) => pages[String(url)] ?? new Response('', { status: 404 }) });
    expect(await ags.findLineItems(ENDPOINTS, { resourceLinkId: 'rl1', tag: 't' })).toEqual([
      { id: 'https://lms/li/1', tag: 't' },
      { id: 'https://lms/li/2', tag: 't', resourceLinkId: 'rl1', scoreMaximum: 10 },
    ].map((i) => expect.objectContaining(i)));
  });

  it('when the activity has no line items URL, then finding and creating fail with ags_unavailable', async () => {
    const ags = createAgsServices({ tokens: fakeTokens(), fetch: async () => new Response('[]') });
    const without = { ...ENDPOINTS, agsLineItemsUrl: undefined };
    await expect(ags.findLineItems(without, {})).rejects.toMatchObject({ message: 'ags_unavailable' });
    await expect(ags.createLineItem(without, { label: 'x', scoreMaximum: 1, resourceLinkId: 'r', tag: 't' })).rejects.toMatchObject({ message: 'ags_unavailable' });
  });
});
