/**
 * Issue #12: the data directory holds the embedded database (check-in passwords, every record)
 * and the development LTI key, so only the tool's own user may read it. Run as `npm start` runs
 * it: the start-up step, then the offline stand-in persisting to an H2 file under the directory.
 */
import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { loadConfig } from '../../../config/config';
import { startDatabase } from '../../../src/db/database';
import { createLogger } from '../../../src/shared/logger';
import { resolveLtiKey, secureDataDir } from '../../../src/startup';

jest.setTimeout(180_000);

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

async function modes(dir: string): Promise<Array<[string, number]>> {
  const out: Array<[string, number]> = [[dir, (await stat(dir)).mode & 0o777]];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await modes(p)));
    else if (entry.isFile()) out.push([p, (await stat(p)).mode & 0o777]);
  }
  return out;
}

describe('the data directory is private', () => {
  let root: string;
  let umask: number;
  beforeAll(async () => {
    umask = process.umask();
    root = await mkdtemp(path.join(os.tmpdir(), 'la-data-'));
  });
  afterAll(async () => {
    process.umask(umask);
    await rm(root, { recursive: true, force: true });
  });

  it('when the tool starts with the embedded database, then the folder is 0700 and every file in it 0600', async () => {
    const dataDir = path.join(root, 'data');
    // What an older version left behind: a world-readable folder and file.
    await mkdir(path.join(dataDir, 'standin'), { recursive: true, mode: 0o755 });
    await chmod(dataDir, 0o755);
    await writeFile(path.join(dataDir, 'standin', 'old.log'), 'old', { mode: 0o644 });
    process.umask(0o022); // a usual login shell's

    const config = loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    const log = createLogger('silent');
    secureDataDir(config, log);
    resolveLtiKey(config, log);
    const db = await startDatabase({ embedded: 'standin', dataDir, projectRoot: path.resolve(__dirname, '..', '..', '..') }, quiet);
    try {
      const conn = await mongoose.createConnection(db.uri, { dbName: 'perm_check', serverSelectionTimeoutMS: 10_000 }).asPromise();
      await conn.db?.collection('sessions').insertOne({ password: 'SECRET' });
      await conn.close();
    } finally {
      await db.stop();
    }

    const found = await modes(dataDir);
    const files = found.filter(([p]) => p !== dataDir).map(([p]) => path.relative(dataDir, p));
    expect(files).toEqual(expect.arrayContaining(['lti-key', path.join('standin', 'old.log')]));
    expect(files.some((f) => f.startsWith(path.join('standin', 'attendance')))).toBe(true); // the H2 database file
    const readableByOthers = found.filter(([, mode]) => (mode & 0o077) !== 0).map(([p, mode]) => `${path.relative(root, p)} ${mode.toString(8)}`);
    expect(readableByOthers).toEqual([]);
  });
});
