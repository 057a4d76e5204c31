/**
 * Issue #16 item 4: three instances of the real tool (src/main.ts, as `npm start` runs it) start
 * at the same moment on one database of an older release: migration 1 runs exactly once, the
 * schema version is stored, its data change is made, and all three become ready.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { MIGRATIONS } from '../../../src/migrations';
import { freePort, spawnTool, waitForOk, type ChildTool } from '../../support/child-tool';
import { testDbName, testMongoUri } from '../../support/test-db';

jest.setTimeout(180_000);

const dbName = testDbName('mig3');
let dir: string;
let client: MongoClient;
const tools: ChildTool[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'la-mig3-'));
  client = await MongoClient.connect(testMongoUri());
});
afterAll(async () => {
  for (const t of tools) if (t.child.exitCode === null) t.child.kill('SIGKILL');
  await client.db(dbName).dropDatabase().catch(() => undefined);
  await client.db(`${dbName}_ltijs`).dropDatabase().catch(() => undefined);
  await client.close();
  await rm(dir, { recursive: true, force: true });
});

describe('three instances starting together on an older database', () => {
  it('when they start at once, then each migration runs exactly once, the version is stored, and all three are ready', async () => {
    // What an earlier release left: grade deliveries it gave up on, no schema version.
    const gaveUpAt = new Date('2026-11-20T10:00:00Z');
    await client.db(dbName).collection<{ _id: string; [field: string]: unknown }>('grade_sync_jobs').insertMany([
      { _id: 'act1:s1', courseId: 'c1', activityId: 'act1', userId: 's1', state: 'failed', attempts: 10, generation: 1, nextAttemptAt: gaveUpAt, lastError: 'rejected', lastErrorAt: gaveUpAt },
      { _id: 'act1:s2', courseId: 'c1', activityId: 'act1', userId: 's2', state: 'done', attempts: 0, generation: 1, nextAttemptAt: gaveUpAt },
    ]);
    const key = randomBytes(32).toString('hex');
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    for (const port of ports) {
      tools.push(spawnTool({
        ...process.env, NODE_ENV: 'development', HOST: '127.0.0.1', PORT: String(port), PUBLIC_URL: 'http://127.0.0.1:9', MONGODB_URI: testMongoUri(),
        MONGODB_DB: dbName, LTI_KEY: key, DATA_DIR: dir, LOG_LEVEL: 'info', AUTO_MARK_INTERVAL_SECONDS: '0', GRADE_SYNC_INTERVAL_SECONDS: '0',
      }));
    }
    await Promise.all(tools.map((t, i) => waitForOk(t, `http://127.0.0.1:${ports[i]}`, '/readyz')));

    const schema = await client.db(dbName).collection<{ _id: string; version: number; applied: Array<{ id: number; by: string }> }>('schema_version').findOne({ _id: 'schema' });
    expect(schema?.version).toBe(MIGRATIONS.length);
    expect(schema?.applied.map((a) => a.id)).toEqual(MIGRATIONS.map((m) => m.id));
    // Each ran once, by one of the three; the others waited for it.
    const ran = tools.map((t) => (t.output().match(/"msg":"database migration done"/g) ?? []).length);
    expect(ran.reduce((a, b) => a + b, 0)).toBe(MIGRATIONS.length);
    // Migration 1's data change.
    const jobs = await client.db(dbName).collection('grade_sync_jobs').find({}, { sort: { _id: 1 } }).toArray();
    expect(jobs.map((j) => [j._id, j.failingSince ?? null])).toEqual([['act1:s1', gaveUpAt], ['act1:s2', null]]);
    for (const [i, port] of ports.entries()) {
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.json() as Promise<Record<string, unknown>>);
      expect({ i, ...ready }).toEqual({ i, status: 'ready', database: 'up', schemaVersion: MIGRATIONS.length });
    }
  });
});
