import crypto from 'node:crypto';
import express, { Router } from 'express';
import supertest from 'supertest';
import { digest, tokenMatches } from '../../../src/admin/admin-auth.middleware';
import { adminApiRouter } from '../../../src/admin/admin.routes';

const TOKEN = 'a-long-enough-admin-token-0123456789';

function app(adminToken: string | undefined) {
  const ping = Router().get('/ping', (_req, res) => res.json({ ok: true }));
  const a = express();
  a.use(express.json());
  // No database here: the per-address failure limit is off (test/integration/admin/admin-api-auth.test.ts counts for real).
  a.use(adminApiRouter(adminToken, { routers: [ping], limit: { failures: 0 } }));
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
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).toEqual({ type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'Send Authorization: Bearer <ADMIN_TOKEN>.' });
  });

  it.each([
    ['the token', `Bearer ${TOKEN}`, true],
    ['a prefix of it', `Bearer ${TOKEN.slice(0, 20)}`, false],
    ['a longer token', `Bearer ${TOKEN}0`, false],
    ['no header', undefined, false],
    ['an empty bearer', 'Bearer ', false],
  ])('when %s is compared, then it is one constant-time comparison of two 32-byte digests', (_name, header, expected) => {
    const spy = jest.spyOn(crypto, 'timingSafeEqual');
    try {
      expect(tokenMatches(header, digest(TOKEN))).toBe(expected);
      expect(spy).toHaveBeenCalledTimes(1);
      const [a, b] = spy.mock.calls[0] as [Buffer, Buffer];
      expect([a.length, b.length]).toEqual([32, 32]);
    } finally {
      spy.mockRestore();
    }
  });

  it('when the body is not valid JSON, then a caller with the token gets a 400 problem and one without gets 401', async () => {
    const bad = (auth?: string) => {
      const req = app(TOKEN).post('/admin/api/ping').set('Content-Type', 'application/json');
      return (auth ? req.set('Authorization', auth) : req).send('{"issuer": ');
    };
    const withToken = await bad(`Bearer ${TOKEN}`);
    expect(withToken.status).toBe(400);
    expect(withToken.body).toEqual({ type: 'about:blank', title: 'Bad Request', status: 400, detail: 'The body is not valid JSON.' });
    expect((await bad()).status).toBe(401);
    const off = await supertest(express().use(express.json(), adminApiRouter(undefined, { routers: [], limit: { failures: 0 } })))
      .post('/admin/api/ping').set('Content-Type', 'application/json').send('{');
    expect(off.status).toBe(404);
  });

  it('when a path under /admin/api has no route, then the answer is a 404 problem naming the OpenAPI document', async () => {
    const res = await app(TOKEN).get('/admin/api/nothing-here').set('Authorization', `Bearer ${TOKEN}`);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ status: 404, detail: expect.stringContaining('/admin/api/openapi.json') });
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
