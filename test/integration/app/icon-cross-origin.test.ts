/**
 * Issue #14 item 1: Moodle showed a broken icon. The LMS loads the icon named at dynamic
 * registration (`logo_uri`) and in the Canvas configuration (`icon_url`) on its own pages, and
 * helmet's `Cross-Origin-Resource-Policy: same-origin` made browsers block it
 * (ERR_BLOCKED_BY_RESPONSE.NotSameOrigin). Images say cross-origin; nothing else does.
 */
import supertest from 'supertest';
import { buildToolRegistration } from '../../../src/platforms/dynamic-registration';
import { startHarness, TestHarness } from '../../support/tool';

let h: TestHarness;
beforeAll(async () => {
  h = await startHarness({ register: false });
});
afterAll(async () => {
  await h?.close();
});

const pathOf = (url: string) => new URL(url).pathname;

describe('the icon the LMS shows on its own pages', () => {
  it('when the LMS loads the icon named in the Canvas JSON and at dynamic registration, then it answers 200 with CORP cross-origin', async () => {
    const canvas = await supertest(h.tool.url).get('/lti/canvas.json');
    const iconUrl = String(canvas.body.icon_url ?? canvas.body.extensions?.[0]?.settings?.icon_url);
    const registration = buildToolRegistration(h.tool.url, {
      issuer: 'https://moodle.example.edu', authorizationEndpoint: 'https://moodle.example.edu/auth', tokenEndpoint: 'https://moodle.example.edu/token',
      jwksUri: 'https://moodle.example.edu/certs', registrationEndpoint: 'https://moodle.example.edu/register',
    });
    const logoUri = String(registration.logo_uri);
    expect(iconUrl.startsWith(`${h.tool.url}/static/`)).toBe(true);
    expect(logoUri.startsWith(`${h.tool.url}/static/`)).toBe(true);

    for (const url of new Set([iconUrl, logoUri])) {
      // What the LMS's page sends for an <img> of another site.
      const res = await supertest(h.tool.url).get(pathOf(url)).set('Sec-Fetch-Site', 'cross-site').set('Sec-Fetch-Dest', 'image');
      expect({ url, status: res.status, type: res.headers['content-type'], corp: res.headers['cross-origin-resource-policy'] })
        .toEqual({ url, status: 200, type: expect.stringMatching(/^image\//), corp: 'cross-origin' });
    }
  });

  it('when a page, a stylesheet, a script or a missing image answers, then it stays CORP same-origin', async () => {
    const agent = supertest(h.tool.url);
    const answers = await Promise.all(['/', '/static/css/app.css', '/static/js/copy.js', '/static/img/no-such-image.png'].map(async (path) => {
      const res = await agent.get(path);
      return { path, found: res.status === 200, corp: res.headers['cross-origin-resource-policy'] };
    }));
    expect(answers).toEqual([
      { path: '/', found: true, corp: 'same-origin' },
      { path: '/static/css/app.css', found: true, corp: 'same-origin' },
      { path: '/static/js/copy.js', found: true, corp: 'same-origin' },
      { path: '/static/img/no-such-image.png', found: false, corp: 'same-origin' }, // an error page, not an image
    ]);
  });
});
