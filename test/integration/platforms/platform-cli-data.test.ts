/**
 * Issue #14 item 3: the approve command printed at the end of a dynamic registration answered
 * "No such registration." when run: the CLI ran with another DATA_DIR than the tool and
 * silently created an empty database there. The printed command names the tool's data, and a
 * CLI that finds no data of the tool says so and creates nothing.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import supertest from 'supertest';
import type { DatabaseKind } from '../../../src/db/database';
import { writeRuntimeFile } from '../../../src/db/runtime-file';
import { runPlatformCli } from '../../../src/platforms/platform.cli';
import { createRegistrationLinkService } from '../../../src/platforms/registration-link.service';
import { unescapeHtml } from '../../support/mock-lms-util';
import { testDbKind, testDbName, testMongoUri } from '../../support/test-db';
import { startHarness, TestHarness } from '../../support/tool';

const root = join(__dirname, '..', '..', '..');
const dbName = testDbName('clidata');
/** The tool's data directory, as `npm start` leaves it: its LTI key and the record of its running database server. */
const dataDir = mkdtempSync(join(tmpdir(), 'lti-cli-data-'));

let h: TestHarness;
beforeAll(async () => {
  h = await startHarness({ register: false, env: { MONGODB_DB: dbName, DATA_DIR: dataDir, DYNREG_ALLOWED_HOSTS: '127.0.0.1' } });
  writeFileSync(join(dataDir, 'lti-key'), `${h.ltiKey}\n`, { mode: 0o600 });
  const kind = (['mongod', 'standin', 'external'].includes(testDbKind() ?? '') ? testDbKind() : 'mongod') as DatabaseKind;
  await writeRuntimeFile(dataDir, { uri: testMongoUri(), kind, pid: process.pid });
});
afterAll(async () => {
  await h?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The administrator's shell on the tool's server: none of the tool's settings, no MONGODB_URI. */
function adminEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'silent' };
  for (const name of ['MONGODB_URI', 'MONGODB_DB', 'DATA_DIR', 'LTI_KEY']) delete env[name];
  return env;
}

/** Runs `fn` with these variables in process.env (the CLI reads its settings there), then puts them back. */
async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  apply(vars);
  try {
    return await fn();
  } finally {
    apply(saved);
  }
}

async function cliInProcess(vars: Record<string, string | undefined>, ...args: string[]): Promise<{ status: number; out: string }> {
  const lines: string[] = [];
  const status = await withEnv({ MONGODB_URI: undefined, LTI_KEY: undefined, ...vars }, () => runPlatformCli(args, (line) => lines.push(line)));
  return { status, out: lines.join('\n') };
}

describe('the approve command printed by dynamic registration', () => {
  it('when the administrator runs it exactly as printed, then the pending registration becomes active', async () => {
    const link = await createRegistrationLinkService({ publicUrl: h.tool.url, now: () => new Date() }).create({ expiresInMs: 3600_000, uses: 1 });
    const start = new URL(h.lms.dynamicRegistration.startUrl(link.url));
    const page = await supertest(h.tool.url).get(`/register${start.search}`);
    expect(page.status).toBe(200);
    const printed = unescapeHtml(/<pre class="code">([^<]*)<\/pre>/.exec(page.text)?.[1] ?? '');
    expect(printed).toBe(`DATA_DIR=${dataDir} MONGODB_DB=${dbName} npm run platform -- approve --issuer ${h.lms.issuer} --client-id ${h.lms.clientId}`);

    const run = await new Promise<{ status: number | null; out: string }>((resolve) => {
      execFile('sh', ['-c', printed], { cwd: root, env: adminEnv(), encoding: 'utf8', timeout: 90_000 },
        (err, stdout, stderr) => resolve({ status: err ? (typeof err.code === 'number' ? err.code : null) : 0, out: `${stdout}${stderr}` }));
    });
    expect(run.out).toContain('Approved:');
    expect(run.out).toContain('status: active');
    expect(run.status).toBe(0);
    const stored = await h.tool.platforms.listPlatforms();
    expect(stored.map((p) => ({ issuer: p.issuer, status: p.status }))).toEqual([{ issuer: h.lms.issuer, status: 'active' }]);
  });
});

describe('npm run platform without the tool\'s data', () => {
  it('when DATA_DIR holds no data of the tool, then it says so, exits with 3 and creates nothing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'lti-cli-empty-'));
    try {
      const res = await cliInProcess({ DATA_DIR: empty, MONGODB_DB: dbName }, 'approve', '--issuer', h.lms.issuer, '--client-id', h.lms.clientId);
      expect(res.out).toContain(`No data of LTI Attendance found: MONGODB_URI is not set, and DATA_DIR ${empty} has neither a running tool nor an embedded database. Nothing was created.`);
      expect(res.status).toBe(3);
      expect(readdirSync(empty)).toEqual([]);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('when MONGODB_DB names another database than the tool\'s, then it says so, exits with 3 and creates nothing', async () => {
    const other = testDbName('clinone');
    const res = await cliInProcess({ DATA_DIR: dataDir, MONGODB_DB: other }, 'list');
    expect(res.out).toContain(`No data of LTI Attendance found: database "${other}" (MONGODB_DB)`);
    expect(res.status).toBe(3);
    const created = await mongoose.connection.useDb(other).listCollections();
    expect(created).toEqual([]);
  });
});
