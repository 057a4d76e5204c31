import { DEFAULT_SELF_MARKING, rotationOn, SelfMarkingInput, validateSelfMarkingSettings } from '../../../src/check-in/settings';

function problemsOf(input: SelfMarkingInput) {
  const result = validateSelfMarkingSettings(input);
  return result.ok ? [] : result.problems;
}

describe('self-marking defaults', () => {
  it('when nothing but a password is given, then the issue\'s defaults apply', () => {
    const result = validateSelfMarkingSettings({ password: 'acd-efg' });
    expect(result).toEqual({
      ok: true,
      settings: {
        enabled: false, password: 'ACDEFG', showQr: false, rotateSeconds: 15, graceSeconds: 5, opensMinutesBefore: 0,
        statusMode: 'auto', lateAfterMinutes: 10, allowChange: false, oneDevicePerStudent: true, allowedCidrs: [],
      },
    });
    expect(DEFAULT_SELF_MARKING).not.toHaveProperty('password');
  });
});

describe('validating self-marking settings', () => {
  it.each<[string, SelfMarkingInput, string, string]>([
    ['the password is missing', { password: undefined }, 'password', 'check_in.errors.password_required'],
    ['the password is only dashes', { password: ' - - ' }, 'password', 'check_in.errors.password_required'],
    ['the password has 5 characters after normalising', { password: 'AC-D E F' }, 'password', 'check_in.errors.password_too_short'],
    ['the password has 33 characters', { password: 'A'.repeat(33) }, 'password', 'check_in.errors.password_too_long'],
    ['the password has punctuation', { password: 'ACD!EFG' }, 'password', 'check_in.errors.password_chars'],
    ['rotation is 4 s', { rotateSeconds: 4 }, 'rotateSeconds', 'check_in.errors.rotate_seconds_range'],
    ['rotation is 301 s', { rotateSeconds: 301 }, 'rotateSeconds', 'check_in.errors.rotate_seconds_range'],
    ['rotation is 7.5 s', { rotateSeconds: 7.5 }, 'rotateSeconds', 'check_in.errors.rotate_seconds_range'],
    ['grace is 31 s', { graceSeconds: 31 }, 'graceSeconds', 'check_in.errors.grace_seconds_range'],
    ['grace is negative', { graceSeconds: -1 }, 'graceSeconds', 'check_in.errors.grace_seconds_range'],
    ['opening is 241 min early', { opensMinutesBefore: 241 }, 'opensMinutesBefore', 'check_in.errors.opens_minutes_before_range'],
    ['late after is 1441 min', { lateAfterMinutes: 1441 }, 'lateAfterMinutes', 'check_in.errors.late_after_minutes_range'],
    ['late after is a string', { lateAfterMinutes: '10' }, 'lateAfterMinutes', 'check_in.errors.late_after_minutes_range'],
    ['the status mode is unknown', { statusMode: 'random' }, 'statusMode', 'form.invalid_choice'],
    ['a flag is not a boolean', { enabled: 'yes' }, 'enabled', 'check_in.errors.not_boolean'],
    ['a network is bad', { allowedCidrs: ['10.0.0.0/8', 'wifi'] }, 'allowedCidrs.1', 'check_in.errors.bad_cidr'],
    ['networks are not a list', { allowedCidrs: '10.0.0.0/8' }, 'allowedCidrs', 'check_in.errors.bad_cidr'],
    ['there are 51 networks', { allowedCidrs: Array.from({ length: 51 }, (_, i) => `10.${i}.0.0/16`) }, 'allowedCidrs', 'check_in.errors.too_many_cidrs'],
  ])('when %s, then the problem is reported', (_label, input, field, messageKey) => {
    expect(problemsOf({ password: 'ACDEFG', ...input })).toEqual([{ field, messageKey }]);
  });

  it.each<[string, SelfMarkingInput]>([
    ['rotation is 0 (static QR)', { rotateSeconds: 0 }],
    ['rotation is 5 s', { rotateSeconds: 5 }],
    ['rotation is 300 s', { rotateSeconds: 300 }],
    ['grace is 0 s', { graceSeconds: 0 }],
    ['grace is 30 s', { graceSeconds: 30 }],
    ['opening is 240 min early', { opensMinutesBefore: 240 }],
    ['late after is 0 min', { lateAfterMinutes: 0 }],
    ['late after is 1440 min', { lateAfterMinutes: 1440 }],
    ['the password has 32 characters', { password: 'A'.repeat(32) }],
    ['the password is a Latvian word', { password: 'ābols6' }],
    ['there are 50 networks, IPv4 and IPv6', { allowedCidrs: [...Array.from({ length: 49 }, (_, i) => `10.${i}.0.0/16`), '2001:db8::/32'] }],
  ])('when %s, then the settings are accepted', (_label, input) => {
    expect(problemsOf({ password: 'ACDEFG', ...input })).toEqual([]);
  });

  it('when several fields are wrong, then every problem is reported at once', () => {
    const fields = problemsOf({ password: 'abc', rotateSeconds: 1, graceSeconds: 99, allowedCidrs: ['x', 'y'] }).map((p) => p.field);
    expect(fields).toEqual(['password', 'rotateSeconds', 'graceSeconds', 'allowedCidrs.0', 'allowedCidrs.1']);
  });

  it('when networks are accepted, then they are stored normalised', () => {
    const result = validateSelfMarkingSettings({ password: 'ACDEFG', allowedCidrs: [' 10.0.0.0/8', '', '192.168.0.9'] });
    expect(result.ok && result.settings.allowedCidrs).toEqual(['10.0.0.0/8', '192.168.0.9/32']);
  });
});

describe('whether codes rotate', () => {
  it.each([
    [true, 15, true],
    [true, 0, false],
    [false, 15, false],
  ])('when the QR is shown: %p and rotation is %i s, then rotation is on: %p', (showQr, rotateSeconds, on) => {
    expect(rotationOn({ showQr, rotateSeconds })).toBe(on);
  });
});
