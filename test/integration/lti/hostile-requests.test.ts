import supertest from 'supertest';
import { startHarness, TestHarness } from '../../support/tool';

let h: TestHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

/** Whatever arrives, the answer is a 4xx page of ours: no raw JSON, no stack, no 5xx. */
function expectFriendly4xx(res: supertest.Response) {
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  expect(res.headers['content-type']).toMatch(/text\/html/);
  expect(res.text).toContain('<main id="content"');
  expect(res.text).not.toMatch(/at .+\.(js|ts):\d+/);
}

describe('hostile or broken requests', () => {
  it.each([
    ['a malformed percent-encoding in the path', (a: supertest.Agent) => a.get('/activity/%E0%A4%A/teacher')],
    ['a malformed percent-encoding on the launch route', (a: supertest.Agent) => a.get('/launch/%ZZ')],
    ['an ltik given twice', (a: supertest.Agent) => a.get('/activity/x/teacher?ltik=a&ltik=b')],
    ['an id_token that is a number (JSON body)', (a: supertest.Agent) => a.post('/launch').send({ id_token: 123, state: 's' })],
    ['an id_token that is garbage', (a: supertest.Agent) => a.post('/launch').type('form').send({ id_token: 'not.a.jwt', state: 's' })],
    ['a state without an id_token', (a: supertest.Agent) => a.post('/launch').type('form').send({ state: 'abc' })],
    ['malformed JSON', (a: supertest.Agent) => a.post('/launch').set('Content-Type', 'application/json').send('{"id_token":')],
    ['an oversized form body', (a: supertest.Agent) => a.post('/launch').type('form').send({ id_token: 'x'.repeat(300_000) })],
    ['a login with an array issuer', (a: supertest.Agent) => a.get('/login?iss=a&iss=b&login_hint=1&target_link_uri=x')],
    ['a login whose target is not a URL', (a: supertest.Agent) => a.get(`/login?iss=${encodeURIComponent(h.lms.issuer)}&login_hint=1&target_link_uri=%3Cscript%3E`)],
  ])('when a client sends %s, then it gets a friendly 4xx page', async (_name, send) => {
    expectFriendly4xx(await send(supertest.agent(h.tool.url)));
  });

  it('when a launch carries markup in names and titles, then the page shows it as text', async () => {
    const r = await h.lms.launch({
      role: 'Instructor',
      user: { id: 'xss-teacher', givenName: '<script>alert(1)</script>', familyName: '"><img src=x onerror=alert(2)>' },
      resourceLink: { id: 'rl-xss', title: '<b>Bold</b> & <i>risky</i>', description: '</p><script>alert(3)</script>' },
      context: { id: 'course-xss', title: '<svg onload=alert(4)>' },
    });
    expect(r.status).toBe(200);
    expect(r.res.text).not.toContain('<script>alert');
    expect(r.res.text).not.toContain('<img src=x');
    expect(r.res.text).not.toContain('<svg onload');
    expect(r.res.text).toContain('&lt;b&gt;Bold&lt;/b&gt; &amp; &lt;i&gt;risky&lt;/i&gt;');
  });
});
