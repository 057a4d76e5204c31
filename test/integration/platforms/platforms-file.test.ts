import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import supertest from 'supertest';
import { startHarness, TestHarness } from '../../support/tool';

let h: TestHarness;
const dir = mkdtempSync(join(tmpdir(), 'platforms-'));
const file = join(dir, 'platforms.json');
writeFileSync(
  file,
  JSON.stringify({
    platforms: [
      {
        name: 'Faculty Moodle',
        issuer: 'https://moodle.faculty.example',
        clientId: 'moodle-client',
        authUrl: 'https://moodle.faculty.example/mod/lti/auth.php',
        tokenUrl: 'https://moodle.faculty.example/mod/lti/token.php',
        jwksUrl: 'https://moodle.faculty.example/mod/lti/certs.php',
        deploymentIds: ['7'],
      },
      {
        issuer: 'https://canvas.instructure.com',
        clientId: '10000000000042',
        authUrl: 'https://sso.canvaslms.com/api/lti/authorize_redirect',
        tokenUrl: 'https://sso.canvaslms.com/login/oauth2/token',
        jwksUrl: 'https://sso.canvaslms.com/api/lti/security/jwks',
      },
    ],
  }),
);

beforeAll(async () => {
  h = await startHarness({ env: { PLATFORMS_FILE: file } });
});
afterAll(async () => {
  await h?.close();
});

describe('static registrations from the platforms file', () => {
  it('when the tool starts with a platforms file, then every entry is registered', async () => {
    const all = await h.tool.platforms.listPlatforms();
    const fromFile = all.filter((p) => p.source === 'file');
    expect(fromFile.map((p) => p.issuer).sort()).toEqual(['https://canvas.instructure.com', 'https://moodle.faculty.example']);
    const moodle = fromFile.find((p) => p.clientId === 'moodle-client');
    expect(moodle).toMatchObject({ name: 'Faculty Moodle', deploymentIds: ['7'], status: 'active' });
    expect(fromFile.find((p) => p.clientId === '10000000000042')?.name).toBe('canvas.instructure.com');
  });

  it('when the file is loaded again, then registrations are updated, not duplicated', async () => {
    await h.tool.platforms.loadPlatformsFile(file);
    const all = await h.tool.platforms.listPlatforms();
    expect(all.filter((p) => p.clientId === 'moodle-client')).toHaveLength(1);
  });

  it('when a registered LMS starts a login, then the tool redirects to its authentication URL', async () => {
    const res = await supertest(h.tool.url)
      .get('/login')
      .query({ iss: 'https://moodle.faculty.example', client_id: 'moodle-client', login_hint: '3', target_link_uri: `${h.tool.url}/launch`, lti_message_hint: 'abc' });
    expect(res.status).toBe(302);
    const location = new URL(String(res.headers.location));
    expect(location.origin + location.pathname).toBe('https://moodle.faculty.example/mod/lti/auth.php');
    expect(location.searchParams.get('redirect_uri')).toBe(`${h.tool.url}/launch`);
    expect(location.searchParams.get('lti_message_hint')).toBe('abc');
  });

  it('when pages are served, then the registered LMS origins may frame the tool', async () => {
    const res = await supertest(h.tool.url).get('/');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain('https://moodle.faculty.example');
    expect(csp).toContain('https://canvas.instructure.com');
    expect(csp).toContain('https://sso.canvaslms.com');
  });

  it('when the tool publishes its keys, then the JWKS lists one RSA key per registration', async () => {
    const res = await supertest(h.tool.url).get('/keys');
    expect(res.status).toBe(200);
    expect(res.body.keys.length).toBeGreaterThanOrEqual(3); // two from the file + the mock LMS
    expect(res.body.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(res.body.keys[0].d).toBeUndefined(); // never the private part
  });
});
