import { publicReason, refusalForLtijsError } from '../../../src/lti/ltijs-errors';
import type { RefusalKind } from '../../../src/shared/errors';

describe('turning ltijs failures into refusal pages', () => {
  describe('when ltijs names a known problem, then the person sees the matching page whatever the request carried', () => {
    const cases: Array<[string, RefusalKind]> = [
      ['MISSING_VALIDATION_COOKIE', 'cookies_blocked'],
      ['UNREGISTERED_PLATFORM', 'unregistered_platform'],
      ['PLATFORM_NOT_ACTIVATED', 'platform_inactive'],
      ['NO_MESSAGE_TYPE_CLAIM', 'malformed_launch'],
      ['NO_TARGET_LINK_URI_CLAIM', 'malformed_launch'],
      ['NO_RESOURCE_LINK_ID_CLAIM', 'malformed_launch'],
      ['NO_LTI_VERSION_CLAIM', 'malformed_launch'],
      ['WRONG_LTI_VERSION_CLAIM', 'malformed_launch'],
      ['NO_DEPLOYMENT_ID_CLAIM', 'malformed_launch'],
      ['NO_SUB_CLAIM', 'malformed_launch'],
      ['NO_ROLES_CLAIM', 'malformed_launch'],
      ['INVALID_JWT_RECEIVED', 'malformed_launch'],
    ];

    it.each(cases)('%s → %s', (message, kind) => {
      expect(refusalForLtijsError(message, true)).toBe(kind);
      expect(refusalForLtijsError(message, false)).toBe(kind);
    });
  });

  describe('when the message is unknown or absent', () => {
    const unknown: Array<string | undefined> = ['INVALID_SIGNATURE', 'NONCE_ALREADY_RECEIVED', 'TOKEN_TOO_OLD', 'LTIK_EXPIRED', '', undefined];

    it.each(unknown)('and an id_token was posted (%p), then the launch is refused as invalid', (message) => {
      expect(refusalForLtijsError(message, true)).toBe('invalid_launch');
    });

    it.each(unknown)('and there was no id_token (%p), then the session has expired', (message) => {
      expect(refusalForLtijsError(message, false)).toBe('session_expired');
    });
  });

  it('when the message differs only in case, then it is not mistaken for a known one', () => {
    expect(refusalForLtijsError('missing_validation_cookie', false)).toBe('session_expired');
  });
});

describe('what a refusal page may show of an ltijs failure', () => {
  it.each<[string | undefined, string | undefined]>([
    ['NONCE_ALREADY_RECEIVED', 'NONCE_ALREADY_RECEIVED'],
    ['maxAge exceeded', 'LTIK_EXPIRED'],
    ['invalid signature', 'INVALID_SIGNATURE'],
    ['jwt malformed', 'INVALID_JWT'],
    ['connect ECONNREFUSED 127.0.0.1:33311', undefined],
    ['Operation `idtokens.findOne()` buffering timed out after 10000ms', undefined],
    ['IDTOKEN_NOT_FOUND_DB', 'IDTOKEN_NOT_FOUND_DB'],
    ['', undefined],
    [undefined, undefined],
  ])('when ltijs says %p, then the page shows %p', (message, shown) => {
    expect(publicReason(message)).toBe(shown);
  });

  it.each(['connect ECONNREFUSED 127.0.0.1:33311', 'Server selection timed out after 10000 ms', 'Operation `idtokens.findOne()` buffering timed out after 10000ms'])(
    'when ltijs could not reach its database (%s), then the page is "temporarily unavailable", not "session ended"',
    (message) => {
      expect(refusalForLtijsError(message, false)).toBe('unavailable');
      expect(refusalForLtijsError(message, true)).toBe('unavailable');
    },
  );
});
