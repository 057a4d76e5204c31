import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { readTar, TAR_END, TarEntry, TarFormatError, tarFileHeader, tarPadding } from './tar';

/** The archive file: a gzip-compressed tar (.tar.gz) of the files of one backup pass. */

/** An archive restore cannot use: unreadable, damaged, truncated, or not one of our backups. */
export class ArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArchiveError';
  }
}

async function fsyncPath(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes `paths` (relative to `dir`, in that order) as a .tar.gz at `outFile`: first to a
 * temporary name beside it, synced to disk, then renamed, so `outFile` is either absent or whole.
 */
export async function writeArchive(outFile: string, dir: string, paths: readonly string[], mtime: Date): Promise<{ bytes: number; sha256: string }> {
  async function* tar(): AsyncGenerator<Buffer> {
    for (const rel of paths) {
      const file = path.join(dir, rel);
      const { size } = await stat(file);
      yield tarFileHeader(rel, size, mtime);
      let seen = 0;
      for await (const chunk of createReadStream(file)) {
        seen += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
      if (seen !== size) throw new Error(`${rel} changed while the archive was written`);
      yield tarPadding(size);
    }
    yield TAR_END;
  }
  const hash = createHash('sha256');
  let bytes = 0;
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  const temp = path.join(path.dirname(outFile), `.${path.basename(outFile)}.partial-${process.pid}`);
  try {
    await pipeline(tar(), createGzip(), measure, createWriteStream(temp, { flags: 'wx', mode: 0o600 }));
    await fsyncPath(temp);
    await rename(temp, outFile);
    // The rename itself is only durable once the folder is synced.
    await fsyncPath(path.dirname(outFile)).catch(() => undefined);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  return { bytes, sha256: hash.digest('hex') };
}

function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return 'no such file';
  if (e?.code === 'EACCES') return 'permission denied';
  if (e?.code === 'EISDIR') return 'it is a folder';
  return e?.message ?? String(err);
}

async function isGzip(file: string): Promise<boolean> {
  const handle = await open(file, 'r').catch((err: unknown) => {
    throw new ArchiveError(`cannot read ${file}: ${describe(err)}`);
  });
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } catch (err) {
    throw new ArchiveError(`cannot read ${file}: ${describe(err)}`);
  } finally {
    await handle.close();
  }
}

function toArchiveError(err: unknown, file: string): unknown {
  if (err instanceof ArchiveError) return err;
  if (err instanceof TarFormatError) return new ArchiveError(`${file} is damaged or incomplete: ${err.message}`);
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? '';
  if (code.startsWith('Z_')) return new ArchiveError(`${file} is damaged or incomplete (gzip: ${(err as Error).message})`);
  if (code) return new ArchiveError(`cannot read ${file}: ${describe(err)}`);
  return err;
}

/** An entry's bytes, with read errors (a truncated gzip stream shows up here) as ArchiveErrors. */
async function* guarded(body: AsyncGenerator<Buffer>, file: string): AsyncGenerator<Buffer> {
  try {
    yield* body;
  } catch (err) {
    throw toArchiveError(err, file);
  }
}

/**
 * The files in the archive (.tar.gz, or a plain .tar someone unpacked with gunzip). Any damage
 * (a gzip CRC or a tar checksum that does not match, a file that ends early) is an ArchiveError.
 */
export async function* archiveEntries(file: string): AsyncGenerator<TarEntry> {
  const gzip = await isGzip(file);
  const input = createReadStream(file);
  const gunzip = gzip ? createGunzip() : undefined;
  if (gunzip) {
    input.on('error', (err) => gunzip.destroy(err));
    input.pipe(gunzip);
  }
  try {
    for await (const entry of readTar((gunzip ?? input) as AsyncIterable<Buffer>)) yield { ...entry, body: guarded(entry.body, file) };
  } catch (err) {
    throw toArchiveError(err, file);
  } finally {
    input.destroy();
    gunzip?.destroy();
  }
}

/** Reads a (small) file of the archive whole; refuses one larger than `limit` bytes. */
export async function readWhole(entry: TarEntry, limit: number): Promise<Buffer> {
  if (entry.size > limit) throw new ArchiveError(`${entry.path} is ${entry.size} bytes, more than the ${limit} expected`);
  const chunks: Buffer[] = [];
  for await (const chunk of entry.body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** The lines of a file (without their "\n"), with `onBytes` seeing every raw byte for hashing. */
export async function* readLines(body: AsyncIterable<Buffer>, onBytes: (chunk: Buffer) => void = () => undefined): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  for await (const chunk of body) {
    onBytes(chunk);
    const parts = (pending + decoder.write(chunk)).split('\n');
    pending = parts.pop() ?? '';
    yield* parts;
  }
  pending += decoder.end();
  if (pending !== '') yield pending;
}
