import { z } from 'zod';

/**
 * manifest.json of a backup archive (docs/backup-format.md describes the whole format). It is
 * what restore checks the archive against before it writes anything: every file's size and
 * SHA-256, every collection's document count.
 */
export const BACKUP_FORMAT = 'lti-attendance-backup';
export const BACKUP_FORMAT_VERSION = 1;
export const MANIFEST_PATH = 'manifest.json';

/** Our database holds the attendance data; ltijs's holds LMS registrations, keys and launch tokens. */
export type DatabaseRole = 'app' | 'ltijs';
export const DATABASE_ROLES: readonly DatabaseRole[] = ['app', 'ltijs'];

const fileRef = z.object({
  path: z.string().min(1),
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

const collectionEntry = z.object({
  name: z.string().min(1),
  documents: z.number().int().min(0),
  data: fileRef,
  indexes: fileRef,
});

const databaseEntry = z.object({
  role: z.enum(['app', 'ltijs']),
  name: z.string().min(1),
  collections: z.array(collectionEntry),
});

export const manifestSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  formatVersion: z.number().int().min(1),
  tool: z.object({ name: z.string(), version: z.string() }),
  createdAt: z.string(),
  source: z.object({ kind: z.enum(['external', 'mongod', 'standin']) }),
  consistency: z.object({
    /** Two consecutive full reads were identical (docs/backup-format.md, "Consistency"). */
    stable: z.boolean(),
    passes: z.number().int().min(1),
    readStartedAt: z.string(),
    readFinishedAt: z.string(),
  }),
  /** SHA-256 of a domain-separated LTI key, so restore can tell a wrong or missing key; null if unknown. */
  ltiKeyFingerprint: z.string().nullable(),
  databases: z.array(databaseEntry),
});

export type FileRef = z.infer<typeof fileRef>;
export type CollectionEntry = z.infer<typeof collectionEntry>;
export type DatabaseEntry = z.infer<typeof databaseEntry>;
export type Manifest = z.infer<typeof manifestSchema>;

/**
 * Collection names become file names; MongoDB allows characters a file name cannot hold, our
 * tool and ltijs never use them, so such a collection is refused rather than escaped.
 */
export function collectionFileBase(dbName: string, collection: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(collection) || collection.startsWith('.')) {
    throw new Error(`collection "${dbName}.${collection}" has a name that cannot be stored as a file in the backup`);
  }
  return `${dbName}/${collection}`;
}

export function dataPath(dbName: string, collection: string): string {
  return `${collectionFileBase(dbName, collection)}.json`;
}

export function indexesPath(dbName: string, collection: string): string {
  return `${collectionFileBase(dbName, collection)}.indexes.json`;
}

/** Every file the manifest lists, by path. */
export function manifestFiles(manifest: Manifest): Map<string, { file: FileRef; db: DatabaseEntry; collection: CollectionEntry; kind: 'data' | 'indexes' }> {
  const files = new Map<string, { file: FileRef; db: DatabaseEntry; collection: CollectionEntry; kind: 'data' | 'indexes' }>();
  for (const db of manifest.databases) {
    for (const collection of db.collections) {
      files.set(collection.data.path, { file: collection.data, db, collection, kind: 'data' });
      files.set(collection.indexes.path, { file: collection.indexes, db, collection, kind: 'indexes' });
    }
  }
  return files;
}

export function totalDocuments(manifest: Manifest): number {
  return manifest.databases.reduce((sum, db) => sum + db.collections.reduce((s, c) => s + c.documents, 0), 0);
}
