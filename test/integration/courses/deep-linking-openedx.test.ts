import supertest from 'supertest';
import { ActivityModel } from '../../../src/courses/activity.model';
import { activityKey, courseKey } from '../../../src/courses/keys';
import { CLAIM, type LaunchOptions, MockLms, parseAutoPostForm } from '../../support/mock-lms';
import { finalPath, startHarness, type TestHarness } from '../../support/tool';
import { visibleText } from '../attendance/take-helpers';

/**
 * Deep linking against Open edX (issue #15, item 6). Open edX's request carries no custom, AGS,
 * NRPS or `data` claims (nor context or launch presentation); every response replaces the block's
 * earlier items (an empty one erases them) and a returned lineItem is ignored. So on Open edX
 * the tool says so, and its Cancel sends nothing back.
 */
const COURSE = 'course-v1:Org+DL+2026';
/** Where real Open edX takes deep-linking responses (lti_consumer/utils.py, get_lti_deeplinking_response_url). */
const OPENEDX_RETURN_PATH = '/api/lti_consumer/v1/lti/42/lti-dl/response';

let h: TestHarness;
/** A second LMS whose registration is not marked as Open edX. */
let unmarked: MockLms;

beforeAll(async () => {
  h = await startHarness({ register: false, lms: { profile: 'openedx' } });
  await h.tool.platforms.upsertPlatform({ ...h.lms.registration(), lms: 'openedx' }, 'cli');
  unmarked = await MockLms.start({ toolUrl: h.tool.url });
  await h.tool.platforms.upsertPlatform(unmarked.registration(), 'cli');
}, 60_000);
afterAll(async () => {
  await unmarked?.stop();
  await h?.close();
});

function pickerLaunch(lms: MockLms, opts: LaunchOptions = {}) {
  return lms.launch({ role: 'Instructor', context: { id: COURSE, title: 'Deep linking on Open edX' }, messageType: 'LtiDeepLinkingRequest', ...opts });
}

async function followReturnForm(lms: MockLms, html: string) {
  const form = parseAutoPostForm(html);
  if (!form || form.fields.JWT === undefined) throw new Error(`no return form with a JWT in: ${html}`);
  const target = new URL(form.action);
  return supertest(target.origin).post(target.pathname + target.search).type('form').send({ JWT: form.fields.JWT });
}

const OPENEDX_NOTICE = 'Open edX replaces this block’s content with what you choose here';

describe('a teacher adds the tool through Open edX’s deep linking', () => {
  it('when the request has no custom, AGS, NRPS, data or context claims, then the form opens and warns how Open edX treats a choice', async () => {
    // Real Open edX builds this request with get_lti_launch_message(include_extra_claims=False)
    // (lti_consumer/lti_1p3/consumer.py, LtiAdvantageConsumer.generate_launch_request): no
    // context, launch presentation or tool_platform either, which the mock LMS still sends.
    const r = await pickerLaunch(h.lms, {
      mutate: (p) => {
        for (const claim of [CLAIM.context, CLAIM.launchPresentation, CLAIM.toolPlatform]) delete p[claim];
      },
    });
    expect(r.status).toBe(200);
    for (const claim of [CLAIM.custom, CLAIM.ags, CLAIM.nrps, CLAIM.context]) expect(r.payload).not.toHaveProperty([claim]);
    expect(r.payload[CLAIM.deepLinkingSettings]).not.toHaveProperty('data');
    expect(finalPath(r.res)).toMatch(/^\/deep-linking\?ltik=/);
    const text = visibleText(r.res.text);
    expect(text).toContain(OPENEDX_NOTICE);
    expect(text).toContain('the grade goes to the block’s own score');
  });

  it('when the teacher submits, then Open edX keeps the item (without a line item) and a launch of it creates the graded activity', async () => {
    const r = await pickerLaunch(h.lms);
    const page = await r.agent.post('/deep-linking').type('form').send({ ltik: r.ltik, title: 'Lab attendance', description: '', gradeType: 'points', maxGrade: '20' });
    expect(page.status).toBe(200);
    const res = await followReturnForm(h.lms, page.text);
    expect(res.status).toBe(200);
    const record = h.lms.deepLinkResponses.at(-1);
    expect(record?.verified).toBe(true);
    expect(record?.payload).not.toHaveProperty([CLAIM.dlData]);
    expect(h.lms.linkedItems).toEqual([
      { type: 'ltiResourceLink', title: 'Lab attendance', url: `${h.tool.url}/launch`, custom: { username: '$User.username', grade_type: 'points', max_grade: '20' } },
    ]);

    // Open edX launches the saved item with its custom parameters, in the block's resource link.
    const item = h.lms.linkedItems[0] as { custom: Record<string, string> };
    const launch = await h.lms.launch({ role: 'Instructor', context: { id: COURSE }, resourceLink: { id: 'block-dl' }, custom: item.custom });
    expect(launch.status).toBe(200);
    const activity = await ActivityModel.findOne({ _id: activityKey(courseKey(h.lms.issuer, h.lms.clientId, COURSE, 'block-dl'), 'block-dl') }).lean();
    expect(activity?.grading).toMatchObject({ maxGrade: 20 });
  });

  it('when the teacher cancels on Open edX, then nothing is sent back, the block keeps its content and the page says how to leave', async () => {
    expect(h.lms.linkedItems).toHaveLength(1); // the selection saved by the test above
    const before = h.lms.deepLinkResponses.length;
    const r = await pickerLaunch(h.lms);
    const page = await r.agent.post('/deep-linking').type('form').send({ ltik: r.ltik, title: '', cancel: '1' });
    expect(page.status).toBe(200);
    expect(parseAutoPostForm(page.text)).toBeNull();
    expect(page.text).not.toContain('name="JWT"');
    const text = visibleText(page.text);
    expect(text).toContain('Nothing was changed');
    expect(text).toContain('close this window');
    expect(h.lms.deepLinkResponses.length).toBe(before);
    expect(h.lms.linkedItems).toHaveLength(1);
  });

  it('when the Latvian page is shown, then the Open edX notice is Latvian', async () => {
    const r = await pickerLaunch(h.lms, { locale: 'lv' });
    expect(visibleText(r.res.text)).toContain('Open edX aizstāj šī bloka saturu');
  });
});

describe('which platform is Open edX', () => {
  it('when an unmarked registration returns to Open edX’s deep-linking address, then the page warns as well', async () => {
    const r = await pickerLaunch(unmarked, {
      mutate: (p) => void ((p[CLAIM.deepLinkingSettings] as Record<string, unknown>).deep_link_return_url = `${unmarked.url}${OPENEDX_RETURN_PATH}`),
    });
    expect(r.status).toBe(200);
    expect(visibleText(r.res.text)).toContain(OPENEDX_NOTICE);
  });

  it('when another LMS opens the picker, then there is no Open edX notice and Cancel still answers with an empty selection', async () => {
    const r = await pickerLaunch(unmarked);
    expect(visibleText(r.res.text)).not.toContain(OPENEDX_NOTICE);
    const page = await r.agent.post('/deep-linking').type('form').send({ ltik: r.ltik, title: '', cancel: '1' });
    expect(page.text).toContain('Nothing was added to your course.');
    const res = await followReturnForm(unmarked, page.text);
    expect(res.status).toBe(200);
    expect(unmarked.deepLinkResponses.at(-1)?.contentItems).toEqual([]);
  });
});
