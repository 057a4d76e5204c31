import { LtiServiceError, type ServiceEndpoints } from '../../../src/lti/lti-services';
import { createLtiServices, NRPS_FAILURE_REASONS, toRosterMember, toServiceError } from '../../../src/lti/nrps.adapter';
import { SYNC_FAILURE_REASONS } from '../../../src/roster/sync-reasons';

/** Two members exactly as Moodle 4.5 sent them (fixtures/moodle/nrps-memberships.json). */
const MOODLE_BODY = {
  id: 'http://localhost:8080/mod/lti/services.php/CourseSection/2/bindings/1/memberships',
  context: { id: '2', label: 'ATT101', title: 'ATT101 Attendance & Tools' },
  members: [
    {
      status: 'Active', roles: ['Learner'], user_id: '6', lis_person_sourcedid: 'ID-student3', name: 'Stan Solo',
      given_name: 'Stan', family_name: 'Solo', email: 'student3@example.com', ext_user_username: 'student3',
    },
    {
      status: 'Active', roles: ['Instructor'], user_id: '3', lis_person_sourcedid: 'ID-teacher1', name: 'Terry Teacher',
      given_name: 'Terry', family_name: 'Teacher', email: 'teacher1@example.com', ext_user_username: 'teacher1',
    },
  ],
};

const ENDPOINTS: ServiceEndpoints = {
  issuer: 'https://moodle.example.edu',
  clientId: 'client-1',
  deploymentId: '1',
  nrpsUrl: 'https://moodle.example.edu/mod/lti/services.php/CourseSection/2/bindings/1/memberships',
};

type GetMembers = (token: unknown, options: unknown) => Promise<unknown>;
const fakeNrps = (getMembers: GetMembers) => () => ({ getMembers }) as never;

describe('NRPS adapter', () => {
  it('when asked for members, then ltijs gets a token rebuilt from the stored endpoints and is told to follow every page', async () => {
    const calls: unknown[][] = [];
    const lti = createLtiServices({ namesAndRoles: fakeNrps(async (...args) => (calls.push(args), MOODLE_BODY)) });
    await lti.getMembers(ENDPOINTS);
    expect(calls).toEqual([
      [
        { iss: ENDPOINTS.issuer, clientId: ENDPOINTS.clientId, platformContext: { namesRoles: { context_memberships_url: ENDPOINTS.nrpsUrl } } },
        { pages: false },
      ],
    ]);
  });

  it("when Moodle answers, then its members are mapped to RosterMember (ext_user_username as username)", async () => {
    const lti = createLtiServices({ namesAndRoles: fakeNrps(async () => MOODLE_BODY) });
    expect(await lti.getMembers(ENDPOINTS)).toEqual([
      {
        userId: '6', givenName: 'Stan', familyName: 'Solo', name: 'Stan Solo', email: 'student3@example.com', sourcedId: 'ID-student3',
        username: 'student3', roles: ['Learner'], status: 'Active',
      },
      {
        userId: '3', givenName: 'Terry', familyName: 'Teacher', name: 'Terry Teacher', email: 'teacher1@example.com', sourcedId: 'ID-teacher1',
        username: 'teacher1', roles: ['Instructor'], status: 'Active',
      },
    ]);
  });

  it.each([
    ['a numeric user id and no status', { user_id: 7, roles: ['Learner'] }, { userId: '7', status: 'Active', roles: ['Learner'] }],
    ['roles that are not a list and a plain username', { user_id: 'u', status: 'Inactive', roles: 'Learner', username: 'plain' }, { userId: 'u', status: 'Inactive', roles: [], username: 'plain' }],
    ['a lower-case status and blank fields', { user_id: 'u', status: 'deleted', given_name: '  ', email: '' }, { userId: 'u', status: 'Deleted', roles: [] }],
  ])('when a member has %s, then it still maps cleanly', (_name, raw, expected) => {
    const m = toRosterMember(raw);
    expect(m).toMatchObject(expected);
    expect(m?.givenName).toBeUndefined();
    expect(m?.email).toBeUndefined();
  });

  it('when a member has no user id, then it is skipped', async () => {
    const lti = createLtiServices({ namesAndRoles: fakeNrps(async () => ({ members: [{ name: 'Nobody' }, null, 'x', { user_id: '1' }] })) });
    expect((await lti.getMembers(ENDPOINTS)).map((m) => m.userId)).toEqual(['1']);
  });

  it('when the answer has no members list, then it fails with bad_response', async () => {
    const lti = createLtiServices({ namesAndRoles: fakeNrps(async () => ({ id: 'x' })) });
    await expect(lti.getMembers(ENDPOINTS)).rejects.toMatchObject({ name: 'LtiServiceError', message: 'bad_response' });
  });

  it('when the LMS does not answer within the time limit, then it fails with timeout', async () => {
    const lti = createLtiServices({ timeoutMs: 20, namesAndRoles: fakeNrps(() => new Promise(() => undefined)) });
    await expect(lti.getMembers(ENDPOINTS)).rejects.toMatchObject({ message: 'timeout' });
  });

  it.each([
    ['the registration is gone', 'platform_unknown', undefined, new Error('PLATFORM_NOT_FOUND')],
    ['the registration is pending', 'platform_inactive', undefined, new Error('PLATFORM_NOT_ACTIVATED')],
    ['the memberships URL answers 503', 'lms_error', 503, { name: 'HTTPError', response: { statusCode: 503 }, options: { method: 'GET' } }],
    ['the token endpoint answers 401', 'token_refused', 401, { name: 'HTTPError', response: { statusCode: 401 }, options: { method: 'POST' } }],
    ['the LMS is down', 'unreachable', undefined, { name: 'RequestError', code: 'ECONNREFUSED' }],
    ['got times out', 'timeout', undefined, { name: 'TimeoutError', code: 'ETIMEDOUT' }],
    ['the body is not JSON', 'bad_response', undefined, new SyntaxError('Unexpected token <')],
    ['the token answer is not JSON', 'bad_response', undefined, { name: 'ParseError' }],
    ['something else breaks', 'unknown', undefined, new TypeError('x is undefined')],
  ] as const)('when %s, then the failure is an LtiServiceError %s (status %s)', (_name, reason, status, thrown) => {
    const err = toServiceError(thrown);
    expect(err).toBeInstanceOf(LtiServiceError);
    expect(err.message).toBe(reason);
    expect(err.status).toBe(status);
  });

  it('when ltijs throws, then getMembers rejects with the classified LtiServiceError', async () => {
    const lti = createLtiServices({
      namesAndRoles: fakeNrps(async () => {
        throw Object.assign(new Error('Response code 503'), { name: 'HTTPError', response: { statusCode: 503 }, options: { method: 'GET' } });
      }),
    });
    await expect(lti.getMembers(ENDPOINTS)).rejects.toMatchObject({ message: 'lms_error', status: 503 });
  });

  it('when the adapter names a failure reason, then the roster page knows how to explain it', () => {
    expect(NRPS_FAILURE_REASONS.filter((r) => !(SYNC_FAILURE_REASONS as readonly string[]).includes(r))).toEqual([]);
  });
});
