/**
 * Issue #12 item 6 (cross-site requests: defence in depth) and item 7 (authenticated pages are
 * never cached): a form on another site cannot change anything even with the victim's cookies
 * and ltik; an old ltik gets the friendly "open the activity again" page.
 */
import jwt from 'jsonwebtoken';
import { ActivityModel } from '../../../src/courses/activity.model';
import { withLtik } from '../../../src/shared/links';
import { launchTeacher, TakeCourse } from '../attendance/take-helpers';
import { startHarness, TestHarness } from '../../support/tool';

let h: TestHarness;
let t: TakeCourse;
beforeAll(async () => {
  h = await startHarness();
  t = await launchTeacher(h, 'trust-course');
});
afterAll(async () => {
  await h?.close();
});

const gradingPath = () => `/activity/${t.activityId}/teacher/settings/grading`;
const storedMax = async () => (await ActivityModel.findOne({ _id: t.activityId }, { grading: 1 }).lean())?.grading?.maxGrade;
const saveGrading = (maxGrade: string, headers: Record<string, string>) => {
  let req = t.agent.post(gradingPath()).type('form');
  for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
  return req.send({ ltik: t.ltik, type: 'points', maxGrade, reportThreshold: '70' });
};

describe('state-changing requests from another site are refused', () => {
  it.each<[string, Record<string, string>]>([
    ['Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.example' }],
    ['Sec-Fetch-Site: same-site (a sibling host of the same university)', { 'Sec-Fetch-Site': 'same-site', Origin: 'https://moodle.example.edu' }],
    ['only an Origin of another site (an older browser)', { Origin: 'https://evil.example' }],
    ['Origin: null (a sandboxed frame)', { Origin: 'null' }],
  ])('when a teacher’s browser posts a form with %s, then it gets 403 and nothing changes', async (_name, headers) => {
    const before = await storedMax();
    const res = await saveGrading('13', headers);
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('This request came from another site');
    expect(await storedMax()).toBe(before);
  });

  it.each<[string, () => Record<string, string>, string]>([
    ['Sec-Fetch-Site: same-origin (our own page)', () => ({ 'Sec-Fetch-Site': 'same-origin', Origin: new URL(h.tool.url).origin }), '41'],
    ['only our own Origin (an older browser)', () => ({ Origin: new URL(h.tool.url).origin }), '42'],
    ['no browser headers at all (a script)', () => ({}), '43'],
  ])('when the request comes with %s, then the change is saved', async (_name, headers, value) => {
    const res = await saveGrading(value, headers());
    expect(res.status).toBeLessThan(400);
    expect(String(await storedMax())).toBe(value);
  });

  it('when the LMS posts a launch from its own origin, then the launch is not refused as cross-site', async () => {
    const login = await h.lms.startLogin(undefined, { role: 'Learner', user: { id: 'cross-origin-launch' } });
    const idToken = h.lms.signIdToken(h.lms.buildPayload({ role: 'Learner', user: { id: 'cross-origin-launch' }, nonce: login.nonce }));
    const res = await login.agent.post('/launch').type('form').set('Origin', h.lms.url).set('Sec-Fetch-Site', 'cross-site').send({ id_token: idToken, state: login.state });
    expect(res.status).toBe(302);
    expect(String(res.headers.location)).toContain('ltik=');
  });
});

describe('ltiks expire', () => {
  const aged = (hours: number) => {
    const payload = jwt.decode(t.ltik) as Record<string, unknown>;
    return jwt.sign({ ...payload, iat: Math.floor(Date.now() / 1000) - hours * 3600 }, h.ltiKey);
  };

  it('when an ltik is 11 hours old, then it still works', async () => {
    const res = await t.agent.get(withLtik(`/activity/${t.activityId}/teacher`, aged(11)));
    expect(res.status).toBe(200);
  });

  it('when an ltik is older than 12 hours, then the page asks to open the activity again (401), not an error', async () => {
    const res = await t.agent.get(withLtik(`/activity/${t.activityId}/teacher`, aged(13)));
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('Your session has ended');
    expect(res.text).toContain('open the activity again');
    expect(res.text).toContain('LTIK_EXPIRED');
  });

  it('when an ltik carries no issue time at all, then it is refused', async () => {
    const payload = jwt.decode(t.ltik) as Record<string, unknown>;
    delete payload.iat;
    const res = await t.agent.get(withLtik(`/activity/${t.activityId}/teacher`, jwt.sign(payload, h.ltiKey, { noTimestamp: true })));
    expect(res.status).toBe(401);
  });
});

describe('authenticated pages are never cached', () => {
  it('when a teacher page, a student page or a JSON answer is served, then it says Cache-Control: no-store', async () => {
    const teacher = await t.agent.get(withLtik(`/activity/${t.activityId}/teacher`, t.ltik));
    expect(teacher.headers['cache-control']).toBe('no-store');
    const s = await h.lms.launch({ role: 'Learner', context: { id: 'trust-course' }, resourceLink: { id: 'rl1' }, user: { id: 'trust-student' } });
    expect(s.status).toBe(200);
    expect(s.res.headers['cache-control']).toBe('no-store');
    const ping = await t.agent.get(`/activity/${t.activityId}/ping`).set('Authorization', `Bearer ${t.ltik}`);
    expect(ping.headers['cache-control']).toBe('no-store');
  });
});
