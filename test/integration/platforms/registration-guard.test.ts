/**
 * /register must not be a proxy into the tool's network: no registration link, no outgoing
 * request; with a link, still no connection to loopback, private, link-local or other internal
 * addresses (checked on the resolved address of every hop), and nothing the network answered
 * reaches the page. This harness has no DYNREG_ALLOWED_HOSTS, like a production server.
 */
import supertest from 'supertest';
import { createDynamicRegistrationService, fetchLimited } from '../../../src/platforms/dynamic-registration.service';
import { newLinkToken } from '../../../src/platforms/registration-link';
import { RegistrationLinkModel } from '../../../src/platforms/registration-link.model';
import { createRegistrationLinkService, RegistrationLinkService } from '../../../src/platforms/registration-link.service';
import { startHarness, TestHarness } from '../../support/tool';
import { Bystander, expectNothingEchoed, expectPage, startBystander } from './registration-helpers';

let h: TestHarness;
let links: RegistrationLinkService;
let bystander: Bystander;
let bystander6: Bystander;
beforeAll(async () => {
  h = await startHarness({ register: false, env: { TRUST_PROXY: 'true' } });
  links = createRegistrationLinkService({ publicUrl: h.tool.url, now: () => new Date() });
  bystander = await startBystander('127.0.0.1');
  bystander6 = await startBystander('::1');
});
afterAll(async () => {
  await bystander?.close();
  await bystander6?.close();
  await h?.close();
});

let ipCounter = 0;
const register = (query: Record<string, string>) =>
  supertest(h.tool.url).get('/register').query(query).set('X-Forwarded-For', `198.51.100.${++ipCounter}`);
const rtOf = (url: string) => new URL(url).searchParams.get('rt') ?? '';
const newLink = async (uses = 1) => rtOf((await links.create({ expiresInMs: 3600_000, uses })).url);
const LINK_NEEDED = 'This registration needs a registration link';
const LINK_INVALID = 'This registration link is not valid';

describe('GET /register without a valid registration link', () => {
  it('when there is no link, then a page explains what a registration link is and how to get one, and nothing is contacted', async () => {
    const queries: Array<Record<string, string>> = [
      { openid_configuration: bystander.url() },
      { openid_configuration: bystander.url(), registration_token: 'reg-token' },
      {},
    ];
    for (const query of queries) {
      const res = await register(query);
      expectPage(res, 403, LINK_NEEDED);
      expect(res.text).toContain('npm run platform -- registration-link');
      expect(res.text).toContain(`${h.tool.url}/register?rt=`);
      expectNothingEchoed(res, bystander.port);
    }
    expect(bystander.hits).toEqual([]);
  });

  it('when the link is unknown, expired, revoked or used up, then the link page is shown and nothing is contacted', async () => {
    const past = createRegistrationLinkService({ publicUrl: h.tool.url, now: () => new Date(Date.now() - 2 * 3600_000) });
    const expired = rtOf((await past.create({ expiresInMs: 3600_000, uses: 5 })).url);
    const usedUp = await newLink(1);
    expect(await links.consume(usedUp)).toBe(true);
    const revokedLink = await links.create({ expiresInMs: 3600_000, uses: 1 });
    expect(await links.revoke(revokedLink.id)).toBe(true);
    for (const rt of [newLinkToken(), expired, usedUp, rtOf(revokedLink.url), 'not-a-token']) {
      const res = await register({ rt, openid_configuration: bystander.url(), registration_token: 'reg-token' });
      expectPage(res, 403, LINK_INVALID);
      expect(res.text).toContain('npm run platform -- registration-link');
      expectNothingEchoed(res, bystander.port);
    }
    expect(bystander.hits).toEqual([]);
  });

  it('when a link is created, then only its SHA-256 is stored, with its expiry and uses left', async () => {
    const link = await links.create({ expiresInMs: 3600_000, uses: 3 });
    const stored = await RegistrationLinkModel.findById(link.id).lean();
    expect(stored).toMatchObject({ usesLeft: 3 });
    expect(JSON.stringify(stored)).not.toContain(rtOf(link.url));
    expect(stored?.expiresAt.getTime()).toBe(link.expiresAt.getTime());
  });
});

