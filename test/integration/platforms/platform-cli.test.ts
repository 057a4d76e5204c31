import supertest from 'supertest';
import { cliEnv, runCli } from '../../support/platform-cli';
import { testDbName, testMongoUri } from '../../support/test-db';
import { startHarness, TestHarness } from '../../support/tool';

const dbName = testDbName('cli');
const env = cliEnv(dbName);
const cli = (...args: string[]) => runCli(env, ...args);

// The tool itself, on the CLI's database: a link the CLI prints must work there.
let h: TestHarness;
beforeAll(async () => {
  h = await startHarness({ register: false, env: { MONGODB_DB: dbName, DYNREG_ALLOWED_HOSTS: '127.0.0.1' } });
});
afterAll(async () => {
  await h?.close();
});

const moodle = [
  '--name', 'CLI Moodle',
  '--issuer', 'https://moodle.cli.example',
  '--client-id', 'cli-client',
  '--auth-url', 'https://moodle.cli.example/mod/lti/auth.php',
  '--token-url', 'https://moodle.cli.example/mod/lti/token.php',
  '--jwks-url', 'https://moodle.cli.example/mod/lti/certs.php',
  '--deployment', '1', '--deployment', '2',
];

describe('npm run platform (the registrations CLI)', () => {
  it('when an admin adds, lists and removes a registration, then each step is reflected', async () => {
    const added = await cli('add', ...moodle);
    expect(added.out).toContain('Saved:');
    expect(added.status).toBe(0);

    const listed = await cli('list');
    expect(listed.status).toBe(0);
    expect(listed.out).toContain('CLI Moodle');
    expect(listed.out).toContain('issuer: https://moodle.cli.example');
    expect(listed.out).toContain('deployments: 1, 2');
    expect(listed.out).toContain('status: active (from cli)');

    const removed = await cli('remove', '--issuer', 'https://moodle.cli.example', '--client-id', 'cli-client');
    expect(removed.status).toBe(0);
    expect((await cli('list')).out).toContain('No LMS is registered yet.');
    expect((await cli('remove', '--issuer', 'https://moodle.cli.example', '--client-id', 'cli-client')).status).toBe(1);
  });

  it('when the input is wrong, then every problem is listed and the exit code is 2', async () => {
    const res = await cli('add', '--issuer', 'nope', '--client-id', 'x');
    expect(res.status).toBe(2);
    expect(res.out).toMatch(/issuer/);
    expect(res.out).toMatch(/authUrl/);
    expect(res.out).toMatch(/tokenUrl/);
    expect(res.out).toMatch(/jwksUrl/);
  });

  it('when called without a command, then it prints the usage', async () => {
    const res = await cli();
    expect(res.status).toBe(2);
    expect(res.out).toContain('npm run platform -- add');
    expect(res.out).toContain('npm run platform -- registration-link');
  });
});

describe('npm run platform -- registration-link (links for LTI Dynamic Registration)', () => {
  it('when an admin creates a link, then the printed link lets an LMS register once, and it can be listed and revoked', async () => {
    const made = await cli('registration-link', '--expires', '2h', '--uses', '1');
    expect(made.status).toBe(0);
    const printed = /https:\/\/attendance\.example\.edu\/register\?rt=([A-Za-z0-9_-]{43})\s/.exec(made.out);
    expect(printed).not.toBeNull();
    const id = /revoke-registration-link (\w+)/.exec(made.out)?.[1] ?? '';
    expect(id).not.toBe('');

    // The LMS appends its own parameters to the link; the tool on this database accepts it once.
    const start = new URL(h.lms.dynamicRegistration.startUrl(`${h.tool.url}/register?rt=${printed?.[1]}`));
    const first = await supertest(h.tool.url).get(`/register${start.search}`);
    expect(first.status).toBe(200);
    expect(first.text).toContain('LTI Attendance is registered');
    const again = await supertest(h.tool.url).get(`/register${new URL(h.lms.dynamicRegistration.startUrl(`${h.tool.url}/register?rt=${printed?.[1]}`)).search}`);
    expect(again.status).toBe(403);
    await h.tool.platforms.removePlatform(h.lms.issuer, h.lms.clientId);

    const listed = await cli('registration-links');
    expect(listed.status).toBe(0);
    expect(listed.out).toMatch(new RegExp(`${id}\\s+used up\\s+0 of 1 uses left`));

    expect(await cli('revoke-registration-link', id)).toMatchObject({ status: 0, out: expect.stringContaining('Revoked') });
    expect((await cli('registration-links')).out).not.toContain(id);
    expect((await cli('revoke-registration-link', id)).status).toBe(1);
  });

  it('when the options are wrong, then every problem is named and the exit code is 2', async () => {
    const res = await cli('registration-link', '--expires', 'soon', '--uses', '0');
    expect(res.status).toBe(2);
    expect(res.out).toContain('--expires must be a duration like 30m, 12h or 7d');
    expect(res.out).toContain('--uses must be a whole number from 1 to 100');
    expect((await cli('revoke-registration-link')).status).toBe(2);
  });

  it('when no option is given, then the link is valid for 7 days and one registration', async () => {
    const res = await cli('registration-link');
    expect(res.status).toBe(0);
    expect(res.out).toMatch(/valid for 7 days, for 1 registration/);
  });
});
