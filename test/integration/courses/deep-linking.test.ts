import supertest from 'supertest';
import { ActivityModel } from '../../../src/courses/activity.model';
import { activityKey, courseKey } from '../../../src/courses/keys';
import { MemberModel } from '../../../src/roster/member.model';
import { CLAIM, type LaunchOptions, parseAutoPostForm } from '../../support/mock-lms';
import { finalPath, startHarness, TestHarness } from '../../support/tool';

let h: TestHarness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

/** A content-picker launch; `data` goes into the request's deep_linking_settings (Moodle sends none). */
async function pickerLaunch(contextId: string, opts: LaunchOptions & { data?: string } = {}) {
  const { data, ...rest } = opts;
  return h.lms.launch({
    role: 'Instructor',
    context: { id: contextId, label: 'DL', title: 'Deep linking course' },
    messageType: 'LtiDeepLinkingRequest',
    ...rest,
    mutate: data === undefined ? undefined : (p) => void ((p[CLAIM.deepLinkingSettings] as Record<string, unknown>).data = data),
  });
}

const formAction = (csp: unknown) => /(?:^|;)\s*form-action ([^;]*)/.exec(String(csp ?? ''))?.[1]?.trim();

/** Does what the browser does with the auto-submitting page: POSTs its form to the LMS. */
async function followReturnForm(html: string) {
  const form = parseAutoPostForm(html);
  if (!form || form.fields.JWT === undefined) throw new Error(`no return form with a JWT in: ${html}`);
  const target = new URL(form.action);
  const res = await supertest(target.origin).post(target.pathname + target.search).type('form').send({ JWT: form.fields.JWT });
  return { res, action: form.action, record: h.lms.deepLinkResponses.at(-1) };
}

