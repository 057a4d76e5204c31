import {
  defaultsSummary, formValuesFromBody, formValuesFromSettings, settingsErrors, toSettingsInput, validateDefaults,
} from '../../../src/check-in/self-marking-form';
import { DEFAULT_SELF_MARKING, validateSelfMarkingSettings } from '../../../src/check-in/settings';
import { translator } from '../../../src/i18n/i18n';

/** The form as a browser posts it: unchecked boxes are simply absent. */
const POSTED = {
  enabled: '1', password: 'ACDEFG', statusMode: 'auto', lateAfterMinutes: '10', opensMinutesBefore: '0',
  allowedCidrs: '', rotateSeconds: '15', graceSeconds: '5', oneDevicePerStudent: '1',
};

const { oneDevicePerStudent: _omitted, ...WITHOUT_ONE_DEVICE } = POSTED;

describe('the one-device checkbox on the self-marking form', () => {
  it.each<[string, Record<string, unknown>, boolean]>([
    ['the box is ticked', POSTED, true],
    ['the box is not ticked (absent from the post)', WITHOUT_ONE_DEVICE, false],
  ])('when %s, then the settings say oneDevicePerStudent = %s', (_name, body, expected) => {
    const result = validateSelfMarkingSettings(toSettingsInput(formValuesFromBody(body)));
    expect(result.ok && result.settings.oneDevicePerStudent).toBe(expected);
  });

  it('when settings are shown, then the box reflects them (the built-in default is on)', () => {
    expect(formValuesFromSettings({ ...DEFAULT_SELF_MARKING, password: 'ACDEFG' }).oneDevicePerStudent).toBe(true);
    expect(formValuesFromSettings({ ...DEFAULT_SELF_MARKING, oneDevicePerStudent: false }).oneDevicePerStudent).toBe(false);
  });
});

describe('validating activity defaults (the form without a password)', () => {
  it('when the values are valid, then the defaults have every setting but no password', () => {
    const result = validateDefaults(toSettingsInput(formValuesFromBody({
      ...POSTED, password: undefined, showQr: '1', rotateSeconds: '20', allowedCidrs: '10.0.0.0/8\r\n192.168.1.0/24',
    })));
    expect(result).toEqual({
      ok: true,
      defaults: {
        enabled: true, showQr: true, rotateSeconds: 20, graceSeconds: 5, opensMinutesBefore: 0, statusMode: 'auto',
        lateAfterMinutes: 10, allowChange: false, oneDevicePerStudent: true, allowedCidrs: ['10.0.0.0/8', '192.168.1.0/24'],
      },
    });
  });

  it('when a password is posted anyway, then it is ignored', () => {
    const result = validateDefaults(toSettingsInput(formValuesFromBody({ ...POSTED, password: 'x' })));
    expect(result.ok).toBe(true);
    expect(result.ok ? Object.keys(result.defaults) : []).not.toContain('password');
  });

  it.each<[string, Record<string, string>, string, string]>([
    ['rotation is 2 s', { rotateSeconds: '2' }, 'rotateSeconds', 'check_in.errors.rotate_seconds_range'],
    ['a network line is bad', { allowedCidrs: '10.0.0.0/8\nnope' }, 'allowedCidrs', 'check_in.errors.bad_cidr'],
    ['late-after is not a number', { lateAfterMinutes: 'x' }, 'lateAfterMinutes', 'check_in.errors.late_after_minutes_range'],
    ['the status mode is unknown', { statusMode: 'random' }, 'statusMode', 'form.invalid_choice'],
  ])('when %s, then the same rule as for a session reports the field', (_name, over, field, key) => {
    const values = formValuesFromBody({ ...POSTED, ...over });
    const result = validateDefaults(toSettingsInput(values));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.some((p) => p.field === 'password')).toBe(false);
    expect(settingsErrors(result.problems, values.allowedCidrs.split('\n')).errors[field]).toBe(key);
  });

  it('when a network line is bad, then the error names the line', () => {
    const values = formValuesFromBody({ ...POSTED, allowedCidrs: '10.0.0.0/8\nnope' });
    const result = validateDefaults(toSettingsInput(values));
    expect(!result.ok && settingsErrors(result.problems, values.allowedCidrs.split('\n')).badLines).toEqual(['2: nope']);
  });

  it('when a session is validated, then a missing password is still refused (the defaults path does not weaken it)', () => {
    const result = validateSelfMarkingSettings(toSettingsInput(formValuesFromBody({ ...POSTED, password: '' })));
    expect(!result.ok && result.problems.map((p) => p.field)).toEqual(['password']);
  });
});

describe('the summary of the defaults on the Settings page', () => {
  const t = translator('en');
  it.each<[string, Partial<typeof DEFAULT_SELF_MARKING>, string[]]>([
    ['the built-in settings', {}, ['Self check-in: Off', 'QR code: Not shown', 'Status: Automatic: Present, Late after 10 min', 'Networks: Any', 'One device per student: Yes']],
    ['a rotating QR and networks', { enabled: true, showQr: true, rotateSeconds: 20, allowedCidrs: ['10.0.0.0/8'] }, ['Self check-in: On', 'QR code: Shown, changes every 20 s', 'Networks: 10.0.0.0/8']],
    ['a static QR, students choose', { showQr: true, rotateSeconds: 0, statusMode: 'choose', oneDevicePerStudent: false }, ['QR code: Shown, does not change', 'Status: Chosen by the student', 'One device per student: No']],
  ])('when the defaults are %s, then each row says so', (_name, over, rows) => {
    const lines = defaultsSummary({ ...DEFAULT_SELF_MARKING, ...over }, t).map((r) => `${r.label}: ${r.value}`);
    expect(lines).toEqual(expect.arrayContaining(rows));
  });
});
