import { launchTimezone } from '../../../src/courses/launch-timezone';

describe('launchTimezone: the zone an LMS sends in the custom claim `timezone`', () => {
  it.each([
    ['an IANA zone', { timezone: 'America/New_York' }, 'America/New_York'],
    ['a zone in another spelling', { timezone: ' europe/riga ' }, 'Europe/Riga'],
    ['UTC', { timezone: 'UTC' }, 'UTC'],
  ])('when it is %s, then that zone is used', (_name, custom, expected) => {
    expect(launchTimezone(custom)).toBe(expected);
  });

  it.each([
    ["Moodle's server default '99'", { timezone: '99' }],
    ['an unknown zone', { timezone: 'Mars/Base' }],
    ['an unsubstituted variable', { timezone: '$Person.address.timezone' }],
    ['an empty value', { timezone: '' }],
    ['no timezone parameter', { username: 'u1' }],
    ['no custom claim', undefined],
  ])('when it is %s, then there is no launch zone', (_name, custom) => {
    expect(launchTimezone(custom)).toBeUndefined();
  });
});
