import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { testDbName, testMongoUri } from '../../support/test-db';

const root = join(__dirname, '..', '..', '..');
const env = {
  ...process.env,
  MONGODB_URI: testMongoUri(),
  MONGODB_DB: testDbName('cli'),
  LTI_KEY: randomBytes(32).toString('hex'),
  LOG_LEVEL: 'silent',
  NODE_ENV: 'development',
};

function cli(...args: string[]): { status: number | null; out: string } {
  const res = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/platforms/platform.cli.ts', ...args], {
    cwd: root,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: res.status, out: `${res.stdout}${res.stderr}` };
}

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
  it('when an admin adds, lists and removes a registration, then each step is reflected', () => {
    const added = cli('add', ...moodle);
    expect(added.out).toContain('Saved:');
    expect(added.status).toBe(0);

    const listed = cli('list');
    expect(listed.status).toBe(0);
    expect(listed.out).toContain('CLI Moodle');
    expect(listed.out).toContain('issuer: https://moodle.cli.example');
    expect(listed.out).toContain('deployments: 1, 2');
    expect(listed.out).toContain('status: active (from cli)');

    const removed = cli('remove', '--issuer', 'https://moodle.cli.example', '--client-id', 'cli-client');
    expect(removed.status).toBe(0);
    expect(cli('list').out).toContain('No LMS is registered yet.');
    expect(cli('remove', '--issuer', 'https://moodle.cli.example', '--client-id', 'cli-client').status).toBe(1);
  });

  it('when the input is wrong, then every problem is listed and the exit code is 2', () => {
    const res = cli('add', '--issuer', 'nope', '--client-id', 'x');
    expect(res.status).toBe(2);
    expect(res.out).toMatch(/issuer/);
    expect(res.out).toMatch(/authUrl/);
    expect(res.out).toMatch(/tokenUrl/);
    expect(res.out).toMatch(/jwksUrl/);
  });

  it('when called without a command, then it prints the usage', () => {
    const res = cli();
    expect(res.status).toBe(2);
    expect(res.out).toContain('npm run platform -- add');
  });
});
