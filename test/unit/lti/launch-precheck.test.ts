import fs from 'node:fs';
import { precheckIdToken, PrecheckResult } from '../../../src/lti/launch-precheck';

const FIXTURES = '/work/shared/fixtures/moodle';
const CLAIM = 'https://purl.imsglobal.org/spec/lti/claim/';
const NOW = 1_800_000_000;

type Payload = Record<string, unknown>;

function fixture(name: string): Payload {
  const payload = JSON.parse(fs.readFileSync(`${FIXTURES}/${name}`, 'utf8')) as Payload;
  return { ...payload, iat: NOW - 5, exp: NOW + 55 };
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsigned JWT as the platform would post it (the precheck never looks at the signature). */
function jwt(payload: unknown, header: unknown = { alg: 'RS256', typ: 'JWT', kid: 'k1' }): string {
  return `${b64(header)}.${b64(payload)}.sig`;
}

/** The Moodle teacher launch with `changes` applied; `undefined` removes a claim. */
function teacherLaunch(changes: Payload = {}): string {
  const payload = { ...fixture('idtoken-teacher.json'), ...changes };
  for (const [k, v] of Object.entries(changes)) if (v === undefined) delete payload[k];
  return jwt(payload);
}

const check = (token: unknown) => precheckIdToken(token, NOW);
const refused = (kind: 'malformed_launch' | 'invalid_launch', reason: string): PrecheckResult => ({ ok: false, kind, reason });

describe('launch precheck of the id_token', () => {
  describe('when the launch is well-formed, then it passes', () => {
    it('a Moodle teacher resource link launch, giving back its nonce (bound to the login later)', () => {
      const payload = fixture('idtoken-teacher.json');
      expect(check(teacherLaunch())).toEqual({ ok: true, nonce: payload.nonce });
    });

    it('a Moodle deep-linking request without a resource link', () => {
      const payload = fixture('idtoken-deeplinking.json');
      expect(payload[`${CLAIM}resource_link`]).toBeUndefined();
      expect(check(jwt(payload))).toMatchObject({ ok: true });
    });

    it.each([[['']], [[]]])('roles %j (the certification suite’s limited launch)', (roles) => {
      expect(check(teacherLaunch({ [`${CLAIM}roles`]: roles }))).toMatchObject({ ok: true });
    });

    it('a launch without a context claim', () => {
      expect(check(teacherLaunch({ [`${CLAIM}context`]: undefined }))).toMatchObject({ ok: true });
    });

    it('an aud given as an array of strings', () => {
      expect(check(teacherLaunch({ aud: ['hIujPWETyVkD0Sz', 'other'] }))).toMatchObject({ ok: true });
    });

    it('an iat up to 60 s in the future (clock skew)', () => {
      expect(check(teacherLaunch({ iat: NOW + 60, exp: NOW + 120 }))).toMatchObject({ ok: true });
    });
  });

  describe('when the token is not a JWT at all, then it is a malformed launch (INVALID_JWT)', () => {
    const validHeader = b64({ alg: 'RS256' });
    it.each<[string, unknown]>([
      ['not a string', 42],
      ['missing', undefined],
      ['two parts', `${validHeader}.${b64(fixture('idtoken-teacher.json'))}`],
      ['four parts', `${teacherLaunch()}.extra`],
      ['payload is not base64url', `${validHeader}.not+base64/=.sig`],
      ['payload is not JSON', `${validHeader}.${Buffer.from('{not json').toString('base64url')}.sig`],
      ['payload is a JSON array', jwt([fixture('idtoken-teacher.json')])],
      ['header is JSON null', jwt(fixture('idtoken-teacher.json'), null)],
      ['empty header part', `.${b64(fixture('idtoken-teacher.json'))}.sig`],
      ['larger than 64 KiB', teacherLaunch({ filler: 'x'.repeat(64 * 1024) })],
    ])('%s', (_name, token) => {
      expect(check(token)).toEqual(refused('malformed_launch', 'INVALID_JWT'));
    });
  });

  it('when the header alg is not RS256, then the launch fails verification (ALG_NOT_RS256)', () => {
    const payload = fixture('idtoken-teacher.json');
    expect(check(jwt(payload, { alg: 'none' }))).toEqual(refused('invalid_launch', 'ALG_NOT_RS256'));
    expect(check(jwt(payload, { alg: 'HS256' }))).toEqual(refused('invalid_launch', 'ALG_NOT_RS256'));
    expect(check(jwt(payload, { typ: 'JWT' }))).toEqual(refused('invalid_launch', 'ALG_NOT_RS256'));
  });

  describe('when a required claim is missing or wrong, then the launch is malformed with a precise reason', () => {
    const longId = 'x'.repeat(256);
    it.each<[string, Payload, string]>([
      ['no iss', { iss: undefined }, 'NO_ISS_CLAIM'],
      ['empty iss', { iss: '' }, 'NO_ISS_CLAIM'],
      ['no aud', { aud: undefined }, 'NO_AUD_CLAIM'],
      ['aud array with a non-string', { aud: ['client', 7] }, 'NO_AUD_CLAIM'],
      ['aud is a number', { aud: 7 }, 'NO_AUD_CLAIM'],
      ['aud is an empty list', { aud: [] }, 'NO_AUD_CLAIM'],
      ['aud is an empty string', { aud: '' }, 'NO_AUD_CLAIM'],
      ['no sub', { sub: undefined }, 'NO_SUB_CLAIM'],
      ['empty sub', { sub: '' }, 'NO_SUB_CLAIM'],
      ['sub longer than 255 characters', { sub: longId }, 'NO_SUB_CLAIM'],
      ['numeric sub', { sub: 3 }, 'NO_SUB_CLAIM'],
      ['no nonce', { nonce: undefined }, 'NO_NONCE_CLAIM'],
      ['empty nonce', { nonce: '' }, 'NO_NONCE_CLAIM'],
      ['no LTI version', { [`${CLAIM}version`]: undefined }, 'NO_LTI_VERSION_CLAIM'],
      ['LTI version 1.1', { [`${CLAIM}version`]: '1.1' }, 'WRONG_LTI_VERSION_CLAIM'],
      ['no message type', { [`${CLAIM}message_type`]: undefined }, 'NO_MESSAGE_TYPE_CLAIM'],
      ['empty message type', { [`${CLAIM}message_type`]: '' }, 'NO_MESSAGE_TYPE_CLAIM'],
      ['unknown message type', { [`${CLAIM}message_type`]: 'LtiSubmissionReviewRequest' }, 'UNSUPPORTED_MESSAGE_TYPE'],
      ['no deployment id', { [`${CLAIM}deployment_id`]: undefined }, 'NO_DEPLOYMENT_ID_CLAIM'],
      ['deployment id longer than 255', { [`${CLAIM}deployment_id`]: longId }, 'NO_DEPLOYMENT_ID_CLAIM'],
      ['no roles', { [`${CLAIM}roles`]: undefined }, 'NO_ROLES_CLAIM'],
      ['roles as a string', { [`${CLAIM}roles`]: 'Instructor' }, 'NO_ROLES_CLAIM'],
      ['roles with a number', { [`${CLAIM}roles`]: ['Instructor', 1] }, 'NO_ROLES_CLAIM'],
      ['no resource link', { [`${CLAIM}resource_link`]: undefined }, 'NO_RESOURCE_LINK_ID_CLAIM'],
      ['resource link without id', { [`${CLAIM}resource_link`]: { title: 'Attendance' } }, 'NO_RESOURCE_LINK_ID_CLAIM'],
      ['resource link id too long', { [`${CLAIM}resource_link`]: { id: longId } }, 'NO_RESOURCE_LINK_ID_CLAIM'],
      ['context is null', { [`${CLAIM}context`]: null }, 'BAD_CONTEXT_CLAIM'],
      ['context without id', { [`${CLAIM}context`]: { label: 'ATT101' } }, 'BAD_CONTEXT_CLAIM'],
      ['context is a string', { [`${CLAIM}context`]: '2' }, 'BAD_CONTEXT_CLAIM'],
      ['no iat', { iat: undefined }, 'NO_TIMESTAMPS'],
      ['no exp', { exp: undefined }, 'NO_TIMESTAMPS'],
      ['exp as a string', { exp: String(NOW + 60) }, 'NO_TIMESTAMPS'],
    ])('%s', (_name, changes, reason) => {
      expect(check(teacherLaunch(changes))).toEqual(refused('malformed_launch', reason));
    });
  });

  describe('when the token is stale or from the future, then the launch fails verification', () => {
    it.each<[string, Payload, string]>([
      ['exp in the past', { exp: NOW - 1 }, 'TOKEN_EXPIRED'],
      ['exp exactly now counts as expired', { exp: NOW }, 'TOKEN_EXPIRED'],
      ['iat 61 s in the future', { iat: NOW + 61, exp: NOW + 120 }, 'IAT_IN_FUTURE'],
    ])('%s', (_name, changes, reason) => {
      expect(check(teacherLaunch(changes))).toEqual(refused('invalid_launch', reason));
    });

    it('a custom skew allowance is honoured', () => {
      const token = teacherLaunch({ iat: NOW + 10, exp: NOW + 120 });
      expect(precheckIdToken(token, NOW, 5)).toEqual(refused('invalid_launch', 'IAT_IN_FUTURE'));
      expect(precheckIdToken(token, NOW, 10)).toMatchObject({ ok: true });
    });
  });

  it('when a claim is both missing and the token expired, then the structural problem is reported', () => {
    expect(check(teacherLaunch({ nonce: undefined, exp: NOW - 100 }))).toEqual(refused('malformed_launch', 'NO_NONCE_CLAIM'));
  });
});
