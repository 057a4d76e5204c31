import supertest from 'supertest';
import { startHarness, TestHarness } from '../../support/tool';

let h: TestHarness;
beforeAll(async () => {
  h = await startHarness({ register: false });
});
afterAll(async () => {
  await h?.close();
});

describe('GET /lti/canvas.json (the Canvas developer-key configuration)', () => {
  it('when Canvas (or anyone) fetches it without a launch, then it gets JSON whose URLs derive from PUBLIC_URL', async () => {
    const res = await supertest(h.tool.url).get('/lti/canvas.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    expect(res.body).toMatchObject({
      title: 'LTI Attendance',
      oidc_initiation_url: `${h.tool.url}/login`,
      target_link_uri: `${h.tool.url}/launch`,
      public_jwk_url: `${h.tool.url}/keys`,
      custom_fields: { username: '$User.username' },
    });
    expect(res.body.scopes).toHaveLength(5);
    const [ext] = res.body.extensions as Array<{ platform: string; privacy_level: string; settings: { placements: Array<{ placement: string; message_type: string; target_link_uri: string }> } }>;
    expect(ext).toMatchObject({ platform: 'canvas.instructure.com', privacy_level: 'public' });
    expect(ext?.settings.placements.map((p) => `${p.placement}:${p.message_type}`)).toEqual([
      'course_navigation:LtiResourceLinkRequest',
      'link_selection:LtiDeepLinkingRequest',
      'assignment_selection:LtiDeepLinkingRequest',
    ]);
  });

  it('when Canvas follows its public_jwk_url, then the tool answers with its keys', async () => {
    const keys = await supertest(h.tool.url).get('/keys');
    expect(keys.status).toBe(200);
    expect(Array.isArray(keys.body.keys)).toBe(true);
  });
});

describe('the landing page', () => {
  it('when an admin opens /, then it explains the registration link (not a bare /register URL) and offers the Canvas configuration URL to copy', async () => {
    const res = await supertest(h.tool.url).get('/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Register automatically');
    expect(res.text).toContain('Dynamic registration (LTI Advantage): registration link');
    expect(res.text).toContain('value="npm run platform -- registration-link"');
    expect(res.text).toContain(`${h.tool.url}/register?rt=…`);
    expect(res.text).not.toContain(`value="${h.tool.url}/register"`);
    expect(res.text).toContain('Canvas configuration URL (JSON)');
    expect(res.text).toContain(`value="${h.tool.url}/lti/canvas.json"`);
    expect(res.text).toContain('npm run platform -- approve');
  });

  it('when the browser asks for Latvian, then the new URLs are labelled in Latvian', async () => {
    const res = await supertest(h.tool.url).get('/?lang=lv');
    expect(res.text).toContain('Dinamiskā reģistrācija (LTI Advantage): reģistrācijas saite');
    expect(res.text).toContain('Canvas konfigurācijas URL (JSON)');
  });
});
