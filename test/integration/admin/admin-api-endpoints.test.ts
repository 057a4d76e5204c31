import express from 'express';
import supertest from 'supertest';
import { adminApiRouter } from '../../../src/admin/admin.routes';
import { registrationLinksAdminRouter } from '../../../src/admin/registration-links.admin.routes';
import { statusAdminRouter } from '../../../src/admin/status.admin.routes';
import { GradeSyncJobModel } from '../../../src/grading/grade-sync.model';
import { MIGRATIONS } from '../../../src/migrations';
import { createRegistrationLinkService } from '../../../src/platforms/registration-link.service';
import { AttendanceSessionModel } from '../../../src/sessions/attendance-session.model';
import { acquireLease } from '../../../src/shared/job-lease.service';
import { startHarness, type TestHarness } from '../../support/tool';
import { Clock } from '../grading/grade-sync-helpers';
import { checkAnswer, loadDoc } from './openapi-check';

/**
 * Issue #16 item 5: every endpoint of the administration API beyond GET/POST /platforms
 * (test/integration/platforms/platforms-admin-api.test.ts) and the failing grades
 * (grade-sync-admin.test.ts). Every answer here is checked against the OpenAPI document.
 */
const TOKEN = 'admin-token-for-the-endpoint-tests-0123';
const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const clock = new Clock();
clock.current = new Date('2026-12-03T12:00:00.000Z');
const doc = loadDoc();
let h: TestHarness;

beforeAll(async () => {
  h = await startHarness({ register: false, now: clock.now, env: { ADMIN_TOKEN: TOKEN } });
}, 60_000);
afterAll(async () => {
  await h?.close();
});

type Method = 'get' | 'post' | 'delete';
/** One request to the API with the token; its answer must be the documented one for `template`. */
async function call(method: Method, path: string, opts: { template?: string; body?: unknown; app?: express.Express } = {}): Promise<supertest.Response> {
  let req = supertest(opts.app ?? h.tool.app)[method](path).set('Authorization', `Bearer ${TOKEN}`);
  if (opts.body !== undefined) req = req.send(opts.body as object);
  const res = await req;
  expect(checkAnswer(doc, method, opts.template ?? path.split('?')[0]!, res)).toEqual([]);
  return res;
}

const launch = () => h.lms.launch({ role: 'Instructor', context: { id: 'admin-api-c1' }, resourceLink: { id: 'rl1' } });
const key = () => ({ issuer: h.lms.issuer, clientId: h.lms.clientId });
const keyQuery = () => `issuer=${encodeURIComponent(h.lms.issuer)}&clientId=${encodeURIComponent(h.lms.clientId)}`;

