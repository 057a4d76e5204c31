/**
 * mongo-java-server 1.47.0 changes a collection's index list without the collection's lock, so a
 * createIndex racing deletes and finds on the same collection used to fail them with
 * "Unknown error" (a ConcurrentModificationException in the server). ltijs hit it at start-up
 * (index creation next to nonce clean-up) under a loaded test run. Our launcher's backends take
 * the collection's lock for index changes (tools/mongo-java-server, IndexLocking.java).
 *
 * The race is timing-dependent: against the unpatched server this hammer failed 2 of 4800
 * operations per run here; with the fix it must fail none.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import type { DbLogger, StartedDatabase } from '../../../src/db/select-database';
import { startStandin } from '../../../src/db/standin';

const projectRoot = path.resolve(__dirname, '..', '..', '..');
const quiet: DbLogger = { info: () => {}, warn: () => {}, error: () => {} };

jest.setTimeout(180_000);

type Doc = { _id: string; a: number; b: number };

/** Rounds of: 300 documents, then 15 index creations, 60 deletes and 60 finds all at once. */
async function hammer(uri: string, rounds: number): Promise<{ failures: string[]; ops: number }> {
  const clients = await Promise.all([0, 1, 2, 3].map(() => new mongoose.mongo.MongoClient(uri, { maxPoolSize: 20 }).connect()));
  const failures: string[] = [];
  let ops = 0;
  const note = (what: string) => (err: unknown) => { failures.push(`${what}: ${(err as Error).message}`); };
  try {
    for (let round = 0; round < rounds; round++) {
      const client = (i: number) => clients[i] as InstanceType<typeof mongoose.mongo.MongoClient>;
      const coll = (i: number) => client(i).db(`race_${round}`).collection<Doc>('things');
      await coll(0).insertMany(Array.from({ length: 300 }, (_, i) => ({ _id: `${round}-${i}`, a: i, b: i % 7 })));
      const work: Promise<unknown>[] = [];
      for (let k = 0; k < 15; k++) work.push(coll(1).createIndex({ [`f${k}`]: 1, a: 1 }).then(() => ops++, note('createIndex')));
      for (let k = 0; k < 60; k++) work.push(coll(2 + (k % 2)).deleteMany({ a: 1000 + k }).then(() => ops++, note('deleteMany')));
      for (let k = 0; k < 60; k++) work.push(coll(3).find({ b: k % 7, a: { $gt: 5 } }).toArray().then(() => ops++, note('find')));
      await Promise.all(work);
      const indexes = await coll(0).listIndexes().toArray();
      expect(indexes).toHaveLength(16); // _id + the 15 created in the race
      await client(0).db(`race_${round}`).dropDatabase();
    }
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
  return { failures, ops };
}

describe('stand-in: index changes racing queries on the same collection', () => {
  it('in memory (the test server): every operation succeeds', async () => {
    const db: StartedDatabase = await startStandin({ projectRoot }, quiet);
    try {
      const { failures, ops } = await hammer(db.uri, 30);
      expect(failures).toEqual([]);
      expect(ops).toBe(30 * 135);
    } finally {
      await db.stop();
    }
  });

  it('with the H2 file (the embedded default of npm start): every operation succeeds', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'standin-race-'));
    const db: StartedDatabase = await startStandin({ projectRoot, persistFile: path.join(dir, 'race') }, quiet);
    try {
      const { failures, ops } = await hammer(db.uri, 10);
      expect(failures).toEqual([]);
      expect(ops).toBe(10 * 135);
    } finally {
      await db.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
