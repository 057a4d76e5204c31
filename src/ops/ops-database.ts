import { existsSync } from 'node:fs';
import path from 'node:path';
import { mongo } from 'mongoose';
import type { Config } from '../../config/config';
import { prepareDataDir } from '../db/data-dir';
import { DbLogger, redactMongoUri, startDatabase } from '../db/database';
import type { DatabaseKind } from '../db/database';
import { readLiveRuntimeFile } from '../db/runtime-file';
import { projectRoot } from '../shared/project-root';
import type { DatabaseRole } from './backup-manifest';
import { OpsRefusal } from './ops-errors';

/**
 * Which server the backup and restore commands use, found the way `npm run platform` finds it:
 * MONGODB_URI; else the embedded server of the tool running on DATA_DIR (its runtime file: an
 * embedded server's files cannot be opened twice); else the embedded server started here on
 * DATA_DIR for the length of the command.
 */

export interface OpsDatabase {
  uri: string;
  kind: DatabaseKind;
  description: string;
  stop(): Promise<void>;
}

export function toolDatabases(config: Pick<Config, 'dbName'>): Record<DatabaseRole, string> {
  // The same naming as src/server.ts gives ltijs.
  return { app: config.dbName, ltijs: `${config.dbName}_ltijs` };
}

/** Where src/db/database.ts keeps the embedded servers' files under DATA_DIR. */
function hasEmbeddedData(dataDir: string): boolean {
  return ['standin', 'mongod'].some((folder) => existsSync(path.join(dataDir, folder)));
}

async function startEmbedded(config: Config, log: DbLogger, why: string): Promise<OpsDatabase> {
  const started = await startDatabase({ embedded: config.embeddedDb, dataDir: config.dataDir, projectRoot: projectRoot() }, log);
  return { uri: started.uri, kind: started.kind, description: `${started.description}, ${why}`, stop: () => started.stop() };
}

const external = (uri: string): OpsDatabase => ({ uri, kind: 'external', description: `MongoDB at ${redactMongoUri(uri)} (MONGODB_URI)`, stop: async () => undefined });

/**
 * Backup while the tool runs uses its server. When it does not run, the embedded server is
 * started on the data (nothing else can be writing then); an empty DATA_DIR is refused so a typo
 * in DATA_DIR does not produce an empty "backup".
 */
export async function databaseForBackup(config: Config, log: DbLogger): Promise<OpsDatabase> {
  if (config.mongodbUri) return external(config.mongodbUri);
  const running = await readLiveRuntimeFile(config.dataDir);
  if (running) return { uri: running.uri, kind: running.kind, description: `the embedded database of the tool running on ${config.dataDir} (pid ${running.pid})`, stop: async () => undefined };
  if (!hasEmbeddedData(config.dataDir)) {
    throw new OpsRefusal(`There is nothing to back up: no embedded database in DATA_DIR ${path.resolve(config.dataDir)} and no MONGODB_URI. Check DATA_DIR (or .env).`);
  }
  return startEmbedded(config, log, 'started for this backup (the tool is not running)');
}

/**
 * Restore never writes under a running tool: it would go on with what it has cached (LMS
 * registrations) and mix it with the restored data. Stop the tool, restore, start it.
 */
export async function databaseForRestore(config: Config, log: DbLogger): Promise<OpsDatabase> {
  if (config.mongodbUri) return external(config.mongodbUri);
  const running = await readLiveRuntimeFile(config.dataDir);
  if (running) throw new OpsRefusal(`The tool is running on DATA_DIR ${path.resolve(config.dataDir)} (pid ${running.pid}). Stop it first, then restore, then start it again. Nothing was changed.`);
  prepareDataDir(config.dataDir);
  return startEmbedded(config, log, 'started for this restore');
}

/** A client for the command; writes wait for the journal (and a majority) so "restored" means on disk. */
export async function connect(uri: string): Promise<mongo.MongoClient> {
  const client = new mongo.MongoClient(uri, {
    appName: 'lti-attendance-ops',
    serverSelectionTimeoutMS: 10_000,
    writeConcern: { w: 'majority', journal: true },
  });
  await client.connect();
  return client;
}
