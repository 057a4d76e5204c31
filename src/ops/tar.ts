/**
 * The part of the POSIX tar (ustar) format a backup needs: regular files in folders, written and
 * read as streams. About a hundred lines, so no dependency for it. GNU tar, bsdtar and 7-Zip read
 * what this writes; this reads what they write for plain files (ustar and GNU headers; pax
 * extended headers are skipped, so their long names are not supported).
 */
export const TAR_BLOCK = 512;

/** A tar archive that cannot be read: damaged, truncated, or not tar at all. */
export class TarFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TarFormatError';
  }
}

/** The largest size an 11-digit octal field holds (8 GiB - 1). */
const MAX_SIZE = 0o77777777777;

function writeString(block: Buffer, offset: number, length: number, value: string): void {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > length) throw new Error(`tar field too long: ${value}`);
  bytes.copy(block, offset);
}

function writeOctal(block: Buffer, offset: number, length: number, value: number): void {
  writeString(block, offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
}

function checksum(block: Buffer): number {
  let sum = 0;
  for (let i = 0; i < TAR_BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
  return sum;
}

/** Splits a path into ustar's prefix (≤155 bytes) and name (≤100 bytes) at a slash. */
function splitName(path: string): { prefix: string; name: string } {
  if (Buffer.byteLength(path) <= 100) return { prefix: '', name: path };
  const cut = path.lastIndexOf('/', 155);
  const prefix = cut > 0 ? path.slice(0, cut) : '';
  const name = cut > 0 ? path.slice(cut + 1) : path;
  if (!prefix || Buffer.byteLength(prefix) > 155 || Buffer.byteLength(name) > 100) throw new Error(`path too long for a tar archive: ${path}`);
  return { prefix, name };
}

/** The 512-byte header of a regular file (mode 0600: a backup is private data). */
export function tarFileHeader(path: string, size: number, mtime: Date): Buffer {
  if (!Number.isSafeInteger(size) || size < 0 || size > MAX_SIZE) throw new Error(`file too large for a tar archive: ${path} (${size} bytes)`);
  const block = Buffer.alloc(TAR_BLOCK);
  const { prefix, name } = splitName(path);
  writeString(block, 0, 100, name);
  writeOctal(block, 100, 8, 0o600);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeOctal(block, 124, 12, size);
  writeOctal(block, 136, 12, Math.floor(mtime.getTime() / 1000));
  block.write('0', 156, 'latin1');
  writeString(block, 257, 6, 'ustar\0');
  writeString(block, 263, 2, '00');
  writeString(block, 345, 155, prefix);
  writeString(block, 148, 8, `${checksum(block).toString(8).padStart(6, '0')}\0 `);
  return block;
}

/** Zero bytes that fill a file's data up to the next block boundary. */
export function tarPadding(size: number): Buffer {
  return Buffer.alloc((TAR_BLOCK - (size % TAR_BLOCK)) % TAR_BLOCK);
}

/** Two zero blocks end an archive. */
export const TAR_END = Buffer.alloc(2 * TAR_BLOCK);

export interface TarHeader {
  path: string;
  size: number;
  /** '0' (or NUL) file, '5' folder, 'x'/'g' pax headers, anything else unsupported here. */
  typeflag: string;
}

function readString(block: Buffer, offset: number, length: number): string {
  const field = block.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? length : end).toString('utf8');
}

function readOctal(block: Buffer, offset: number, length: number, what: string): number {
  const text = readString(block, offset, length).trim();
  if (!/^[0-7]*$/.test(text)) throw new TarFormatError(`damaged tar header (${what} field "${text}")`);
  return text === '' ? 0 : Number.parseInt(text, 8);
}

/** Parses one header block; 'end' for the zero block that ends an archive. */
export function parseTarHeader(block: Buffer): TarHeader | 'end' {
  if (block.length !== TAR_BLOCK) throw new TarFormatError('damaged tar header (short block)');
  if (block.every((b) => b === 0)) return 'end';
  const storedText = readString(block, 148, 8).trim();
  const stored = /^[0-7]+$/.test(storedText) ? Number.parseInt(storedText, 8) : -1;
  if (stored !== checksum(block)) throw new TarFormatError('damaged tar header (checksum mismatch): not a backup archive, or a corrupted one');
  const magic = readString(block, 257, 6);
  const prefix = magic.startsWith('ustar') ? readString(block, 345, 155) : '';
  const name = readString(block, 0, 100);
  const path = (prefix ? `${prefix}/${name}` : name).replace(/^(\.\/)+/, '');
  return { path, size: readOctal(block, 124, 12, 'size'), typeflag: String.fromCharCode(block[156] ?? 0) };
}

/** Pulls exact byte counts out of a stream of chunks. */
class ByteReader {
  private buffered: Buffer[] = [];
  private length = 0;
  private done = false;

  constructor(private readonly source: AsyncIterator<Buffer>) {}

  private async fill(n: number): Promise<void> {
    while (this.length < n && !this.done) {
      const next = await this.source.next();
      if (next.done) this.done = true;
      else {
        this.buffered.push(next.value);
        this.length += next.value.length;
      }
    }
  }

  /** Up to `max` bytes (at least 1), or undefined at the end of the stream. */
  async readSome(max: number): Promise<Buffer | undefined> {
    await this.fill(1);
    if (this.length === 0) return undefined;
    const all = this.buffered.length === 1 ? (this.buffered[0] as Buffer) : Buffer.concat(this.buffered);
    const out = all.subarray(0, Math.min(max, all.length));
    const rest = all.subarray(out.length);
    this.buffered = rest.length ? [rest] : [];
    this.length = rest.length;
    return out;
  }

  /** Exactly n bytes; undefined at a clean end of stream; throws on a partial read. */
  async readExact(n: number, what: string): Promise<Buffer | undefined> {
    await this.fill(n);
    if (this.length === 0) return undefined;
    if (this.length < n) throw new TarFormatError(`the archive ends in the middle of ${what} (truncated)`);
    const all = this.buffered.length === 1 ? (this.buffered[0] as Buffer) : Buffer.concat(this.buffered);
    const rest = all.subarray(n);
    this.buffered = rest.length ? [rest] : [];
    this.length = rest.length;
    return all.subarray(0, n);
  }
}

export interface TarEntry extends TarHeader {
  /** The file's bytes; read it before asking for the next entry (unread bytes are skipped). */
  body: AsyncGenerator<Buffer>;
}

/** The `path` record of a pax extended header ("<len> path=<value>\n" records), if any. */
function paxPath(data: Buffer): string | undefined {
  let text = data.toString('utf8');
  while (text.length > 0) {
    const space = text.indexOf(' ');
    const length = Number.parseInt(text.slice(0, space), 10);
    if (space < 1 || !(length > space)) throw new TarFormatError('damaged pax header');
    const record = text.slice(space + 1, length - 1);
    if (record.startsWith('path=')) return record.slice('path='.length);
    text = text.slice(length);
  }
  return undefined;
}

/** Header types that only carry the next entry's long name (GNU 'L', pax 'x'). */
const LONG_NAME_LIMIT = 64 * 1024;

/** The regular files of a tar stream, in order. Throws TarFormatError on damage or truncation. */
export async function* readTar(source: AsyncIterable<Buffer>): AsyncGenerator<TarEntry> {
  const reader = new ByteReader(source[Symbol.asyncIterator]());
  let longName: string | undefined;
  for (;;) {
    const block = await reader.readExact(TAR_BLOCK, 'a header');
    if (!block) throw new TarFormatError('the archive ends without its end marker (truncated)');
    const header = parseTarHeader(block);
    if (header === 'end') {
      // Read on to the end of the stream, so that gzip checks its CRC and length trailer too.
      while (await reader.readSome(64 * 1024));
      return;
    }
    let remaining = header.size;
    const path = longName ?? header.path;
    longName = undefined;
    async function* body(): AsyncGenerator<Buffer> {
      while (remaining > 0) {
        const chunk = await reader.readSome(remaining);
        if (!chunk) throw new TarFormatError(`the archive ends in the middle of ${path} (truncated)`);
        remaining -= chunk.length;
        yield chunk;
      }
    }
    const type = header.typeflag;
    if (type === 'L' || type === 'x') {
      if (header.size > LONG_NAME_LIMIT) throw new TarFormatError(`damaged tar header (a ${header.size}-byte name record)`);
      const chunks: Buffer[] = [];
      for await (const chunk of body()) chunks.push(chunk);
      const data = Buffer.concat(chunks);
      longName = type === 'L' ? data.toString('utf8').replace(/\0[\s\S]*$/, '') : paxPath(data);
    } else if (type === '0' || type === '\0') {
      yield { ...header, path, body: body() };
    } else if (type !== '5' && type !== 'g') {
      throw new TarFormatError(`unsupported tar entry type "${type}" for ${path}`);
    }
    // Skip what the caller did not read, then the padding to the block boundary.
    for await (const _ of body());
    await reader.readExact(tarPadding(header.size).length, `the padding after ${path}`);
  }
}
