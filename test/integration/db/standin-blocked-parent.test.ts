/**
 * Issue #13 item 3: the stand-in never waits for the process that started it.
 *
 * It used to write its log (a stack trace for every routine "Collection already exists") into a
 * stderr pipe its Node parent had to drain. When the parent's event loop was blocked (a
 * synchronous spawn in a test, a long computation under `npm start`), the pipe filled and every
 * mongo-server-worker thread stalled behind it: the database stopped answering everyone. Here
 * a child process starts the stand-in and then blocks for 30 s, while this process provokes
 * those errors from another client. Against the old launcher none of the 400 operations
 * completed within the deadline.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import mongoose from 'mongoose';

const { MongoClient } = mongoose.mongo;
const root = path.resolve(__dirname, '..', '..', '..');
const BLOCK_MS = 30_000;
/** How long the other client's operations may take in all (they take well under a second). */
const DEADLINE_MS = 10_000;

jest.setTimeout(60_000);

interface Started {
  child: ChildProcess;
  uri: string;
  javaPid: number;
  blockedUntil: number;
}

/** Starts the child and waits for its line saying where the stand-in listens. */
function startBlockingParent(logFile: string): Promise<Started> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'blocked-parent.child.ts')], {
    cwd: root,
    env: { ...process.env, BLOCK_MS: String(BLOCK_MS), STANDIN_LOG_FILE: logFile },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the child exited early (code ${code})`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      const { uri, pid, blockedUntil } = JSON.parse(line) as { uri: string; pid: number; blockedUntil: number };
      resolve({ child, uri, javaPid: pid, blockedUntil });
    });
  });
}

function kill(pid: number | undefined): void {
  try {
    if (pid) process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Settles with 'timeout' when the promise has not settled within ms. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('stand-in whose parent blocks its event loop', () => {
  let dir: string;
  let started: Started | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'standin-blocked-'));
  });
  afterAll(async () => {
    kill(started?.child.pid);
    kill(started?.javaPid); // the stand-in also stops by itself once its parent is gone
    await rm(dir, { recursive: true, force: true });
  });

  it('when the parent is blocked for 30 s, then the stand-in keeps answering other clients, even while they provoke logged errors', async () => {
    const logFile = path.join(dir, 'standin.log');
    started = await startBlockingParent(logFile);
    const client = await new MongoClient(started.uri, { maxPoolSize: 20, serverSelectionTimeoutMS: 5000 }).connect();
    try {
      const db = client.db('blocked_parent');
      const outcomes: string[] = [];
      const record = (p: Promise<unknown>) =>
        p.then(
          () => outcomes.push('ok'),
          (err: { code?: number }) => outcomes.push(err.code === 48 ? 'exists' : `error ${String(err.code)}`),
        );
      // Each refused createCollection used to write a ~3 KB stack trace: 400 of them fill any pipe.
      const work = Array.from({ length: 400 }, (_, i) => record(db.createCollection(`same_${i % 4}`)));
      const finished = await within(Promise.all(work), DEADLINE_MS);
      const doneAt = Date.now();

      expect(`${outcomes.length} of ${work.length} done, ${finished === 'timeout' ? 'timed out' : 'in time'}`).toBe(`${work.length} of ${work.length} done, in time`);
      expect(outcomes.filter((o) => o === 'ok')).toHaveLength(4);
      expect(outcomes.filter((o) => o === 'exists')).toHaveLength(396);
      // Plain reads and writes still work while the parent is still blocked.
      await db.collection('same_0').insertOne({ after: true });
      expect(await db.collection('same_0').countDocuments()).toBe(1);
      expect(doneAt).toBeLessThan(started.blockedUntil);
      expect(Date.now()).toBeLessThan(started.blockedUntil);
    } finally {
      await client.close(true);
    }
    // The routine refusals were not logged as errors with stack traces.
    const log = await readFile(logFile, 'utf8').catch(() => '');
    expect(log).not.toContain('Collection already exists');
  });
});
