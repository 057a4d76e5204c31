import { allowFormActionTo, gradingFromCustom, LINE_ITEM_TAG, resourceLinkItem } from '../../../src/courses/deep-linking';
import { deepLinkingFormSchema } from '../../../src/courses/deep-linking.schema';
import { fieldErrors } from '../../../src/shared/forms';

describe('the deep-linking form', () => {
  const valid = { title: ' Labs ', description: '', gradeType: 'points', maxGrade: '12,5' };

  it('when it is valid, then the title is trimmed and a comma counts as the decimal point', () => {
    expect(deepLinkingFormSchema.parse(valid)).toEqual({ title: 'Labs', description: '', gradeType: 'points', maxGrade: 12.5 });
  });

  it('when the grade type is none, then whatever is in the max grade is ignored', () => {
    expect(deepLinkingFormSchema.parse({ ...valid, gradeType: 'none', maxGrade: 'x' })).toEqual({ title: 'Labs', description: '', gradeType: 'none', maxGrade: undefined });
  });

  it.each([
    [{ title: '' }, 'title', 'form.required'],
    [{ title: 'a'.repeat(256) }, 'title', 'deep_linking_form.errors.title_too_long'],
    [{ description: 'a'.repeat(1001) }, 'description', 'deep_linking_form.errors.description_too_long'],
    [{ gradeType: 'letters' }, 'gradeType', 'form.invalid_choice'],
    [{ maxGrade: '' }, 'maxGrade', 'form.required'],
    [{ maxGrade: '1e3' }, 'maxGrade', 'form.not_a_number'],
    [{ maxGrade: '-5' }, 'maxGrade', 'form.not_a_number'],
    [{ maxGrade: '0' }, 'maxGrade', 'deep_linking_form.errors.max_grade_range'],
    [{ maxGrade: '10000.5' }, 'maxGrade', 'deep_linking_form.errors.max_grade_range'],
    [{ maxGrade: '1.005' }, 'maxGrade', 'deep_linking_form.errors.two_decimals'],
  ])('when %p is sent, then %s says %s', (change, field, key) => {
    const result = deepLinkingFormSchema.safeParse({ ...valid, ...change });
    expect(result.success).toBe(false);
    if (!result.success) expect(fieldErrors(result.error)[field]).toBe(key);
  });

  it('when the maximum is exactly 10000 with 2 decimals allowed, then it is accepted', () => {
    expect(deepLinkingFormSchema.parse({ ...valid, maxGrade: '10000' }).maxGrade).toBe(10000);
    expect(deepLinkingFormSchema.parse({ ...valid, maxGrade: '0.01' }).maxGrade).toBe(0.01);
  });
});

describe('resourceLinkItem', () => {
  const opts = { launchUrl: 'https://tool.example/launch', resourceId: 'r-1' };

  it('when graded with points, then the item has a tagged line item and the grading in custom parameters', () => {
    expect(resourceLinkItem({ title: 'Labs', description: 'Weekly', gradeType: 'points', maxGrade: 20 }, opts)).toEqual({
      type: 'ltiResourceLink',
      title: 'Labs',
      text: 'Weekly',
      url: 'https://tool.example/launch',
      custom: { username: '$User.username', grade_type: 'points', max_grade: '20' },
      lineItem: { scoreMaximum: 20, label: 'Labs', resourceId: 'r-1', tag: LINE_ITEM_TAG },
    });
  });

  it('when not graded, then there is no line item, no max grade and no empty text', () => {
    expect(resourceLinkItem({ title: 'Labs', description: '', gradeType: 'none', maxGrade: undefined }, opts)).toEqual({
      type: 'ltiResourceLink',
      title: 'Labs',
      url: 'https://tool.example/launch',
      custom: { username: '$User.username', grade_type: 'none' },
    });
  });
});

describe('gradingFromCustom', () => {
  it.each([
    [undefined, undefined],
    [{}, undefined],
    [{ grade_type: 'letters', max_grade: '10' }, undefined],
    [{ grade_type: 'none', max_grade: '10' }, { type: 'none' }],
    [{ grade_type: 'points', max_grade: '25.5' }, { type: 'points', maxGrade: 25.5 }],
    [{ grade_type: 'points', max_grade: 40 }, { type: 'points', maxGrade: 40 }],
    [{ grade_type: 'points' }, { type: 'points' }],
    [{ grade_type: 'points', max_grade: '0' }, { type: 'points' }],
    [{ grade_type: 'points', max_grade: '20000' }, { type: 'points' }],
    [{ grade_type: 'points', max_grade: '$Custom.max' }, { type: 'points' }],
  ])('when the custom parameters are %p, then the grading is %p', (custom, expected) => {
    expect(gradingFromCustom(custom)).toEqual(expected);
  });
});

describe('allowFormActionTo', () => {
  const csp = "default-src 'self';script-src 'self';form-action 'self';frame-ancestors 'self' https://lms.example";

  it('when the LMS return URL is given, then only form-action gains its origin', () => {
    expect(allowFormActionTo(csp, 'https://moodle.example:8443/mod/lti/contentitem_return.php?course=2&sesskey=x')).toBe(
      "default-src 'self';script-src 'self';form-action 'self' https://moodle.example:8443;frame-ancestors 'self' https://lms.example",
    );
  });

  it('when the policy has no form-action, then one allowing ourselves and the LMS is added', () => {
    expect(allowFormActionTo("default-src 'self'", 'http://127.0.0.1:9000/return')).toBe("default-src 'self';form-action 'self' http://127.0.0.1:9000");
  });
});
