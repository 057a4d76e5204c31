import { mongo } from 'mongoose';
import { ArchiveError, archiveEntries, readLines, readWhole } from './archive';
import { parseIndexSpecs, VerifiedArchive } from './archive-verify';
import { DatabaseRole, DATABASE_ROLES, manifestFiles, MANIFEST_PATH } from './backup-manifest';
import { EJSON_CANONICAL, listCollectionNames } from './dump-pass';
import { OpsRefusal } from './ops-errors';

/**
 * Loads a verified archive into the tool's two databases (names given by the target's
 * configuration, so a backup can be restored under another MONGODB_DB). Only those two
 * databases are ever read, dropped or written; other databases on the server are not touched.
 */

const BATCH_DOCUMENTS = 1000;
const BATCH_BYTES = 8 * 1024 * 1024;

export interface RestoreOptions {
  client: mongo.MongoClient;
  archive: VerifiedArchive;
  target: Record<DatabaseRole, string>;
  force: boolean;
  progress(line: string): void;
}

/** "db.collection (n documents)" for every collection that holds a document. */
export async function nonEmptyCollections(client: mongo.MongoClient, dbNames: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const dbName of dbNames) {
    const db = client.db(dbName);
    for (const name of await listCollectionNames(db)) {
      if (await db.collection(name).findOne({}, { projection: { _id: 1 } })) found.push(`${dbName}.${name}`);
    }
  }
  return found;
}

async function insertBatch(collection: mongo.Collection, batch: mongo.Document[]): Promise<void> {
  if (batch.length > 0) await collection.insertMany(batch, { ordered: true });
}

/** Second read of the archive: documents in batches; index specs kept for after the data. */
async function loadDocuments(opts: RestoreOptions): Promise<Map<string, { db: string; collection: string; specs: ReturnType<typeof parseIndexSpecs> }>> {
  const files = manifestFiles(opts.archive.manifest);
  const indexes = new Map<string, { db: string; collection: string; specs: ReturnType<typeof parseIndexSpecs> }>();
  for await (const entry of archiveEntries(opts.archive.file)) {
    if (entry.path === MANIFEST_PATH) continue;
    const listed = files.get(entry.path);
    if (!listed) throw new ArchiveError(`${opts.archive.file} changed since it was checked (${entry.path})`);
    const dbName = opts.target[listed.db.role];
    const collection = opts.client.db(dbName).collection(listed.collection.name);
    if (listed.kind === 'indexes') {
      const specs = parseIndexSpecs((await readWhole(entry, 4 * 1024 * 1024)).toString('utf8'), entry.path);
      indexes.set(`${dbName}.${listed.collection.name}`, { db: dbName, collection: listed.collection.name, specs });
      continue;
    }
    // Created explicitly so an empty collection comes back too (with its indexes).
    await opts.client.db(dbName).createCollection(listed.collection.name).catch((err: { code?: number }) => {
      if (err.code !== 48) throw err; // NamespaceExists
    });
    let batch: mongo.Document[] = [];
    let batchBytes = 0;
    for await (const line of readLines(entry.body)) {
      if (line.trim() === '') continue;
      batch.push(mongo.BSON.EJSON.parse(line, EJSON_CANONICAL) as mongo.Document);
      batchBytes += line.length;
      if (batch.length >= BATCH_DOCUMENTS || batchBytes >= BATCH_BYTES) {
        await insertBatch(collection, batch);
        batch = [];
        batchBytes = 0;
      }
    }
    await insertBatch(collection, batch);
  }
  return indexes;
}

/**
 * After the documents (faster on MongoDB than keeping indexes up to date during the load). The
 * unique ones are what the tool's atomic claims rely on, so a failure here fails the restore.
 */
async function createIndexes(client: mongo.MongoClient, indexes: Awaited<ReturnType<typeof loadDocuments>>): Promise<number> {
  let created = 0;
  for (const { db, collection, specs } of indexes.values()) {
    const wanted = specs.filter((s) => s.name !== '_id_').map(({ v: _v, ns: _ns, ...spec }) => spec as mongo.IndexDescription);
    if (wanted.length === 0) continue;
    try {
      await client.db(db).collection(collection).createIndexes(wanted);
    } catch (err) {
      throw new Error(`could not create the indexes of ${db}.${collection} (${(err as Error).message}); the documents are restored but this collection lacks its indexes. Restore again with --force from a good backup.`);
    }
    created += wanted.length;
  }
  return created;
}

async function checkCounts(opts: RestoreOptions): Promise<number> {
  const problems: string[] = [];
  let total = 0;
  for (const db of opts.archive.manifest.databases) {
    const dbName = opts.target[db.role];
    for (const c of db.collections) {
      const count = await opts.client.db(dbName).collection(c.name).countDocuments({});
      total += count;
      if (count !== c.documents) problems.push(`${dbName}.${c.name}: ${count} documents, expected ${c.documents}`);
    }
  }
  if (problems.length > 0) throw new Error(`the restored data does not match the backup:\n  - ${problems.join('\n  - ')}`);
  return total;
}

export async function restoreArchive(opts: RestoreOptions): Promise<{ documents: number; collections: number; indexes: number }> {
  const targetNames = DATABASE_ROLES.map((role) => opts.target[role]);
  const occupied = await nonEmptyCollections(opts.client, targetNames);
  if (occupied.length > 0 && !opts.force) {
    const shown = occupied.slice(0, 8).join(', ') + (occupied.length > 8 ? `, and ${occupied.length - 8} more` : '');
    throw new OpsRefusal(
      `The target is not empty: ${shown} already hold documents. Nothing was changed.\n` +
        `To replace everything there with the backup, run again with --force (it drops the databases ${targetNames.join(' and ')} first).`,
    );
  }
  // Also when they hold only empty collections: indexes an earlier start created must not clash.
  for (const name of targetNames) await opts.client.db(name).dropDatabase();
  if (occupied.length > 0) opts.progress(`Dropped ${targetNames.join(' and ')} (--force).`);
  const indexes = await loadDocuments(opts);
  const indexCount = await createIndexes(opts.client, indexes);
  const documents = await checkCounts(opts);
  const collections = opts.archive.manifest.databases.reduce((n, d) => n + d.collections.length, 0);
  return { documents, collections, indexes: indexCount };
}
