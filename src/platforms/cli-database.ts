import { existsSync } from 'node:fs';
import path from 'node:path';
import { mongo } from 'mongoose';
import type { Config } from '../../config/config';
import { loadOrCreateDevLtiKey } from '../../config/lti-key';
import { redactMongoUri, startDatabase, StartedDatabase } from '../db/database';
import type { DbLogger } from '../db/database';
import { readLiveRuntimeFile } from '../db/runtime-file';
import { projectRoot } from '../shared/project-root';

/**
 * Which database `npm run platform` works on: MONGODB_URI; else the embedded server of the tool
 * running on DATA_DIR (its db-runtime.json: an embedded server's files cannot be opened twice);
 * else the embedded server started here on DATA_DIR's existing data.
 *
 * It never creates a database. A CLI run with another DATA_DIR or MONGODB_DB than the tool's
 * used to start an empty one there and answer "No such registration." to an approve; now it
 * refuses, names what it looked at and changes nothing.
 */

export class NoToolData extends Error {}

export interface ToolDatabase {
  uri: string;
  started?: StartedDatabase;
}

/** Where src/db/database.ts keeps the embedded servers' files under DATA_DIR. */
const hasEmbeddedData = (dataDir: string) => ['mongod', 'standin'].some((folder) => existsSync(path.join(dataDir, folder)));

const HOW_TO = 'Run it with the settings of the running tool, as printed on the end page of a dynamic registration '
  + '(e.g. DATA_DIR=/srv/attendance/data npm run platform -- list), or start the tool once (npm start) to create its database.';

export async function findToolDatabase(config: Config, log: DbLogger): Promise<ToolDatabase> {
  const dataDir = path.resolve(config.dataDir);
  let found: ToolDatabase;
  if (config.mongodbUri) found = { uri: config.mongodbUri };
  else {
    const running = await readLiveRuntimeFile(config.dataDir);
    if (running) found = { uri: running.uri };
    else if (hasEmbeddedData(config.dataDir)) {
      const started = await startDatabase({ embedded: config.embeddedDb, dataDir: config.dataDir, projectRoot: projectRoot() }, log);
      found = { uri: started.uri, started };
    } else {
      throw new NoToolData(`No data of LTI Attendance found: MONGODB_URI is not set, and DATA_DIR ${dataDir} has neither a running tool nor an embedded database. Nothing was created.\n${HOW_TO}`);
    }
  }
  try {
    if (!(await holdsToolData(found.uri, config.dbName))) {
      const where = config.mongodbUri ? redactMongoUri(config.mongodbUri) : `the database server of DATA_DIR ${dataDir}`;
      throw new NoToolData(`No data of LTI Attendance found: database "${config.dbName}" (MONGODB_DB) on ${where} is empty. Nothing was changed.\n${HOW_TO}`);
    }
  } catch (err) {
    await found.started?.stop();
    throw err;
  }
  return found;
}

/**
 * Whether the tool ever ran on this database: it creates its collections (and ltijs its own
 * database) at its first start. Read with a client of its own, before our models connect, as
 * mongoose would create their collections (indexes) on connecting.
 */
async function holdsToolData(uri: string, dbName: string): Promise<boolean> {
  const client = new mongo.MongoClient(uri, { appName: 'lti-attendance-cli', serverSelectionTimeoutMS: 10_000 });
  try {
    await client.connect();
    for (const name of [dbName, `${dbName}_ltijs`]) {
      const collections = await client.db(name).listCollections({}, { nameOnly: true }).toArray();
      if (collections.length > 0) return true;
    }
    return false;
  } finally {
    await client.close();
  }
}

/**
 * The key ltijs encrypts platform keys with: LTI_KEY, else the development key the tool keeps in
 * DATA_DIR. Never a new one: platform keys encrypted with it would be unreadable for the tool.
 */
export function toolLtiKey(config: Pick<Config, 'ltiKey' | 'dataDir'>): string {
  if (config.ltiKey) return config.ltiKey;
  if (!existsSync(path.join(config.dataDir, 'lti-key'))) {
    throw new NoToolData(`The tool's LTI key was not found: LTI_KEY is not set and DATA_DIR ${path.resolve(config.dataDir)} has no lti-key. Nothing was changed.\n${HOW_TO}`);
  }
  return loadOrCreateDevLtiKey(config.dataDir).key;
}
