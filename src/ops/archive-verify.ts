import { createHash } from 'node:crypto';
import { mongo } from 'mongoose';
import { ArchiveError, archiveEntries, readLines, readWhole } from './archive';
import { BACKUP_FORMAT, BACKUP_FORMAT_VERSION, DATABASE_ROLES, Manifest, MANIFEST_PATH, manifestFiles, manifestSchema } from './backup-manifest';
import { EJSON_CANONICAL } from './dump-pass';
import type { TarEntry } from './tar';

/**
 * Reads a whole archive once before restore writes anything: every file must be in the manifest
 * with the same size and SHA-256, every document line must parse, every count must match. So a
 * truncated, damaged or hand-edited archive is refused with nothing written.
 */

const MANIFEST_LIMIT = 4 * 1024 * 1024;
const INDEXES_LIMIT = 4 * 1024 * 1024;

export interface VerifiedArchive {
  file: string;
  manifest: Manifest;
}

interface SeenFile {
  bytes: number;
  sha256: string;
  /** Document lines (data files only). */
  lines: number;
}

function parseManifest(text: string, file: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ArchiveError(`${file}: ${MANIFEST_PATH} is not valid JSON`);
  }
  const format = (raw as { format?: unknown } | null)?.format;
  if (format !== BACKUP_FORMAT) throw new ArchiveError(`${file} is not a backup of LTI Attendance (${MANIFEST_PATH} says format ${JSON.stringify(format)})`);
  const version = (raw as { formatVersion?: unknown }).formatVersion;
  if (typeof version === 'number' && version > BACKUP_FORMAT_VERSION) {
    throw new ArchiveError(`${file} was made by a newer version of the tool (backup format ${version}; this one reads up to ${BACKUP_FORMAT_VERSION}): update the tool first`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) throw new ArchiveError(`${file}: ${MANIFEST_PATH} is damaged (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
  for (const role of DATABASE_ROLES) {
    if (parsed.data.databases.filter((d) => d.role === role).length !== 1) throw new ArchiveError(`${file}: ${MANIFEST_PATH} must list exactly one "${role}" database`);
  }
  return parsed.data;
}

async function checkDataFile(entry: TarEntry): Promise<SeenFile> {
  const hash = createHash('sha256');
  let bytes = 0;
  let lines = 0;
  for await (const line of readLines(entry.body, (chunk) => {
    hash.update(chunk);
    bytes += chunk.length;
  })) {
    if (line.trim() === '') continue;
    lines++;
    try {
      mongo.BSON.EJSON.parse(line, EJSON_CANONICAL);
    } catch (err) {
      throw new ArchiveError(`${entry.path}, document ${lines}: not valid Extended JSON (${(err as Error).message})`);
    }
  }
  return { bytes, sha256: hash.digest('hex'), lines };
}

async function checkIndexesFile(entry: TarEntry): Promise<SeenFile> {
  const body = await readWhole(entry, INDEXES_LIMIT);
  const specs = parseIndexSpecs(body.toString('utf8'), entry.path);
  return { bytes: body.length, sha256: createHash('sha256').update(body).digest('hex'), lines: specs.length };
}

/** An indexes file: a JSON array of index specifications, each with a key and a name. */
export function parseIndexSpecs(text: string, where: string): Array<Record<string, unknown> & { key: Record<string, unknown>; name: string }> {
  let specs: unknown;
  try {
    specs = mongo.BSON.EJSON.parse(text, { relaxed: true });
  } catch (err) {
    throw new ArchiveError(`${where}: not valid JSON (${(err as Error).message})`);
  }
  const ok = Array.isArray(specs) && specs.every((s) => typeof s === 'object' && s !== null && typeof s.name === 'string' && typeof s.key === 'object' && s.key !== null);
  if (!ok) throw new ArchiveError(`${where}: not a list of index specifications`);
  return specs as Array<Record<string, unknown> & { key: Record<string, unknown>; name: string }>;
}

function compare(file: string, manifest: Manifest, seen: Map<string, SeenFile>): void {
  const problems: string[] = [];
  const listed = manifestFiles(manifest);
  for (const [rel, { file: ref, collection, kind }] of listed) {
    const got = seen.get(rel);
    if (!got) problems.push(`${rel} is missing`);
    else if (got.bytes !== ref.bytes || got.sha256 !== ref.sha256) problems.push(`${rel} does not match its checksum (${got.bytes} bytes, expected ${ref.bytes})`);
    else if (kind === 'data' && got.lines !== collection.documents) problems.push(`${rel} holds ${got.lines} documents, expected ${collection.documents}`);
  }
  for (const rel of seen.keys()) if (!listed.has(rel)) problems.push(`${rel} is not listed in ${MANIFEST_PATH}`);
  if (problems.length > 0) throw new ArchiveError(`${file} is damaged or was changed:\n  - ${problems.join('\n  - ')}`);
}

export async function verifyArchive(file: string): Promise<VerifiedArchive> {
  let manifest: Manifest | undefined;
  const seen = new Map<string, SeenFile>();
  for await (const entry of archiveEntries(file)) {
    if (seen.has(entry.path) || (entry.path === MANIFEST_PATH && manifest)) throw new ArchiveError(`${file}: ${entry.path} appears twice`);
    if (entry.path === MANIFEST_PATH) manifest = parseManifest((await readWhole(entry, MANIFEST_LIMIT)).toString('utf8'), file);
    else if (entry.path.endsWith('.indexes.json')) seen.set(entry.path, await checkIndexesFile(entry));
    else if (entry.path.endsWith('.json')) seen.set(entry.path, await checkDataFile(entry));
    else throw new ArchiveError(`${file}: unexpected file ${entry.path} (not part of a backup)`);
  }
  if (!manifest) throw new ArchiveError(`${file} is not a backup of LTI Attendance (${MANIFEST_PATH} is missing)`);
  compare(file, manifest, seen);
  return { file, manifest };
}