describe('a teacher adds the tool through the LMS content picker', () => {
  it('when the picker opens the tool, then a form with the translated defaults is shown and its CSP keeps forms on the tool', async () => {
    const r = await pickerLaunch('dl-form');
    expect(r.status).toBe(200);
    expect(finalPath(r.res)).toMatch(/^\/deep-linking\?ltik=/);
    expect(r.res.text).toContain('Add an attendance activity');
    expect(r.res.text).toMatch(/name="title"[^>]*value="Attendance"/);
    expect(r.res.text).toMatch(/value="points" checked/);
    expect(r.res.text).toMatch(/name="maxGrade"[^>]*value="100"/);
    expect(formAction(r.res.headers['content-security-policy'])).toBe("'self'");
  });

  it('when the launch is in Latvian, then the default title is Latvian', async () => {
    const r = await pickerLaunch('dl-lv', { locale: 'lv' });
    expect(r.status).toBe(200);
    expect(r.res.text).toMatch(/name="title"[^>]*value="Apmeklējums"/);
    expect(r.res.text).toContain('Pievienot kursam');
  });

  it('when a graded activity is submitted, then the LMS receives a signed response with one resource link, its line item and the data echoed', async () => {
    const r = await pickerLaunch('dl-points', { data: 'moodle-opaque-42' });
    const page = await r.agent
      .post('/deep-linking')
      .type('form')
      .send({ ltik: r.ltik, title: 'Lab attendance', description: 'Weekly labs', gradeType: 'points', maxGrade: '50,5' });
    expect(page.status).toBe(200);
    expect(page.text).toContain('“Lab attendance” is being added to your course.');
    expect(page.text).toContain('<script src="/static/js/autosubmit.js" defer></script>');
    expect(page.text).not.toMatch(/<script>/); // no inline script: the CSP stays script-src 'self'
    expect(page.text).toMatch(/<button type="submit" class="button">Continue<\/button>/);

    const csp = String(page.headers['content-security-policy']);
    expect(formAction(csp)).toBe(`'self' ${h.lms.url}`);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain('frame-ancestors');

    const { res, action, record } = await followReturnForm(page.text);
    expect(action).toBe(`${h.lms.url}/deeplinking/return`);
    expect(res.status).toBe(200);
    expect(record?.problems).toEqual([]);
    expect(record?.verified).toBe(true);
    expect(record?.payload[CLAIM.dlData]).toBe('moodle-opaque-42');
    expect(record?.payload[CLAIM.deploymentId]).toBe(h.lms.deploymentId);
    expect(record?.payload[CLAIM.messageType]).toBe('LtiDeepLinkingResponse');
    expect(record?.payload.aud).toBe(h.lms.issuer);
    expect(record?.contentItems).toEqual([
      {
        type: 'ltiResourceLink',
        title: 'Lab attendance',
        text: 'Weekly labs',
        url: `${h.tool.url}/launch`,
        custom: { username: '$User.username', grade_type: 'points', max_grade: '50.5' },
        lineItem: { scoreMaximum: 50.5, label: 'Lab attendance', resourceId: expect.any(String), tag: 'lti-attendance' },
      },
    ]);
  });

  it('when grade type none is chosen, then the resource link has no line item (and no data is echoed when none was sent)', async () => {
    const r = await pickerLaunch('dl-none');
    const page = await r.agent.post('/deep-linking').type('form').send({ ltik: r.ltik, title: 'Seminars', description: '', gradeType: 'none', maxGrade: 'ignored' });
    expect(page.status).toBe(200);
    const { res, record } = await followReturnForm(page.text);
    expect(res.status).toBe(200);
    expect(record?.verified).toBe(true);
    expect(record?.payload).not.toHaveProperty([CLAIM.dlData]);
    expect(record?.contentItems).toEqual([{ type: 'ltiResourceLink', title: 'Seminars', url: `${h.tool.url}/launch`, custom: { username: '$User.username', grade_type: 'none' } }]);
  });

  it('when the teacher cancels, then the LMS receives a signed response without content', async () => {
    const r = await pickerLaunch('dl-cancel');
    const page = await r.agent.post('/deep-linking').type('form').send({ ltik: r.ltik, title: '', cancel: '1' });
    expect(page.status).toBe(200);
    expect(page.text).toContain('Nothing was added to your course.');
    const { record } = await followReturnForm(page.text);
    expect(record?.verified).toBe(true);
    expect(record?.contentItems).toEqual([]);
  });

  it('when the response is tampered with, then the mock LMS refuses it (its check is real)', async () => {
    const r = await pickerLaunch('dl-tamper');
    const page = await r.agent.post('/deep-linking').type('form').send({ ltik: r.ltik, title: 'Honest', gradeType: 'none' });
    const form = parseAutoPostForm(page.text);
    const [head, body, sig] = (form?.fields.JWT ?? '').split('.');
    const claims = JSON.parse(Buffer.from(body ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    claims[CLAIM.dlContentItems] = [{ type: 'ltiResourceLink', title: 'Forged', url: 'https://evil.example/launch' }];
    const forged = `${head}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${sig}`;
    const res = await supertest(h.lms.url).post('/deeplinking/return').type('form').send({ JWT: forged });
    expect(res.status).toBe(400);
    expect(h.lms.deepLinkResponses.at(-1)?.verified).toBe(false);
    expect(h.lms.deepLinkResponses.at(-1)?.error).toMatch(/signature/);
  });
});

describe('refusals', () => {
  let picker: Awaited<ReturnType<typeof pickerLaunch>> | undefined;

  it('when the form is filled in wrongly, then it comes back (400) with a message per field and the typed values', async () => {
    const r = await pickerLaunch('dl-bad');
    const long = 'x'.repeat(1001);
    const before = h.lms.deepLinkResponses.length;
    const page = await r.agent.post('/deep-linking').type('form').send({ ltik: r.ltik, title: '   ', description: long, gradeType: 'points', maxGrade: '0' });
    expect(page.status).toBe(400);
    expect(page.text).toContain('Please correct the marked fields and try again.');
    expect(page.text).toContain('This field is required.');
    expect(page.text).toContain('The description can be at most 1000 characters long.');
    expect(page.text).toContain('Enter a maximum grade greater than 0 and at most 10000.');
    expect(page.text).toContain(`>${long}</textarea>`);
    expect(page.text).toMatch(/name="maxGrade"[^>]*value="0"/);
    expect(page.text).toMatch(/id="title"[^>]*aria-invalid="true" aria-describedby="title-error"/);
    expect(formAction(page.headers['content-security-policy'])).toBe("'self'");
    expect(h.lms.deepLinkResponses.length).toBe(before);
  });

  it.each([
    ['abc', 'Enter a number.'],
    ['12.345', 'Use at most 2 decimal places.'],
    ['10000.01', 'Enter a maximum grade greater than 0 and at most 10000.'],
    ['', 'This field is required.'],
  ])('when the maximum grade is %p, then the form says %p', async (maxGrade, message) => {
    picker ??= await pickerLaunch('dl-max');
    const r = picker;
    const page = await r.agent.post('/deep-linking').type('form').send({ ltik: r.ltik, title: 'T', gradeType: 'points', maxGrade });
    expect(page.status).toBe(400);
    expect(page.text).toContain(message);
  });

  it('when the title is longer than 255 characters or the grade type is unknown, then both are refused', async () => {
    const r = await pickerLaunch('dl-bad2');
    const page = await r.agent.post('/deep-linking').type('form').send({ ltik: r.ltik, title: 'y'.repeat(256), gradeType: 'letters', maxGrade: '10' });
    expect(page.status).toBe(400);
    expect(page.text).toContain('The title can be at most 255 characters long.');
    expect(page.text).toContain('Choose one of the offered options.');
  });

  it('when a student comes through the content picker, then the form and its submission are refused (403)', async () => {
    const r = await pickerLaunch('dl-student', { role: 'Learner', user: { id: 'dl-student-1' } });
    expect(r.status).toBe(403);
    const post = await r.agent.post('/deep-linking').type('form').send({ ltik: r.ltik, title: 'Mine', gradeType: 'none' });
    expect(post.status).toBe(403);
    expect(post.text).not.toContain('JWT');
  });

  it('when a normal launch opens the deep-linking page, then there is nothing to pick (404)', async () => {
    const r = await h.lms.launch({ role: 'Instructor', context: { id: 'dl-normal' }, resourceLink: { id: 'rl-normal' } });
    expect(formAction(r.res.headers['content-security-policy'])).toBe("'self'");
    const page = await r.agent.get(`/deep-linking?ltik=${encodeURIComponent(r.ltik ?? '')}`);
    expect(page.status).toBe(404);
  });

  it('when the LMS does not accept resource links, then the page says so instead of showing the form', async () => {
    const r = await h.lms.launch({
      role: 'Instructor',
      context: { id: 'dl-types' },
      messageType: 'LtiDeepLinkingRequest',
      mutate: (p) => void ((p[CLAIM.deepLinkingSettings] as Record<string, unknown>).accept_types = ['file']),
    });
    expect(r.status).toBe(200);
    expect(r.res.text).toContain('does not provide');
    expect(r.res.text).not.toContain('name="title"');
  });
});

describe('the first launch of a deep-linked resource link', () => {
  const activityOf = (contextId: string, linkId: string) =>
    ActivityModel.findById(activityKey(courseKey(h.lms.issuer, h.lms.clientId, contextId, linkId), linkId)).lean();

  it('when the link carries the chosen grading, then the new activity gets it, and later launches do not override it', async () => {
    const r = await pickerLaunch('dl-apply');
    const page = await r.agent.post('/deep-linking').type('form').send({ ltik: r.ltik, title: 'Labs', gradeType: 'points', maxGrade: '25.5' });
    const { record } = await followReturnForm(page.text);
    const custom = record?.contentItems[0]?.custom as Record<string, string>;

    // The mock LMS, like an LMS without the variable, sends `$User.username` verbatim: it is no username.
    await h.lms.launch({ role: 'Instructor', user: { id: 'dl-teacher' }, context: { id: 'dl-apply' }, resourceLink: { id: 'rl-dl', title: 'Labs' }, custom });
    const activity = await activityOf('dl-apply', 'rl-dl');
    expect(activity?.grading).toMatchObject({ type: 'points', maxGrade: 25.5 });
    const member = await MemberModel.findOne({ userId: 'dl-teacher' }).lean();
    expect(member?.username).toBeUndefined();

    await h.lms.launch({ role: 'Instructor', context: { id: 'dl-apply' }, resourceLink: { id: 'rl-dl' }, custom: { grade_type: 'none' } });
    expect((await activityOf('dl-apply', 'rl-dl'))?.grading).toMatchObject({ type: 'points', maxGrade: 25.5 });
  });

  it('when the link says grade type none, then the new activity sends no grades', async () => {
    await h.lms.launch({ role: 'Instructor', context: { id: 'dl-apply-none' }, resourceLink: { id: 'rl-none' }, custom: { grade_type: 'none', username: 'teach1' } });
    expect((await activityOf('dl-apply-none', 'rl-none'))?.grading).toMatchObject({ type: 'none', maxGrade: 100 });
  });

  it('when a launch has no grading parameters, then the activity keeps the defaults (points out of 100)', async () => {
    await h.lms.launch({ role: 'Instructor', context: { id: 'dl-apply-default' }, resourceLink: { id: 'rl-default' } });
    expect((await activityOf('dl-apply-default', 'rl-default'))?.grading).toMatchObject({ type: 'points', maxGrade: 100 });
  });
});
