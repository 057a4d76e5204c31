import { isOpenEdxDeepLinking } from '../../../src/courses/deep-linking';

/** Which content pickers get the Open edX notice and the Cancel that sends nothing (issue #15, item 6). */
describe('isOpenEdxDeepLinking', () => {
  const openEdxReturn = 'https://lms.openedx.example/api/lti_consumer/v1/lti/42/lti-dl/response';
  const moodleReturn = 'https://moodle.example.edu/mod/lti/contentitem_return.php?course=2&id=7';

  it('when the admin marked the registration as Open edX, then it is Open edX whatever the return address', () => {
    expect(isOpenEdxDeepLinking('openedx', moodleReturn)).toBe(true);
  });

  it('when the registration is unmarked, then Open edX’s deep-linking return address gives it away', () => {
    expect(isOpenEdxDeepLinking(undefined, openEdxReturn)).toBe(true);
    expect(isOpenEdxDeepLinking(undefined, 'https://lms.example/api/lti_consumer/v1/lti/6f1c-9a/lti-dl/response/')).toBe(true);
    expect(isOpenEdxDeepLinking(undefined, moodleReturn)).toBe(false);
    expect(isOpenEdxDeepLinking(undefined, 'https://lms.example/api/lti_consumer/v1/lti/42/lti-dl/response/extra')).toBe(false);
    expect(isOpenEdxDeepLinking(undefined, 'not a url')).toBe(false);
  });

  it('when the admin marked the registration as another LMS, then the address does not override it', () => {
    expect(isOpenEdxDeepLinking('moodle', openEdxReturn)).toBe(false);
  });
});
