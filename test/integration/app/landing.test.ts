import express from 'express';
import supertest from 'supertest';
import { MIGRATIONS } from '../../../src/migrations';
import { healthRouter } from '../../../src/shared/health.routes';
import { startHarness, TestHarness } from '../../support/tool';

let h: TestHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('the landing page for LMS administrators', () => {
  it('when an admin opens /, then it lists the four URLs to enter in the LMS, each with a copy button', async () => {
    const res = await supertest(h.tool.url).get('/');
    expect(res.status).toBe(200);
    for (const [label, path] of [
      ['Tool URL (launch / target link URI)', '/launch'],
      ['OpenID Connect login initiation URL', '/login'],
      ['Redirect URI', '/launch'],
      ['Public keyset URL (JWKS)', '/keys'],
    ]) {
      expect(res.text).toContain(label);
      expect(res.text).toContain(`value="${h.tool.url}${path}"`);
    }
    expect(res.text.match(/class="button button--secondary js-copy"/g)).toHaveLength(6); // + dynamic registration and Canvas JSON URLs
    expect(res.text).toContain('<script src="/static/js/copy.js" defer></script>');
  });

  it('when an admin reads on, then it explains how to register the LMS on the tool side, for Moodle, Canvas and others', async () => {
    const res = await supertest(h.tool.url).get('/');
    expect(res.text).toContain('Register the LMS on the tool side');
    expect(res.text).toContain('npm run platform -- add');
    expect(res.text).toContain('PLATFORMS_FILE');
    expect(res.text).toContain('Manage tools');
    expect(res.text).toContain('Developer Keys');
    expect(res.text).toContain('Blackboard, Brightspace, Sakai and others');
  });

  it('when a Moodle admin reads the Moodle part, then it says how to show the tool in the activity chooser and to add it with "Select content"', async () => {
    const res = await supertest(h.tool.url).get('/');
    expect(res.text).toContain('Show in activity chooser and as a preconfigured tool');
    expect(res.text).toContain('Course → More → LTI External tools → “Show in activity chooser”');
    expect(res.text).toContain('add the activity with “Select content”');
  });

  it('when the browser asks for Latvian, then the landing page is in Latvian', async () => {
    const viaHeader = await supertest(h.tool.url).get('/').set('Accept-Language', 'lv-LV,lv;q=0.9');
    expect(viaHeader.text).toContain('<html lang="lv">');
    expect(viaHeader.text).toContain('Pievienojiet LTI Attendance savai mācību videi');
    const viaQuery = await supertest(h.tool.url).get('/?lang=lv');
    expect(viaQuery.text).toContain('Ievadiet šīs adreses mācību vidē');
  });

  it('when assets are requested, then the stylesheet and scripts are served from the tool itself', async () => {
    const css = await supertest(h.tool.url).get('/static/css/app.css');
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toMatch(/text\/css/);
    const js = await supertest(h.tool.url).get('/static/js/copy.js');
    expect(js.status).toBe(200);
  });

  it('when the landing page is served, then it carries a strict CSP and no X-Frame-Options', async () => {
    const res = await supertest(h.tool.url).get('/');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(res.headers['x-frame-options']).toBeUndefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});

describe('/healthz (liveness) and /readyz (readiness)', () => {
  it('when the database answers and the migrations are done, then both report ok, with the schema version', async () => {
    const live = await supertest(h.tool.url).get('/healthz');
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: 'ok', database: 'up' });
    expect(live.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const ready = await supertest(h.tool.url).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', database: 'up', schemaVersion: MIGRATIONS.length });
    expect(ready.headers['cache-control']).toBe('no-store');
  });

  it('when the database does not answer, then the process is alive (200) but not ready (503)', async () => {
    const app = express().use(healthRouter({ database: async () => false, schemaVersion: 1 }));
    const live = await supertest(app).get('/healthz');
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: 'ok', database: 'down' });
    const ready = await supertest(app).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({ status: 'unavailable', database: 'down', schemaVersion: 1 });
  });
});
