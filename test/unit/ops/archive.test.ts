import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ArchiveError, archiveEntries, readLines, writeArchive } from '../../../src/ops/archive';

const temps: string[] = [];
const tmp = (prefix: string) => {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
};
afterAll(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const LONG = `${'d'.repeat(60)}/${'c'.repeat(70)}.indexes.json`;

function staging(): { dir: string; files: Record<string, string> } {
  const dir = tmp('archive-unit-');
  const files: Record<string, string> = {
    'manifest.json': '{"format":"x"}\n',
    'db/a.json': Array.from({ length: 3000 }, (_, i) => `{"_id":{"$numberInt":"${i}"},"name":"Jānis ${i}"}`).join('\n') + '\n',
    'db/empty.json': '',
    [LONG]: '[]\n',
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return { dir, files };
}

async function readAll(file: string): Promise<Record<string, string>> {
  const got: Record<string, string> = {};
  for await (const entry of archiveEntries(file)) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry.body) chunks.push(chunk);
    got[entry.path] = Buffer.concat(chunks).toString('utf8');
  }
  return got;
}

describe('the backup archive file (tar.gz)', () => {
  it('when files are written, then they read back byte for byte, in order, and GNU tar lists and extracts them', async () => {
    const { dir, files } = staging();
    const out = path.join(dir, 'backup.tar.gz');
    const { bytes, sha256 } = await writeArchive(out, dir, Object.keys(files), new Date('2025-01-02T03:04:05Z'));
    expect(bytes).toBe(readFileSync(out).length);
    expect(sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await readAll(out)).toEqual(files);
    expect(execFileSync('tar', ['-tzf', out], { encoding: 'utf8' }).trim().split('\n')).toEqual(Object.keys(files));
    const unpacked = tmp('archive-x-');
    execFileSync('tar', ['-xzf', out, '-C', unpacked]);
    expect(readFileSync(path.join(unpacked, LONG), 'utf8')).toBe('[]\n');
    expect(readFileSync(path.join(unpacked, 'db/a.json'), 'utf8')).toBe(files['db/a.json']);
  });

  it('when GNU tar packed the files (folders, its own header flavour), then they are read too', async () => {
    const { dir, files } = staging();
    const out = path.join(dir, 'gnu.tar.gz');
    execFileSync('tar', ['-czf', out, '-C', dir, 'manifest.json', 'db', LONG.split('/')[0] ?? '']);
    const got = await readAll(out);
    expect(got).toEqual(files);
  });

  it('when the archive is cut short or a byte is changed, then reading fails with an ArchiveError', async () => {
    const { dir, files } = staging();
    const out = path.join(dir, 'backup.tar.gz');
    await writeArchive(out, dir, Object.keys(files), new Date());
    const whole = readFileSync(out);
    const cut = path.join(dir, 'cut.tar.gz');
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.6)));
    await expect(readAll(cut)).rejects.toThrow(ArchiveError);
    const lastBytes = path.join(dir, 'trailer.tar.gz');
    writeFileSync(lastBytes, whole.subarray(0, whole.length - 4));
    await expect(readAll(lastBytes)).rejects.toThrow(/damaged or incomplete/);
    const flipped = Buffer.from(whole);
    const at = Math.floor(flipped.length / 2);
    flipped[at] = (flipped[at] ?? 0) ^ 0xff;
    const bad = path.join(dir, 'flipped.tar.gz');
    writeFileSync(bad, flipped);
    await expect(readAll(bad)).rejects.toThrow(ArchiveError);
    const plain = path.join(dir, 'notes.txt');
    writeFileSync(plain, 'these are not the files you are looking for\n'.repeat(40));
    await expect(readAll(plain)).rejects.toThrow(/damaged or incomplete.*not a backup archive/);
    await expect(readAll(path.join(dir, 'missing.tar.gz'))).rejects.toThrow(/cannot read .*missing.tar.gz: no such file/);
  });

  it('when a file is split into lines, then multi-byte characters across chunk boundaries stay whole', async () => {
    const text = 'Ķēniņš\nĻaviņa\nlast';
    const bytes = Buffer.from(text, 'utf8');
    async function* chunks() { for (let i = 0; i < bytes.length; i += 3) yield bytes.subarray(i, i + 3); }
    const lines: string[] = [];
    for await (const line of readLines(chunks())) lines.push(line);
    expect(lines).toEqual(['Ķēniņš', 'Ļaviņa', 'last']);
  });
});
