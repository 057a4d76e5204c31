import { acquireLease, releaseLease } from '../shared/job-lease.service';
import type { Logger } from '../shared/logger';
import { checkMigrationList, type Migration } from './migration';
import { SCHEMA_DOC_ID, SchemaVersionModel } from './schema-version.model';

/**
 * Brings the database to the code's schema version at start-up, once, however many instances
 * start together. The instance holding the lease `migrations` runs the missing migrations one
 * by one, storing the version after each; the others wait until the stored version reaches
 * theirs (or the lease lapses — its holder died — and one of them takes over). The lease is
 * renewed before every step, so a step may take up to LEASE_MS.
 */

export const LEASE_KEY = 'migrations';
const LEASE_MS = 5 * 60_000;

export interface RunMigrationsOptions {
  holder: string;
  log: Logger;
  now: () => Date;
  /** How long to wait for another instance's migrations before giving up (start-up fails). */
  waitLimitMs?: number;
  pollMs?: number;
}

export interface MigrationOutcome {
  /** The schema version the database has now. */
  version: number;
  /** Migrations this instance ran. */
  ran: number[];
}

export class MigrationError extends Error {}

export async function storedSchemaVersion(): Promise<number> {
  const doc = await SchemaVersionModel.findById(SCHEMA_DOC_ID, { version: 1 }).lean<{ version?: number }>();
  return doc?.version ?? 0;
}

export async function runMigrations(migrations: readonly Migration[], opts: RunMigrationsOptions): Promise<MigrationOutcome> {
  checkMigrationList(migrations);
  const target = migrations.length;
  const { log, now, holder } = opts;
  const deadline = Date.now() + (opts.waitLimitMs ?? 10 * 60_000);
  const ran: number[] = [];
  for (;;) {
    const version = await storedSchemaVersion();
    if (version > target) {
      // A newer release migrated this database (a rolling upgrade in progress): run on it.
      log.warn({ version, code: target }, 'the database schema is newer than this release; running without migrating');
      return { version, ran };
    }
    if (version === target) return { version, ran };
    if (await acquireLease(LEASE_KEY, holder, LEASE_MS, now())) {
      try {
        return { version: await migrateFrom(migrations, opts, ran), ran };
      } finally {
        await releaseLease(LEASE_KEY, holder);
      }
    }
    if (Date.now() > deadline) throw new MigrationError(`waited too long for another instance to migrate the database (schema version ${version}, this release needs ${target})`);
    await new Promise((resolve) => setTimeout(resolve, opts.pollMs ?? 250));
  }
}

/** Under the lease: runs every migration after the stored version, storing the version after each. */
async function migrateFrom(migrations: readonly Migration[], opts: RunMigrationsOptions, ran: number[]): Promise<number> {
  const { log, now, holder } = opts;
  // Read again under the lease: the previous holder may have finished meanwhile.
  let version = await storedSchemaVersion();
  for (const m of migrations.slice(version)) {
    if (!(await acquireLease(LEASE_KEY, holder, LEASE_MS, now()))) throw new MigrationError(`lost the migration lease before migration ${m.id}`);
    const started = Date.now();
    log.info({ migration: m.id, name: m.name }, 'migrating the database');
    try {
      await m.up({ now, log });
    } catch (err) {
      throw new MigrationError(`migration ${m.id} (${m.name}) failed; the database stays at schema version ${version}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    const ms = Date.now() - started;
    // Only forward, and only from the version this step started at.
    const res = await SchemaVersionModel.updateOne(
      { _id: SCHEMA_DOC_ID, version: m.id - 1 },
      { $set: { version: m.id }, $push: { applied: { id: m.id, name: m.name, at: now(), by: holder, ms } } },
      { upsert: m.id === 1 },
    );
    if (res.matchedCount === 0 && res.upsertedCount === 0) throw new MigrationError(`schema version moved under migration ${m.id}`);
    version = m.id;
    ran.push(m.id);
    log.info({ migration: m.id, name: m.name, ms }, 'database migration done');
  }
  return version;
}
