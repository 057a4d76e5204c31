import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockLms } from '../../support/mock-lms';
import { cliEnv, runCli } from '../../support/platform-cli';
import { testDbName, testMongoUri } from '../../support/test-db';
import { startHarness, TestHarness } from '../../support/tool';

/**
 * Open edX without "LTI passports" (issue #15, item 5): every LTI block is a registration of its
 * own (one issuer, a client id, token URL and keyset URL per block, deployment 1), so an admin
 * registers a course's blocks from one JSON list.
 */
const dbName = testDbName('clijson');
const env = cliEnv(dbName);
const cli = (...args: string[]) => runCli(env, ...args);

const ISSUER = 'https://lms.openedx.test';
const dir = mkdtempSync(join(tmpdir(), 'from-json-'));
function jsonFile(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

function block(configId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: `Open edX block ${configId}`,
    issuer: ISSUER,
    clientId: `oxc-${configId}`,
    authUrl: `${ISSUER}/api/lti_consumer/v1/launch/`,
    tokenUrl: `${ISSUER}/api/lti_consumer/v1/token/${configId}`,
    jwksUrl: `${ISSUER}/api/lti_consumer/v1/public_keysets/${configId}`,
    deploymentIds: ['1'],
    lms: 'openedx',
    ...overrides,
  };
}

let h: TestHarness;
let lms: MockLms | undefined;
beforeAll(async () => {
  h = await startHarness({ register: false, env: { MONGODB_DB: dbName } });
});
afterAll(async () => {
  await lms?.stop();
  await h?.close();
});

describe('npm run platform -- add --from-json FILE', () => {
  it('when the file lists every block of a course, then all are saved in one go and a registered block launches', async () => {
    lms = await MockLms.start({ toolUrl: h.tool.url, profile: 'openedx', issuer: ISSUER, clientId: 'oxc-live' });
    const live = { ...lms.registration(), name: 'Open edX block live', lms: 'openedx' };
    const file = jsonFile('blocks.json', [block('11'), block('12'), live]);

    const added = await cli('add', '--from-json', file);
    expect(added.status).toBe(0);
    expect(added.out).toContain('Saved 3 registrations:');
    expect(added.out).toContain('client id: oxc-11');
    expect(added.out).toContain(`token: ${ISSUER}/api/lti_consumer/v1/token/12`);

    const listed = await cli('list');
    expect(listed.out).toContain('Open edX block 11');
    expect(listed.out).toContain('Open edX block 12');
    expect(listed.out).toMatch(/client id: oxc-12\n {2}LMS: Open edX\n {2}deployments: 1\n/);

    const r = await lms.launch({ role: 'Instructor', context: { id: 'course-v1:Org+CLI+2026' }, resourceLink: { id: 'block-live' } });
    expect(r.status).toBe(200);
    expect(r.ltik).toBeDefined();
  });

  it('when entries are wrong, then every problem of every entry is listed, the exit code is 2 and nothing is saved', async () => {
    const file = jsonFile('bad.json', { platforms: [block('21'), block('22', { clientId: '', jwksUrl: 'keys' }), block('23', { lms: 'blackboard' }), block('21')] });
    const res = await cli('add', '--from-json', file);
    expect(res.status).toBe(2);
    expect(res.out).toContain(`${file}: platforms[1].clientId:`);
    expect(res.out).toContain(`${file}: platforms[1].jwksUrl:`);
    expect(res.out).toContain(`${file}: platforms[2].lms:`);
    expect(res.out).toContain(`${file}: platforms[3].clientId: the same issuer and client id as entry 0`);
    expect((await cli('list')).out).not.toContain('oxc-21');
  });

  it('when the file is missing, is not JSON or is combined with single-registration options, then it says so with exit code 2', async () => {
    const missing = await cli('add', '--from-json', join(dir, 'nope.json'));
    expect(missing.status).toBe(2);
    expect(missing.out).toContain('nope.json');

    const broken = await cli('add', '--from-json', jsonFile('broken.json', '[{"issuer": '));
    expect(broken.status).toBe(2);
    expect(broken.out).toMatch(/broken\.json: .*JSON/);

    const both = await cli('add', '--from-json', jsonFile('one.json', [block('31')]), '--issuer', ISSUER);
    expect(both.status).toBe(2);
    expect(both.out).toContain('--from-json cannot be combined with --issuer');
    expect((await cli('list')).out).not.toContain('oxc-31');
  });

  it('when a single block is added with --lms openedx, then the list shows the LMS kind', async () => {
    const b = block('41');
    const res = await cli(
      'add', '--issuer', String(b.issuer), '--client-id', String(b.clientId), '--auth-url', String(b.authUrl),
      '--token-url', String(b.tokenUrl), '--jwks-url', String(b.jwksUrl), '--deployment', '1', '--lms', 'openedx',
    );
    expect(res.status).toBe(0);
    expect(res.out).toMatch(/client id: oxc-41\n {2}LMS: Open edX/);
  });
});