describe('GET /register with a valid link but an internal address', () => {
  it.each([
    ['loopback', () => bystander.url()],
    ['loopback in decimal', () => `http://2130706433:${bystander.port}/cfg`],
    ['unspecified (0.0.0.0 reaches this host)', () => `http://0.0.0.0:${bystander.port}/cfg`],
    ['IPv6 loopback', () => bystander6.url()],
    ['IPv4-mapped IPv6 loopback', () => `http://[::ffff:127.0.0.1]:${bystander.port}/cfg`],
    ['a private network', () => 'http://10.0.0.1:8080/cfg'],
    ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data/'],
    ['CGNAT', () => 'http://100.64.0.1/cfg'],
  ])('when the configuration URL is on %s, then it is refused before any connection, and the link is not spent', async (_label, url) => {
    const rt = await newLink(1);
    const started = Date.now();
    const res = await register({ rt, openid_configuration: url(), registration_token: 'reg-token' });
    expectPage(res, 403, "The LMS's address is in a local or private network");
    expect(res.text).toContain('DYNREG_ALLOWED_HOSTS');
    expectNothingEchoed(res, bystander.port);
    expect(Date.now() - started).toBeLessThan(4000); // refused, not timed out
    expect(bystander.hits).toEqual([]);
    expect(bystander6.hits).toEqual([]);
    expect(await links.isUsable(rt)).toBe(true);
  });

  it('when the host name resolves to loopback (localhost), then the resolved address is refused and nothing is contacted', async () => {
    const rt = await newLink(1);
    const res = await register({ rt, openid_configuration: `http://localhost:${bystander.port}/cfg`, registration_token: 'reg-token' });
    expectPage(res, 502, "The LMS's configuration could not be read");
    expectNothingEchoed(res, bystander.port);
    expect(bystander.hits).toEqual([]);
    expect(bystander6.hits).toEqual([]);
  });
});

describe('the address check inside the registration service (injected DNS)', () => {
  const service = (answers: (host: string) => string[]) =>
    createDynamicRegistrationService(h.tool.platforms, links, {
      publicUrl: h.tool.url, autoActivate: false, allowHttp: true, allowedHosts: [],
      resolve: async (host) => answers(host).map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    });

  it.each([
    ['loopback', ['127.0.0.1']],
    ['IPv6 loopback', ['::1']],
    ['a mapped loopback', ['::ffff:127.0.0.1']],
    ['one public and one private address', ['93.184.216.34', '127.0.0.1']],
  ])('when a public-looking host name resolves to %s, then the tool does not connect', async (_label, answer) => {
    const rt = await newLink(1);
    const url = new URL(`http://lms.example.edu:${bystander.port}/.well-known/openid-configuration`);
    await expect(service(() => answer).register(rt, url, 'reg-token')).rejects.toMatchObject({ kind: 'configuration_unreachable' });
    expect(bystander.hits).toEqual([]);
  });

  it('when a redirect within the same site leads to an address the policy refuses (DNS rebinding), then the second hop is not made', async () => {
    const site = await startBystander('127.0.0.1', (req, res) => {
      res.writeHead(302, { Location: '/cfg' });
      res.end();
    });
    try {
      const resolved: string[] = [];
      const policy = {
        // Trusts only the first URL, so the second hop is judged like an untrusted host.
        mayReachPrivate: (u: URL) => u.pathname === '/start',
        resolve: async (host: string) => {
          resolved.push(host);
          return [{ address: '127.0.0.1', family: 4 }];
        },
      };
      const url = new URL(`http://lms.example.edu:${site.port}/start`);
      await expect(fetchLimited(url, { method: 'GET', headers: {} }, { timeoutMs: 3000, maxBytes: 1000 }, policy)).rejects.toMatchObject({ failure: 'blocked' });
      expect(site.hits).toEqual(['/start']);
      expect(resolved).toEqual(['lms.example.edu', 'lms.example.edu']); // resolved again for the second hop
    } finally {
      await site.close();
    }
  });
});
