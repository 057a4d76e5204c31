/**
 * Issue #16 item 4: schema migrations at start-up, under a lease. Three instances starting
 * together on an old database run each migration exactly once; the version is stored; a holder
 * that died is taken over; a failing migration stops start-up and leaves the last good version.
 * Here the three "instances" are three runners with their own holder ids on one real database
 * (the lease and the version document are what they share, as separate processes would).
 */
import mongoose from 'mongoose';
import { connectMongoose, disconnectMongoose } from '../../../src/db/database';
import type { Migration } from '../../../src/migrations/migration';
import { LEASE_KEY, MigrationError, runMigrations, storedSchemaVersion } from '../../../src/migrations/migration-runner';
import { SchemaVersionModel } from '../../../src/migrations/schema-version.model';
import { JobLeaseModel } from '../../../src/shared/job-lease.model';
import { createLogger } from '../../../src/shared/logger';
import { testDbName, testMongoUri } from '../../support/test-db';

const log = createLogger('silent');
const now = () => new Date();

beforeAll(async () => {
  await connectMongoose(testMongoUri(), testDbName('migrate'));
});
afterAll(async () => {
  await mongoose.connection.dropDatabase();
  await disconnectMongoose();
});
beforeEach(async () => {
  await SchemaVersionModel.deleteMany({});
  await JobLeaseModel.deleteMany({});
  await mongoose.connection.collection('migration_probe').deleteMany({});
});

/** Counts how often each migration ran, deliberately not idempotent, so a second run would show. */
const runs = () => mongoose.connection.collection<{ _id: string; n: number }>('migration_probe');
function counting(id: number, ms = 0): Migration {
  return {
    id,
    name: `probe ${id}`,
    async up() {
      await runs().updateOne({ _id: `m${id}` }, { $inc: { n: 1 } }, { upsert: true });
      await new Promise((r) => setTimeout(r, ms));
    },
  };
}
const counts = async () => Object.fromEntries((await runs().find({}).toArray()).map((d) => [d._id, d.n]));

describe('database migrations at start-up', () => {
  it('when three instances start together on an old database, then each migration runs once, and all three start on the new version', async () => {
    const list = [counting(1, 150), counting(2, 150), counting(3)];
    const outcomes = await Promise.all(['a', 'b', 'c'].map((h) => runMigrations(list, { holder: `instance-${h}`, log, now, pollMs: 20 })));
    expect(outcomes.map((o) => o.version)).toEqual([3, 3, 3]);
    expect(outcomes.flatMap((o) => o.ran).sort()).toEqual([1, 2, 3]);
    expect(await counts()).toEqual({ m1: 1, m2: 1, m3: 1 });
    const doc = await SchemaVersionModel.findById('schema').lean();
    expect(doc?.version).toBe(3);
    expect(doc?.applied.map((a) => a.id)).toEqual([1, 2, 3]);
    expect(await JobLeaseModel.countDocuments({ _id: LEASE_KEY })).toBe(0);
  });

  it('when the database is already at the version, then nothing runs; a new release runs only its new migration', async () => {
    await runMigrations([counting(1), counting(2)], { holder: 'x', log, now });
    expect(await runMigrations([counting(1), counting(2)], { holder: 'y', log, now })).toEqual({ version: 2, ran: [] });
    expect(await runMigrations([counting(1), counting(2), counting(3)], { holder: 'z', log, now })).toEqual({ version: 3, ran: [3] });
    expect(await counts()).toEqual({ m1: 1, m2: 1, m3: 1 });
  });

  it('when the instance that held the lease died half-way, then another takes over after the lease lapses and finishes', async () => {
    await runMigrations([counting(1)], { holder: 'dead', log, now });
    // It had started migration 2 and died: its lease is still there, lapsed.
    await JobLeaseModel.create({ _id: LEASE_KEY, holder: 'dead', until: new Date(Date.now() - 1000) });
    expect(await runMigrations([counting(1), counting(2)], { holder: 'alive', log, now, pollMs: 20 })).toEqual({ version: 2, ran: [2] });
  });

  it('when another instance holds the lease and does not finish in time, then start-up fails with a clear error', async () => {
    await JobLeaseModel.create({ _id: LEASE_KEY, holder: 'slow', until: new Date(Date.now() + 60_000) });
    await expect(runMigrations([counting(1)], { holder: 'me', log, now, pollMs: 20, waitLimitMs: 200 })).rejects.toThrow(/waited too long for another instance to migrate the database \(schema version 0, this release needs 1\)/);
    expect(await counts()).toEqual({});
  });

  it('when a migration fails, then start-up stops with its name, and the version stays at the last good one', async () => {
    const broken: Migration = { id: 2, name: 'broken', up: async () => { throw new Error('boom'); } };
    await expect(runMigrations([counting(1), broken, counting(3)], { holder: 'x', log, now })).rejects.toThrow(MigrationError);
    await expect(runMigrations([counting(1), broken], { holder: 'x', log, now })).rejects.toThrow('migration 2 (broken) failed; the database stays at schema version 1: boom');
    expect(await storedSchemaVersion()).toBe(1);
    expect(await counts()).toEqual({ m1: 1 });
    // The lease was given back: the fixed release migrates at once.
    expect(await runMigrations([counting(1), counting(2), counting(3)], { holder: 'y', log, now })).toEqual({ version: 3, ran: [2, 3] });
  });

  it('when the database is newer than this release (a rolling upgrade), then it runs on it without migrating', async () => {
    await runMigrations([counting(1), counting(2)], { holder: 'new', log, now });
    expect(await runMigrations([counting(1)], { holder: 'old', log, now })).toEqual({ version: 2, ran: [] });
  });

  it('when the list of migrations has a gap, then it refuses to run', async () => {
    await expect(runMigrations([counting(1), counting(3)], { holder: 'x', log, now })).rejects.toThrow('migration 2 has id 3');
  });
});
