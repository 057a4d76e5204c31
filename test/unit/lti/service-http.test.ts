import { LMS_MESSAGE_MAX, lmsMessage } from '../../../src/lti/service-http.adapter';

describe("lmsMessage: the LMS's own words, safe to store and show", () => {
  it.each<[string, string, string | undefined]>([
    ['Open edX / Django REST framework', '{"detail": "Invalid token signature."}', 'Invalid token signature.'],
    ['OAuth2', '{"error":"invalid_token","error_description":"The access token expired"}', 'The access token expired'],
    ['a plain message field', '{"message":"Line item is closed"}', 'Line item is closed'],
    ['only an error code', '{"error":"invalid_scope"}', 'invalid_scope'],
    ['a nested error object', '{"error":{"message":"Score rejected"}}', 'Score rejected'],
    ['a serializer field error', '{"scoreGiven": ["Ensure this value is greater than or equal to 0."]}', 'scoreGiven: Ensure this value is greater than or equal to 0.'],
    ['a non-field error', '{"non_field_errors": ["Grading is closed."]}', 'Grading is closed.'],
    ['short plain text', '  Forbidden: grades are locked \n', 'Forbidden: grades are locked'],
    ['an HTML error page', '<!DOCTYPE html><html><body><h1>403 Forbidden</h1></body></html>', undefined],
    ['an empty body', '', undefined],
    ['JSON without any message', '{"id": 3}', undefined],
    ['broken JSON', '{"detail": ', undefined],
    ['a Python traceback', 'Traceback (most recent call last):\n  File "/edx/app/x.py", line 3, in view\nKeyError', undefined],
    ['a Node stack', '{"message":"TypeError: x is undefined\\n    at handler (/srv/app.js:10:5)"}', undefined],
  ])('when the body is %s, then the message is %p', (_name, body, expected) => {
    expect(lmsMessage(body)).toBe(expected);
  });

  it('when the message names web, e-mail or IP addresses, then they are left out', () => {
    expect(lmsMessage('{"detail":"Token from https://lms.example.edu/oauth2/token?x=1 rejected for admin@example.edu at 10.1.2.3:8000"}'))
      .toBe('Token from … rejected for … at …');
  });

  it('when the message has control characters or runs of whitespace, then they become single spaces', () => {
    expect(lmsMessage('{"detail":"Invalid\\u0000 token\\t\\tsignature."}')).toBe('Invalid token signature.');
  });

  it('when the message is very long, then it is cut to the bound with an ellipsis', () => {
    const out = lmsMessage(JSON.stringify({ detail: 'x'.repeat(5000) }));
    expect(out).toHaveLength(LMS_MESSAGE_MAX);
    expect(out?.endsWith('…')).toBe(true);
  });

  it('when a plain-text body is long, then it is a page, not a message', () => {
    expect(lmsMessage('word '.repeat(100))).toBeUndefined();
  });
});
