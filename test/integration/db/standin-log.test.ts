/**
 * Issue #13 item 3: the stand-in writes its own log file (instead of a stderr pipe its parent had
 * to drain), capped in size, with routine races left out and real errors kept with their stack.
 */
import { access, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import type { DbLogger } from '../../../src/db/select-database';
import { startStandin } from '../../../src/db/standin';

const { MongoClient } = mongoose.mongo;
const projectRoot = path.resolve(__dirname, '..', '..', '..');
const quiet: DbLogger = { info: () => {}, warn: () => {}, error: () => {} };

jest.setTimeout(60_000);

describe('stand-in log file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'standin-log-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('when clients race routinely, then nothing is logged; a real error is logged with its stack trace; the file stays under its cap', async () => {
    const logFile = path.join(dir, 'capped', 'standin.log');
    const cap = 64 * 1024;
    const db = await startStandin({ projectRoot, logFile, logMaxBytes: cap }, quiet);
    const client = await new MongoClient(db.uri).connect();
    try {
      const test = client.db('log_test');
      // Routine: lost createCollection races, a duplicate key, an index created twice, a drop of nothing.
      await Promise.allSettled(Array.from({ length: 50 }, () => test.createCollection('same')));
      await test.collection('same').insertOne({ _id: 'a' as never });
      await expect(test.collection('same').insertOne({ _id: 'a' as never })).rejects.toMatchObject({ code: 11000 });
      await test.collection('same').createIndex({ x: 1 }, { name: 'by_x', unique: true });
      await test.collection('same').createIndex({ x: 1 }, { name: 'by_x', unique: true });
      await test.collection('never_created').drop().catch(() => undefined);
      const routine = await readFile(logFile, 'utf8');
      expect(routine).toContain('Listening on 127.0.0.1');
      expect(routine).not.toMatch(/already exists|E11000|ns not found|\n\tat /);

      // A real error: something the stand-in cannot do is logged, with where it happened.
      await expect(test.command({ noSuchCommandHere: 1 })).rejects.toThrow(/no such command/);
      const withError = await readFile(logFile, 'utf8');
      expect(withError).toMatch(/ERROR \S+ - failed to handle \{"noSuchCommandHere"/);
      expect(withError).toMatch(/NoSuchCommandException: \[Error 59\] no such command: 'noSuchCommandHere'\n\tat de\.bwaldvogel/);

      // Capped: ~100 stack traces (~300 KB) leave the file and its one older generation under the cap.
      for (let i = 0; i < 100; i++) await test.command({ noSuchCommandHere: i }).catch(() => undefined);
      expect((await stat(logFile)).size).toBeLessThanOrEqual(cap);
      expect((await stat(`${logFile}.1`)).size).toBeLessThanOrEqual(cap);
      expect(await readFile(logFile, 'utf8')).toContain("no such command: 'noSuchCommandHere'");
    } finally {
      await client.close();
      await db.stop();
    }
  });

  it('when the server dies, then "exited unexpectedly" is logged with the end of its log; a temporary log is removed by stop()', async () => {
    const errors: Array<{ obj: object | string; msg?: string }> = [];
    const log: DbLogger = { ...quiet, error: (obj, msg) => errors.push({ obj, msg }) };
    const db = await startStandin({ projectRoot }, log);
    await access(db.logFile); // a temporary file: no logFile was asked for
    process.kill(db.pid, 'SIGKILL');
    await db.exited;
    await new Promise((resolve) => setTimeout(resolve, 200)); // the handler reads the log's tail first
    expect(errors).toHaveLength(1);
    expect(errors[0]?.msg).toBe('Offline MongoDB stand-in exited unexpectedly');
    expect(errors[0]?.obj).toMatchObject({ signal: 'SIGKILL', logFile: db.logFile, tail: expect.stringContaining('Listening on 127.0.0.1') });
    await db.stop();
    await expect(access(db.logFile)).rejects.toThrow();
  });
});
