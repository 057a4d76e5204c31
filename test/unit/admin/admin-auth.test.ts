import express, { Router } from 'express';
import supertest from 'supertest';
import { adminApiRouter } from '../../../src/admin/admin.routes';

const TOKEN = 'a-long-enough-admin-token-0123456789';

function app(adminToken: string | undefined) {
  const ping = Router().get('/ping', (_req, res) => res.json({ ok: true }));
  const a = express();
  a.use(adminApiRouter(adminToken, { routers: [ping] }));
  return supertest(a);
}

describe('the administration API credential (ADMIN_TOKEN)', () => {
  it('when ADMIN_TOKEN is not set, then the API does not exist (404), whatever is sent', async () => {
    const res = await app(undefined).get('/admin/api/ping').set('Authorization', `Bearer ${TOKEN}`);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ status: 404, detail: expect.stringContaining('ADMIN_TOKEN is not set') });
  });

  it.each([
    ['no Authorization header', undefined],
    ['another token', 'Bearer a-long-enough-admin-token-0123456780'],
    ['a prefix of the token', `Bearer ${TOKEN.slice(0, 20)}`],
    ['the token with another scheme', `Basic ${TOKEN}`],
    ['the token twice', `Bearer ${TOKEN} ${TOKEN}`],
  ])('when the request has %s, then it is refused with 401 and a Bearer challenge', async (_name, header) => {
    const req = app(TOKEN).get('/admin/api/ping');
    const res = header === undefined ? await req : await req.set('Authorization', header);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="admin"');
    expect(res.body).toEqual({ type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'Send Authorization: Bearer <ADMIN_TOKEN>.' });
  });

  it('when the token is right, then the route answers, uncached', async () => {
    const res = await app(TOKEN).get('/admin/api/ping').set('Authorization', `bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('when a path outside /admin/api is asked, then the admin router leaves it alone', async () => {
    expect((await app(TOKEN).get('/ping')).status).toBe(404);
  });
});
