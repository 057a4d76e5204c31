import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { mongo } from 'mongoose';
import { DatabaseRole, dataPath, FileRef, indexesPath } from './backup-manifest';
import { DATABASE_READ_ORDER, readingOrder } from './collection-order';
import type { Pass } from './stable-passes';

/**
 * One backup pass: every collection of both databases, each read in one cursor sorted by _id
 * (so each document appears once, as it was when the cursor reached it), into files under `dir`.
 */

/** Canonical Extended JSON keeps every BSON type (int vs double, Long, Decimal128, Binary subtype). */
export const EJSON_CANONICAL = { relaxed: false } as const;

/** Without these the driver turns int32/double/long into JS numbers and the type would be lost. */
const RAW_VALUES = { promoteValues: false, promoteLongs: false, promoteBuffers: false, bsonRegExp: true } as const;

export interface DumpedCollection {
  role: DatabaseRole;
  db: string;
  name: string;
  documents: number;
  data: FileRef;
  indexes: FileRef;
}

export interface DumpedPass extends Pass {
  dir: string;
  collections: DumpedCollection[];
}

/** Plain collections only: no views, no system.* bookkeeping. */
export async function listCollectionNames(db: mongo.Db): Promise<string[]> {
  const infos = await db.listCollections({}, { nameOnly: false }).toArray();
  return infos.filter((c) => (c.type ?? 'collection') === 'collection' && !c.name.startsWith('system.')).map((c) => c.name);
}

async function dumpDocuments(collection: mongo.Collection, file: string, relPath: string): Promise<{ documents: number; ref: FileRef }> {
  const out = createWriteStream(file, { flags: 'wx', mode: 0o600 });
  const hash = createHash('sha256');
  let bytes = 0;
  let documents = 0;
  try {
    for await (const doc of collection.find({}, { sort: { _id: 1 }, ...RAW_VALUES })) {
      const line = Buffer.from(`${mongo.BSON.EJSON.stringify(doc, EJSON_CANONICAL)}\n`, 'utf8');
      hash.update(line);
      bytes += line.length;
      documents++;
      if (!out.write(line)) await once(out, 'drain');
    }
  } finally {
    out.end();
    await finished(out);
  }
  return { documents, ref: { path: relPath, bytes, sha256: hash.digest('hex') } };
}

/** The index specifications as listIndexes gives them, minus the namespace (it names the old database). */
async function dumpIndexes(collection: mongo.Collection, file: string, relPath: string): Promise<FileRef> {
  const specs = (await collection.listIndexes().toArray())
    .map(({ ns: _ns, ...spec }) => spec)
    .sort((a, b) => String(a['name']).localeCompare(String(b['name'])));
  // Relaxed EJSON: index specs hold only names, numbers and booleans, and stay plain JSON to read.
  const text = Buffer.from(`${mongo.BSON.EJSON.stringify(specs, undefined, 2, { relaxed: true })}\n`, 'utf8');
  await writeFile(file, text, { flag: 'wx', mode: 0o600 });
  return { path: relPath, bytes: text.length, sha256: createHash('sha256').update(text).digest('hex') };
}

export async function dumpPass(client: mongo.MongoClient, databases: Record<DatabaseRole, string>, dir: string): Promise<DumpedPass> {
  const collections: DumpedCollection[] = [];
  const digests = new Map<string, string>();
  for (const role of DATABASE_READ_ORDER) {
    const dbName = databases[role];
    const db = client.db(dbName);
    await mkdir(path.join(dir, dbName), { recursive: true, mode: 0o700 });
    for (const name of readingOrder(role, await listCollectionNames(db))) {
      const collection = db.collection(name);
      const dataRel = dataPath(dbName, name);
      const indexRel = indexesPath(dbName, name);
      const { documents, ref } = await dumpDocuments(collection, path.join(dir, dataRel), dataRel);
      const indexes = await dumpIndexes(collection, path.join(dir, indexRel), indexRel);
      collections.push({ role, db: dbName, name, documents, data: ref, indexes });
      digests.set(`${dbName}/${name}`, `${ref.sha256}:${indexes.sha256}`);
    }
  }
  return { dir, collections, digests };
}