describe('approving and removing LMS registrations', () => {
  it('when a pending registration is approved, then the LMS can launch, and approving it again changes nothing', async () => {
    const saved = await call('post', '/admin/api/platforms', { body: { ...h.lms.registration(), status: 'pending' } });
    expect(saved.body.platforms[0]).toMatchObject({ status: 'pending', source: 'admin' });
    expect((await launch()).status).toBe(403);

    const approved = await call('post', '/admin/api/platforms/approve', { body: key() });
    expect(approved.status).toBe(200);
    expect(approved.body.platform).toMatchObject({ ...key(), status: 'active', source: 'admin' });
    expect((await launch()).ltik).toBeDefined();

    const again = await call('post', '/admin/api/platforms/approve', { body: key() });
    expect(again.body).toEqual(approved.body);
  });

  it('when a list with a wrong entry is posted, then the documented 400 names the entry and field, and nothing is saved', async () => {
    const good = { ...h.lms.registration(), clientId: 'listed-ok' };
    const res = await call('post', '/admin/api/platforms', { body: [good, { ...good, clientId: 'listed-bad', jwksUrl: 'nope' }] });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ entry: 1, field: 'jwksUrl', pointer: '/1/jwksUrl' })]);
    expect((await call('get', '/admin/api/platforms')).body.platforms.map((p: { clientId: string }) => p.clientId)).not.toContain('listed-ok');
  });

  it('when an unknown registration is approved or removed, then the answer is 404', async () => {
    const body = { issuer: 'https://nobody.example', clientId: 'none' };
    expect((await call('post', '/admin/api/platforms/approve', { body })).status).toBe(404);
    const gone = await call('delete', `/admin/api/platforms?issuer=${encodeURIComponent(body.issuer)}&clientId=none`);
    expect(gone.status).toBe(404);
    expect(gone.body.detail).toContain('https://nobody.example');
  });

  it('when approve gets a malformed body, then 400 names every wrong field, and a form body is 415', async () => {
    const res = await call('post', '/admin/api/platforms/approve', { body: { issuer: 'not a url', extra: 1 } });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string; pointer: string }) => [e.field, e.pointer]).sort()).toEqual([
      ['clientId', '/clientId'], ['extra', '/extra'], ['issuer', '/issuer'],
    ]);
    const form = await supertest(h.tool.app).post('/admin/api/platforms/approve').set('Authorization', `Bearer ${TOKEN}`).type('form').send(key());
    expect(form.status).toBe(415);
    expect(checkAnswer(doc, 'post', '/admin/api/platforms/approve', form)).toEqual([]);
  });

  it('when remove lacks its query parameters, then 400 names them', async () => {
    const res = await call('delete', '/admin/api/platforms?issuer=ftp%3A%2F%2Fx');
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['clientId', 'issuer']);
  });

  it('when a registration is removed, then it is no longer listed and its LMS can no longer launch', async () => {
    expect((await launch()).ltik).toBeDefined();
    const res = await call('delete', `/admin/api/platforms?${keyQuery()}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    const list = await call('get', '/admin/api/platforms');
    expect(list.body.platforms).toEqual([]);
    expect((await launch()).ltik).toBeUndefined();
    expect((await call('delete', `/admin/api/platforms?${keyQuery()}`)).status).toBe(404);
  });
});

describe('registration links', () => {
  const links = () => createRegistrationLinkService({ publicUrl: h.tool.url, now: clock.now });
  const rtOf = (url: string) => new URL(url).searchParams.get('rt') ?? '';

  it('when a link is created without a body, then it has the CLI\'s defaults (7 days, 1 use), its URL is shown once, and it works', async () => {
    const res = await call('post', '/admin/api/registration-links');
    expect(res.status).toBe(201);
    const { link } = res.body;
    expect(res.body).not.toHaveProperty('note');
    expect(link).toMatchObject({ state: 'usable', uses: 1, usesLeft: 1, createdAt: clock.now().toISOString(), expiresAt: new Date(clock.now().getTime() + 7 * DAY).toISOString(), lastUsedAt: null });
    expect(link.url).toMatch(new RegExp(`^${h.tool.url}/register\\?rt=[A-Za-z0-9_-]{43}$`));
    expect(await links().isUsable(rtOf(link.url))).toBe(true);

    const list = await call('get', '/admin/api/registration-links');
    const { url, ...listed } = link;
    expect(list.body.links).toContainEqual(listed);
    expect(list.text).not.toContain(url);
    expect(list.text).not.toContain(rtOf(link.url));
  });

  it('when a link is created for 12h and 5 uses, then it says so; once it expires, the list says expired', async () => {
    const res = await call('post', '/admin/api/registration-links', { body: { expires: '12h', uses: 5 } });
    expect(res.body.link).toMatchObject({ uses: 5, usesLeft: 5, expiresAt: new Date(clock.now().getTime() + 12 * 60 * MIN).toISOString() });
    clock.advance(12 * 60 * MIN);
    const list = await call('get', '/admin/api/registration-links');
    expect(list.body.links.find((l: { id: string }) => l.id === res.body.link.id)).toMatchObject({ state: 'expired', usesLeft: 5 });
    expect(await links().isUsable(rtOf(res.body.link.url))).toBe(false);
  });

  it('when the options are wrong, then 400 names each field with the CLI\'s rule, and nothing is created', async () => {
    const before = (await links().list()).length;
    for (const [body, fields] of [
      [{ expires: '5m', uses: 0 }, ['expires', 'uses']],
      [{ expires: '91d' }, ['expires']],
      [{ uses: 101 }, ['uses']],
      [{ uses: 2.5, colour: 'red' }, ['colour', 'uses']],
      [['7d'], ['(root)']],
    ] as const) {
      const res = await call('post', '/admin/api/registration-links', { body });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(fields);
    }
    const res = await call('post', '/admin/api/registration-links', { body: { expires: 'soon' } });
    expect(res.body.errors).toEqual([{ field: 'expires', pointer: '/expires', detail: 'must be a duration like 30m, 12h or 7d, from 10 minutes to 90 days' }]);
    expect((await links().list()).length).toBe(before);
  });

  it('when a link is revoked, then it stops working at once; revoking it again is 404', async () => {
    const { link } = (await call('post', '/admin/api/registration-links', { body: { expires: '30m' } })).body;
    const res = await call('delete', `/admin/api/registration-links/${link.id}`, { template: '/admin/api/registration-links/{id}' });
    expect(res.status).toBe(204);
    expect(await links().isUsable(rtOf(link.url))).toBe(false);
    const again = await call('delete', `/admin/api/registration-links/${link.id}`, { template: '/admin/api/registration-links/{id}' });
    expect(again.status).toBe(404);
  });

  it('when dynamic registration is off, then the new link comes with the CLI\'s note', async () => {
    const app = express().use(express.json(), adminApiRouter(TOKEN, {
      routers: [registrationLinksAdminRouter({ publicUrl: h.tool.url, now: clock.now, dynamicRegistrationEnabled: false })], limit: { now: clock.now },
    }));
    const res = await call('post', '/admin/api/registration-links', { app, body: { uses: 2 } });
    expect(res.status).toBe(201);
    expect(res.body.note).toBe('DYNREG_ENABLED is false, so /register is off; the link works once it is turned on.');
  });
});

describe('GET /admin/api/status', () => {
  it('when work is queued and leased, then the status shows the queue by state, the oldest wait, the leases by instance and the automatic-marking backlog', async () => {
    const now = clock.now();
    const ago = (ms: number) => new Date(now.getTime() - ms);
    const job = (id: string, state: string, enqueuedAt: Date, nextAttemptAt: Date) =>
      ({ _id: id, courseId: 'c1', activityId: 'a1', userId: id, state, enqueuedAt, nextAttemptAt });
    await GradeSyncJobModel.create([
      job('u1', 'pending', ago(30 * MIN), ago(MIN)),
      job('u2', 'pending', ago(MIN), new Date(now.getTime() + MIN)),
      job('u3', 'failed', ago(10 * MIN), new Date(now.getTime() + 5 * MIN)),
      job('u4', 'done', ago(60 * MIN), ago(60 * MIN)),
    ]);
    await acquireLease('grade-sync:a1:u1', 'grade-sync:host-a:101:aaaa', 2 * MIN, now);
    await acquireLease('grade-sync:a1:u2', 'grade-sync:host-a:101:aaaa', MIN, now);
    await acquireLease('auto-mark:s9', 'auto-mark:host-b:202:bbbb', 2 * MIN, now);
    await acquireLease('auto-mark:s8', 'auto-mark:host-c:303:cccc', MIN, ago(5 * MIN)); // lapsed: its holder stopped
    const session = (id: string, startsAt: Date, durationMinutes: number, done = false) => ({
      _id: id, courseId: 'c1', activityId: 'a1', startsAt, durationMinutes, timezone: 'Europe/Riga', audience: { kind: 'all' },
      statusSetId: 'a1-default', createdBy: 'teacher', ...(done ? { autoMark: { doneAt: now, outcome: 'marked' } } : {}),
    });
    await AttendanceSessionModel.create([
      session('ended-1', ago(130 * MIN), 90), // ended 40 minutes ago
      session('ended-2', ago(100 * MIN), 90), // ended 10 minutes ago
      session('running', ago(30 * MIN), 90),
      session('handled', ago(300 * MIN), 90, true),
    ]);

    const res = await call('get', '/admin/api/status');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      checkedAt: now.toISOString(),
      database: 'up',
      schema: { stored: MIGRATIONS.length, code: MIGRATIONS.length, upToDate: true },
      gradeSync: { pending: 2, failed: 1, done: 1, due: 1, oldestWaitingSince: ago(30 * MIN).toISOString(), oldestWaitingSeconds: 30 * 60 },
      autoMark: { due: 2, dueCapped: false, oldestEndedAt: ago(40 * MIN).toISOString(), lagSeconds: 40 * 60 },
    });
    expect(res.body.answeredBy).toMatch(/:\d+$/);
    expect(res.body.workers).toEqual({
      leases: [
        { job: 'auto-mark', instance: 'host-b:202', holder: 'auto-mark:host-b:202:bbbb', held: 1, until: new Date(now.getTime() + 2 * MIN).toISOString() },
        { job: 'grade-sync', instance: 'host-a:101', holder: 'grade-sync:host-a:101:aaaa', held: 2, until: new Date(now.getTime() + 2 * MIN).toISOString() },
      ],
      lapsed: 1,
    });
  });

  it('when the database does not answer, then the status says so and reads nothing else', async () => {
    const app = express().use(adminApiRouter(TOKEN, { routers: [statusAdminRouter({ now: clock.now, checkDatabase: async () => false })], limit: { now: clock.now } }));
    const res = await call('get', '/admin/api/status', { app });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ database: 'down', schema: null, workers: null, gradeSync: null, autoMark: null });
  });
});
