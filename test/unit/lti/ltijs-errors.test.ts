import { refusalForLtijsError } from '../../../src/lti/ltijs-errors';
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
