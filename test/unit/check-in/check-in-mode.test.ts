import { CHECK_IN_MODES, checkInModeOf, fieldsForMode } from '../../../src/check-in/check-in-mode';
import {
  checkInModeChoices, formValuesFromBody, formValuesFromSettings, shownMode, validateDefaultsForm, validateSessionForm,
} from '../../../src/check-in/self-marking-form';
import { DEFAULT_SELF_MARKING } from '../../../src/check-in/settings';
import { translator } from '../../../src/i18n/i18n';

/** The session form as a browser without JavaScript posts it: the rotation inputs are sent whatever the mode. */
const POSTED = {
  enabled: '1', password: 'ACDEFG', statusMode: 'auto', lateAfterMinutes: '10', opensMinutesBefore: '0',
  allowedCidrs: '', rotateSeconds: '20', graceSeconds: '5', oneDevicePerStudent: '1',
};

describe('the check-in mode read from stored settings', () => {
  it.each<[boolean, number, string]>([
    [false, 0, 'password'],
    // Rotation without a QR never applied: the password is what students type.
    [false, 15, 'password'],
    [true, 0, 'static_qr'],
    [true, 15, 'rotating_qr'],
  ])('when showQr is %s and rotateSeconds %s, then the mode is %s', (showQr, rotateSeconds, mode) => {
    expect(checkInModeOf({ showQr, rotateSeconds })).toBe(mode);
  });
});

describe('the stored fields a mode stands for', () => {
  it.each<[string, object]>([
    ['password', { showQr: false, rotateSeconds: 0, graceSeconds: 5 }],
    ['static_qr', { showQr: true, rotateSeconds: 0, graceSeconds: 5 }],
    ['rotating_qr', { showQr: true, rotateSeconds: 20, graceSeconds: 5 }],
  ])('when the mode is %s, then the fields are %j', (mode, fields) => {
    expect(fieldsForMode(mode as never, { rotateSeconds: 20, graceSeconds: 5 })).toEqual({ fields, problems: [] });
  });

  it('when each mode is mapped to fields and read back, then it is the same mode', () => {
    for (const mode of CHECK_IN_MODES) {
      const { fields } = fieldsForMode(mode, { rotateSeconds: 30, graceSeconds: 0 });
      expect(checkInModeOf({ showQr: fields.showQr, rotateSeconds: Number(fields.rotateSeconds) })).toBe(mode);
    }
  });

  it.each<[string, unknown]>([['0 ("never")', 0], ['2 s', 2], ['400 s', 400], ['text', 'soon']])(
    'when the QR rotates and the period is %s, then the period is reported, not quietly made static',
    (_name, rotateSeconds) => {
      const mapped = fieldsForMode('rotating_qr', { rotateSeconds, graceSeconds: 5 });
      expect(mapped.problems).toEqual([{ field: 'rotateSeconds', messageKey: 'check_in.errors.rotate_seconds_rotating_range' }]);
      expect(mapped.fields.showQr).toBe(true);
    },
  );

  it('when the mode does not rotate, then bad rotation inputs are ignored and the default grace period is kept', () => {
    expect(fieldsForMode('password', { rotateSeconds: 'x', graceSeconds: 99 })).toEqual({
      fields: { showQr: false, rotateSeconds: 0, graceSeconds: DEFAULT_SELF_MARKING.graceSeconds }, problems: [],
    });
  });
});

describe('the self-marking form with a mode', () => {
  it('when "password only" is posted with the rotation inputs filled in, then the saved settings do not rotate', () => {
    const result = validateSessionForm(formValuesFromBody({ ...POSTED, mode: 'password', showQr: '1' }));
    expect(result.ok && { showQr: result.settings.showQr, rotateSeconds: result.settings.rotateSeconds }).toEqual({ showQr: false, rotateSeconds: 0 });
  });

  it('when a post has no mode (an older form), then showQr and rotateSeconds are read as they are', () => {
    const result = validateSessionForm(formValuesFromBody({ ...POSTED, showQr: '1', rotateSeconds: '0' }));
    expect(result.ok && { showQr: result.settings.showQr, rotateSeconds: result.settings.rotateSeconds }).toEqual({ showQr: true, rotateSeconds: 0 });
    expect(shownMode(formValuesFromBody({ ...POSTED, showQr: '1' }))).toBe('rotating_qr');
  });

  it('when the mode is unknown, then it is reported with every other problem at once', () => {
    const result = validateSessionForm(formValuesFromBody({ ...POSTED, mode: 'sometimes', password: '', lateAfterMinutes: 'x' }));
    expect(!result.ok && result.problems.map((p) => [p.field, p.messageKey])).toEqual([
      ['mode', 'check_in.errors.mode_choice'],
      ['password', 'check_in.errors.password_required'],
      ['lateAfterMinutes', 'check_in.errors.late_after_minutes_range'],
    ]);
  });

  it('when the defaults choose a static QR, then they are saved without rotation', () => {
    const result = validateDefaultsForm(formValuesFromBody({ ...POSTED, password: undefined, mode: 'static_qr' }));
    expect(result.ok && { showQr: result.defaults.showQr, rotateSeconds: result.defaults.rotateSeconds }).toEqual({ showQr: true, rotateSeconds: 0 });
  });

  it('when stored settings do not rotate, then the form shows their mode and a usable period to switch rotation on', () => {
    const values = formValuesFromSettings({ ...DEFAULT_SELF_MARKING, showQr: true, rotateSeconds: 0 });
    expect([values.mode, values.rotateSeconds]).toEqual(['static_qr', String(DEFAULT_SELF_MARKING.rotateSeconds)]);
  });

  it.each<['en' | 'lv', string[]]>([
    ['en', ['Students open the session in the LMS and type its password.', 'Students scan the QR code on the projector, or type the password in the LMS.', 'it changes every 20 s']],
    ['lv', ['ievada tās paroli', 'vai ievada paroli', 'tas mainās ik pēc 20 s']],
  ])('when the form is shown in %s, then each mode says what students will enter', (locale, sentences) => {
    const choices = checkInModeChoices(formValuesFromBody({ ...POSTED, mode: 'rotating_qr' }), translator(locale));
    expect(choices.map((c) => c.value)).toEqual(['password', 'static_qr', 'rotating_qr']);
    expect(choices.map((c) => c.checked)).toEqual([false, false, true]);
    sentences.forEach((sentence, i) => expect(choices[i]?.help).toContain(sentence));
  });
});
