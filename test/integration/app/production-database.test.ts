/**
 * Issue #16 item 1: in production the tool runs on an external MongoDB. The production build,
 * made and started with the very commands of the Dockerfile and the systemd unit
 * (test/support/deploy-commands.ts), refuses the embedded database with NODE_ENV=production
 * (exit 78, with the ways to get MongoDB) unless EMBEDDED_DB_IN_PRODUCTION=true; and it runs on
 * a server given by MONGODB_URI — here the test run's database server, started on its own and
 * reached only through its URI.
 */
import { execSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { freePort, projectRoot, spawnTool, waitForOk, type ChildTool } from '../../support/child-tool';
import { BUILD, START } from '../../support/deploy-commands';
import { testDbName, testMongoUri } from '../../support/test-db';

jest.setTimeout(120_000);

let dir: string;
let tool: ChildTool | undefined;

// The production build, as the Dockerfile makes it (tsc into dist/).
beforeAll(() => {
  execSync(BUILD, { cwd: projectRoot, stdio: 'pipe', timeout: 120_000 });
  expect(START).toEqual(['node', 'dist/src/main.js']);
});

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'la-prod-'));
});
afterEach(async () => {
  if (tool && tool.child.exitCode === null) {
    tool.child.kill('SIGTERM');
    await tool.exited;
  }
  tool = undefined;
  await rm(dir, { recursive: true, force: true });
});

function productionEnv(extra: Record<string, string>, port = 0): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env, NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), PUBLIC_URL: 'https://attendance.example.edu',
    LTI_KEY: randomBytes(32).toString('hex'), DATA_DIR: dir, LOG_LEVEL: 'info', AUTO_MARK_INTERVAL_SECONDS: '0', GRADE_SYNC_INTERVAL_SECONDS: '0', ...extra,
  };
  delete env.MONGODB_URI;
  return { ...env, ...extra };
}

describe('the production build (node dist/src/main.js) with NODE_ENV=production', () => {
  it('when MONGODB_URI is not set, then it refuses to start (exit 78), says how to get MongoDB, and creates no database', async () => {
    tool = spawnTool(productionEnv({}), { built: true });
    expect(await tool.exited).toBe(78);
    expect(tool.output()).toContain('MONGODB_URI: required in production');
    expect(tool.output()).toContain('MongoDB Atlas');
    expect(tool.output()).toContain('EMBEDDED_DB_IN_PRODUCTION=true');
    expect(await readdir(dir)).toEqual([]);
  });

  it('when MONGODB_URI names a running MongoDB server, then it runs on it, and says nothing about the embedded database', async () => {
    const port = await freePort();
    const dbName = testDbName('prod');
    tool = spawnTool(productionEnv({ MONGODB_URI: testMongoUri(), MONGODB_DB: dbName }, port), { built: true });
    await waitForOk(tool, `http://127.0.0.1:${port}`);
    const client = await MongoClient.connect(testMongoUri());
    try {
      // ltijs and our models wrote there: the tool's data is on the external server.
      const ltijs = await client.db(`${dbName}_ltijs`).listCollections().toArray();
      expect(ltijs.length).toBeGreaterThan(0);
    } finally {
      await client.db(dbName).dropDatabase().catch(() => undefined);
      await client.db(`${dbName}_ltijs`).dropDatabase().catch(() => undefined);
      await client.close();
    }
    expect(tool.output()).not.toContain('embedded database');
  });

  it('when EMBEDDED_DB_IN_PRODUCTION=true (a one-server evaluation), then it starts on the embedded database and warns at start', async () => {
    const port = await freePort();
    tool = spawnTool(productionEnv({ EMBEDDED_DB_IN_PRODUCTION: 'true', EMBEDDED_DB: 'standin' }, port), { built: true });
    await waitForOk(tool, `http://127.0.0.1:${port}`);
    expect(tool.output()).toContain('running in production on the embedded database (EMBEDDED_DB_IN_PRODUCTION=true)');
  });
});
