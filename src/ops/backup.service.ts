import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { mongo } from 'mongoose';
import type { DatabaseKind } from '../db/database';
import { writeArchive } from './archive';
import { BACKUP_FORMAT, BACKUP_FORMAT_VERSION, DatabaseRole, DATABASE_ROLES, Manifest, MANIFEST_PATH } from './backup-manifest';
import { dumpPass, DumpedPass } from './dump-pass';
import { OpsRefusal } from './ops-errors';
import { defaultPauseMs, readUntilStable } from './stable-passes';

export interface BackupOptions {
  client: mongo.MongoClient;
  databases: Record<DatabaseRole, string>;
  /** Absolute path of the archive to create; an existing file is never overwritten. */
  outFile: string;
  maxPasses: number;
  sourceKind: DatabaseKind;
  ltiKeyFingerprint: string | null;
  tool: { name: string; version: string };
  progress(line: string): void;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

export interface BackupResult {
  outFile: string;
  stable: boolean;
  passes: number;
  documents: number;
  collections: number;
  bytes: number;
  sha256: string;
}

const sleepMs = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function countOf(pass: DumpedPass): { documents: number; collections: number } {
  return { documents: pass.collections.reduce((n, c) => n + c.documents, 0), collections: pass.collections.length };
}

function buildManifest(opts: BackupOptions, pass: DumpedPass, consistency: Manifest['consistency'], createdAt: Date): Manifest {
  return {
    format: BACKUP_FORMAT,
    formatVersion: BACKUP_FORMAT_VERSION,
    tool: opts.tool,
    createdAt: createdAt.toISOString(),
    source: { kind: opts.sourceKind },
    consistency,
    ltiKeyFingerprint: opts.ltiKeyFingerprint,
    databases: DATABASE_ROLES.map((role) => ({
      role,
      name: opts.databases[role],
      collections: pass.collections.filter((c) => c.role === role).map(({ name, documents, data, indexes }) => ({ name, documents, data, indexes })),
    })),
  };
}

/** Checked before anything else is started, and again just before the archive is written. */
export async function refuseExisting(outFile: string): Promise<void> {
  const existing = await stat(outFile).catch(() => undefined);
  if (existing) throw new OpsRefusal(`${outFile} already exists; a backup never overwrites a file. Choose another name (e.g. with the date in it) or remove the old one.`);
  const folder = await stat(path.dirname(outFile)).catch(() => undefined);
  if (!folder?.isDirectory()) throw new OpsRefusal(`The folder ${path.dirname(outFile)} does not exist; create it first.`);
}

/**
 * Reads passes (into a private folder beside the archive) until two agree, then packs the last one.
 * The staging folder is removed whatever happens.
 */
export async function createBackup(opts: BackupOptions): Promise<BackupResult> {
  await refuseExisting(opts.outFile);
  const now = opts.now ?? (() => new Date());
  const staging = await mkdtemp(path.join(path.dirname(opts.outFile), '.backup-staging-'));
  try {
    const readStartedAt = now();
    const result = await readUntilStable<DumpedPass>({
      read: async (n) => {
        const started = Date.now();
        const pass = await dumpPass(opts.client, opts.databases, path.join(staging, `pass-${n}`));
        const { documents, collections } = countOf(pass);
        opts.progress(`Pass ${n}: read ${documents} documents in ${collections} collections (${Date.now() - started} ms)`);
        return pass;
      },
      discard: (pass) => rm(pass.dir, { recursive: true, force: true }),
      maxPasses: opts.maxPasses,
      pauseMs: defaultPauseMs,
      sleep: opts.sleep ?? sleepMs,
      onCompared: (n, changed) =>
        opts.progress(
          changed.length === 0
            ? `  identical to pass ${n - 1}: consistent`
            : `  ${changed.length} collection(s) changed since pass ${n - 1} (${changed.join(', ')})${n < opts.maxPasses ? '; reading again' : ''}`,
        ),
    });
    const createdAt = now();
    const consistency = { stable: result.stable, passes: result.passes, readStartedAt: readStartedAt.toISOString(), readFinishedAt: createdAt.toISOString() };
    const manifest = buildManifest(opts, result.pass, consistency, createdAt);
    await writeFile(path.join(result.pass.dir, MANIFEST_PATH), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    // The manifest first: someone looking into the archive sees what it is before anything else.
    const files = [MANIFEST_PATH, ...result.pass.collections.flatMap((c) => [c.data.path, c.indexes.path])];
    await refuseExisting(opts.outFile);
    const written = await writeArchive(opts.outFile, result.pass.dir, files, createdAt);
    return { outFile: opts.outFile, stable: result.stable, passes: result.passes, ...countOf(result.pass), ...written };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
