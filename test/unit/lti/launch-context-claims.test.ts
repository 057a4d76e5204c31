import { LtijsContext, LtijsToken, toLaunchData, withVerifiedClaims } from '../../../src/lti/launch-context';
import { claimsOf } from '../../../src/lti/verified-claims';

/** An Open edX launch as ltijs hands it over: only `name` in userInfo, custom values unsubstituted. */
const token: LtijsToken = { iss: 'https://openedx.example', user: 'u-1', clientId: 'block-1', deploymentId: '1', userInfo: { name: 'Anna Bērziņa', email: 'anna@example.com' } };
const ctx = (custom: Record<string, unknown>): LtijsContext => ({ roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'], resource: { id: 'rl-1' }, custom });

describe('usernames and custom values of a launch', () => {
  it('when a custom value is an unsubstituted variable, then neither the username nor the custom parameters keep it', () => {
    const data = toLaunchData(token, ctx({ username: '$User.username', timezone: '$Person.address.timezone', grade_type: 'points', empty: '' }));
    expect(data.user.username).toBeUndefined();
    expect(data.custom).toEqual({ grade_type: 'points', empty: '' });
  });

  it('when the LMS sends only the full name, then no given or family name is made up', () => {
    expect(toLaunchData(token, ctx({})).user).toMatchObject({ name: 'Anna Bērziņa', givenName: '', familyName: '' });
  });

  it('when the verified id_token had preferred_username, then it is the username, even over a custom username', () => {
    const data = toLaunchData(token, ctx({ username: 'set-by-a-teacher' }));
    expect(withVerifiedClaims(data, { preferredUsername: 'anna_b' }).user.username).toBe('anna_b');
  });

  it('when the verified id_token had no preferred_username, then a substituted custom username is kept', () => {
    const data = toLaunchData(token, ctx({ username: 'anna.moodle' }));
    expect(withVerifiedClaims(data, {})).toBe(data);
    expect(withVerifiedClaims(data, { preferredUsername: '$User.username' }).user.username).toBe('anna.moodle');
  });
});

describe('claims kept from a verified id_token', () => {
  it('when the payload has a preferred_username, then it is kept trimmed', () => {
    expect(claimsOf({ preferred_username: ' anna_b ' })).toEqual({ preferredUsername: 'anna_b' });
  });

  it('when preferred_username is missing, empty, not a string or a `$` placeholder, then nothing is kept', () => {
    for (const value of [undefined, '', '   ', 42, ['x'], '$User.username']) expect(claimsOf({ preferred_username: value })).toEqual({});
  });
});
