import supertest from 'supertest';
import { CourseModel } from '../../../src/courses/course.model';
import { MockLms } from '../../support/mock-lms';
import { startHarness, type TestHarness } from '../../support/tool';
import { addSession, addStudents } from '../attendance/take-helpers';
import { ANN, captureLog, Clock, gradebookOf, launchGradedTeacher, mark, runner } from '../grading/grade-sync-helpers';

/**
 * The administration API's registrations (issue #15, item 5): Open edX without "LTI passports"
 * makes every LTI block a registration of its own (same issuer; client id, token URL and keyset
 * URL per block; deployment 1), so an admin registers a course's blocks in one request.
 */
const TOKEN = 'admin-token-for-the-platforms-api-tests';
const ISSUER = 'https://lms.openedx.test';
const COURSE = 'course-v1:Org+ATT101+2026';

const clock = new Clock();
const captured = captureLog();
let h: TestHarness;
let blockB: MockLms;
/** The harness as seen from the second block (the helpers launch through `h.lms`). */
let hB: TestHarness;

beforeAll(async () => {
  h = await startHarness({ register: false, now: clock.now, env: { ADMIN_TOKEN: TOKEN }, lms: { profile: 'openedx', issuer: ISSUER, clientId: 'block-a' } });
  blockB = await MockLms.start({ toolUrl: h.tool.url, profile: 'openedx', issuer: ISSUER, clientId: 'block-b' });
  hB = { ...h, lms: blockB };
}, 60_000);
afterAll(async () => {
  await blockB?.stop();
  await h?.close();
});

const api = () => supertest(h.tool.url);
const post = (body: unknown) => api().post('/admin/api/platforms').set('Authorization', `Bearer ${TOKEN}`).send(body as object);

function block(configId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    issuer: ISSUER,
    clientId: `api-${configId}`,
    authUrl: `${ISSUER}/api/lti_consumer/v1/launch/`,
    tokenUrl: `${ISSUER}/api/lti_consumer/v1/token/${configId}`,
    jwksUrl: `${ISSUER}/api/lti_consumer/v1/public_keysets/${configId}`,
    deploymentIds: ['1'],
    ...overrides,
  };
}

describe('POST /admin/api/platforms', () => {
  it('when two blocks of one Open edX are registered in one request, then both launch and keep separate courses and grades', async () => {
    const res = await post([
      { ...h.lms.registration(), name: 'ATT101 block A', lms: 'openedx' },
      { ...blockB.registration(), name: 'ATT101 block B', lms: 'openedx' },
    ]);
    expect(res.status).toBe(200);
    expect(res.body.platforms).toEqual([
      expect.objectContaining({ issuer: ISSUER, clientId: 'block-a', deploymentIds: ['1'], lms: 'openedx', source: 'admin', status: 'active' }),
      expect.objectContaining({ issuer: ISSUER, clientId: 'block-b', deploymentIds: ['1'], lms: 'openedx', source: 'admin', status: 'active' }),
    ]);

    // Both blocks sit in the same Open edX course: same issuer, same context id, deployment 1.
    const a = await launchGradedTeacher(h, COURSE);
    const b = await launchGradedTeacher(hB, COURSE);
    expect(a.courseId).not.toBe(b.courseId);
    const courses = await CourseModel.find({ _id: { $in: [a.courseId, b.courseId] } }).lean();
    expect(courses).toHaveLength(2);

    await addStudents(a.courseId, [ANN]);
    await addStudents(b.courseId, [ANN]);
    await mark(a, await addSession(a), { ann: 'P' });
    await mark(b, await addSession(b), { ann: 'A' });
    const run = runner(clock, captured.log);
    expect(await run()).toMatchObject({ sent: 2, failed: 0 });
    // Each block's grade went to its own Open edX block, with that block's token.
    expect(gradebookOf(h, COURSE)).toEqual({ ann: 100 });
    expect(gradebookOf(hB, COURSE)).toEqual({ ann: 0 });
    expect(h.lms.tokenRequests.some((r) => r.ok)).toBe(true);
    expect(blockB.tokenRequests.some((r) => r.ok)).toBe(true);
  });

  it('when one object is posted, then it is saved (and saving it again updates it)', async () => {
    const first = await post(block('51', { name: 'Single' }));
    expect(first.status).toBe(200);
    expect(first.body.platforms).toEqual([expect.objectContaining({ clientId: 'api-51', name: 'Single', source: 'admin' })]);
    const again = await post(block('51', { name: 'Renamed' }));
    expect(again.status).toBe(200);
    const all = (await api().get('/admin/api/platforms').set('Authorization', `Bearer ${TOKEN}`)).body.platforms as Array<{ clientId: string; name: string }>;
    expect(all.filter((p) => p.clientId === 'api-51')).toEqual([expect.objectContaining({ name: 'Renamed' })]);
  });

  it('when entries are wrong, then the answer is a 400 problem listing every field of every entry, and nothing is saved', async () => {
    const res = await post([block('61'), block('62', { clientId: '', tokenUrl: 'token' }), block('63', { lms: 'blackboard' })]);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ type: 'about:blank', title: 'Invalid platform registration', status: 400, detail: '3 problems in 2 of 3 registrations; nothing was saved.' });
    expect(res.body.errors).toEqual([
      { entry: 1, field: 'clientId', pointer: '/1/clientId', detail: expect.any(String) },
      { entry: 1, field: 'tokenUrl', pointer: '/1/tokenUrl', detail: expect.any(String) },
      { entry: 2, field: 'lms', pointer: '/2/lms', detail: expect.any(String) },
    ]);
    const list = await api().get('/admin/api/platforms').set('Authorization', `Bearer ${TOKEN}`);
    expect((list.body.platforms as Array<{ clientId: string }>).map((p) => p.clientId)).not.toContain('api-61');
  });

  it('when the platforms file’s { platforms: [...] } is posted, then its entries are saved, and errors point into that list', async () => {
    const ok = await post({ platforms: [block('91'), block('92')] });
    expect(ok.status).toBe(200);
    expect((ok.body.platforms as Array<{ clientId: string }>).map((p) => p.clientId)).toEqual(['api-91', 'api-92']);
    const bad = await post({ platforms: [block('93'), block('93')] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ entry: 1, field: 'clientId', pointer: '/platforms/1/clientId', detail: 'the same issuer and client id as entry 0' }]);
  });

  it('when a single object is wrong, then its field errors point into the object', async () => {
    const res = await post(block('71', { jwksUrl: 'keys' }));
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'jwksUrl', pointer: '/jwksUrl', detail: expect.any(String) }]);
  });

  it('when the body is not JSON, then the answer is a 415 problem', async () => {
    const res = await api().post('/admin/api/platforms').set('Authorization', `Bearer ${TOKEN}`).type('form').send('issuer=x');
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ status: 415, title: 'Unsupported Media Type' });
  });

  it('when the token is missing, then nothing is listed or saved (401)', async () => {
    expect((await api().get('/admin/api/platforms')).status).toBe(401);
    expect((await api().post('/admin/api/platforms').send(block('81'))).status).toBe(401);
  });
});

describe('GET /admin/api/platforms', () => {
  it('when asked, then every registration is listed with its LMS kind and source', async () => {
    const res = await api().get('/admin/api/platforms').set('Authorization', `Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.platforms).toEqual(
      expect.arrayContaining([expect.objectContaining({ clientId: 'block-a', lms: 'openedx', source: 'admin', tokenUrl: `${h.lms.url}/token` })]),
    );
  });
});
