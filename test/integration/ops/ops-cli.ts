import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mongo } from 'mongoose';
import type { Manifest } from '../../../src/ops/backup-manifest';
import { runBackupCli } from '../../../src/ops/backup.cli';
import { runRestoreCli } from '../../../src/ops/restore.cli';

/** Test support for the backup/restore tests: the commands as an operator runs them, and the archive as tar sees it. */

export const root = path.join(__dirname, '..', '..', '..');

const temps: string[] = [];

/** A temporary folder, removed by removeTempDirs() (call it in afterAll). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface CliResult {
  status: number | null;
  out: string;
  err: string;
}

/** Settings the commands must not inherit from the test process or a developer's shell. */
const OWN_SETTINGS = ['MONGODB_URI', 'MONGODB_DB', 'DATA_DIR', 'EMBEDDED_DB', 'LTI_KEY', 'NODE_ENV', 'LOG_LEVEL', 'INIT_CWD'];

/**
 * The same command in this process, with `env` as cli() would give it (process.env is swapped for
 * the call and put back). For the cases where starting a ts-node process, seconds apiece on a
 * loaded machine, proves nothing more; each test file still runs the real command too.
 */
export async function cliInProcess(command: 'backup' | 'restore', args: string[], env: Record<string, string>): Promise<CliResult> {
  const saved = { ...process.env };
  for (const key of OWN_SETTINGS) delete process.env[key];
  Object.assign(process.env, { LOG_LEVEL: 'silent', NODE_ENV: 'test' }, env);
  const out: string[] = [];
  const err: string[] = [];
  try {
    const run = command === 'backup' ? runBackupCli : runRestoreCli;
    const status = await run(args, (l) => out.push(l), (l) => err.push(l));
    return { status, out: out.join('\n'), err: err.join('\n') };
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

/**
 * Runs `npm run backup|restore -- ...args` (the same ts-node entry, without npm's start-up).
 * Asynchronously, so this process keeps serving the tool the command talks to; `onLine` sees
 * each line of standard output as it comes.
 */
export function cli(command: 'backup' | 'restore', args: string[], env: Record<string, string>, onLine?: (line: string) => void): Promise<CliResult> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const key of OWN_SETTINGS) delete childEnv[key];
  Object.assign(childEnv, { LOG_LEVEL: 'silent', NODE_ENV: 'test' }, env);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', `src/ops/${command}.cli.ts`, ...args], { cwd: root, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let partial = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine?.(line);
    });
    child.stderr.on('data', (chunk: string) => (err += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('error', reject);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, out, err });
    });
  });
}

export interface MainProcess {
  child: ChildProcess;
  pid: number;
  output(): string;
}

/**
 * The tool as `npm start` runs it (src/main.ts) on the embedded stand-in in `dataDir`, at `url`
 * (http://127.0.0.1:<port>); resolves once /healthz answers 200.
 */
export async function startMain(dataDir: string, dbName: string, url: string, ltiKey: string): Promise<MainProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of OWN_SETTINGS) delete env[key];
  Object.assign(env, {
    NODE_ENV: 'development', HOST: '127.0.0.1', PORT: new URL(url).port, PUBLIC_URL: url, DATA_DIR: dataDir, EMBEDDED_DB: 'standin', MONGODB_DB: dbName,
    LTI_KEY: ltiKey, LOG_LEVEL: 'warn', COOKIE_SECURE: 'false', COOKIE_SAMESITE: 'Lax', DEFAULT_TIMEZONE: 'Europe/Riga',
    AUTO_MARK_INTERVAL_SECONDS: '0', GRADE_SYNC_INTERVAL_SECONDS: '0',
  });
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  for (let i = 0; ; i++) {
    const ok = await fetch(`${url}/healthz`).then((r) => r.status === 200, () => false);
    if (ok) break;
    if (i > 240 || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`the tool did not start: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { child, pid: child.pid ?? 0, output: () => output };
}

/** SIGTERM, as a service manager stops it (the tool stops its embedded server and removes its runtime file). */
export async function stopMain(main: MainProcess): Promise<void> {
  if (main.child.exitCode !== null || main.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => main.child.once('exit', () => resolve()));
  main.child.kill('SIGTERM');
  const timer = setTimeout(() => main.child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

/** The archive unpacked by GNU tar: what an operator (or mongoimport) would work with. */
export function unpack(archive: string): { dir: string; manifest: Manifest; files: string[] } {
  const dir = tempDir('backup-unpacked-');
  execFileSync('tar', ['-xzf', archive, '-C', dir]);
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
  return { dir, manifest, files };
}

/** Documents as canonical Extended JSON lines sorted by _id: the way a backup writes them. */
export async function canonicalLines(db: mongo.Db, collection: string): Promise<string> {
  const docs = await db.collection(collection).find({}, { sort: { _id: 1 }, promoteValues: false, promoteLongs: false, promoteBuffers: false, bsonRegExp: true }).toArray();
  return docs.map((d) => `${mongo.BSON.EJSON.stringify(d, { relaxed: false })}\n`).join('');
}

/** Index names with their unique flag, e.g. "sessionId_1_userId_1 unique". */
export async function indexSummary(db: mongo.Db, collection: string): Promise<string[]> {
  return (await db.collection(collection).listIndexes().toArray()).map((i) => `${String(i['name'])}${i['unique'] ? ' unique' : ''}`).sort();
}

/** Every collection of the archive's two databases, compared with what `client` holds under the target names. */
export async function expectSameAsArchive(client: mongo.MongoClient, unpacked: { dir: string; manifest: Manifest }, target: { app: string; ltijs: string }): Promise<number> {
  let compared = 0;
  for (const db of unpacked.manifest.databases) {
    const targetDb = client.db(target[db.role]);
    for (const c of db.collections) {
      const archived = readFileSync(path.join(unpacked.dir, c.data.path), 'utf8');
      expect({ collection: `${db.role}/${c.name}`, docs: await canonicalLines(targetDb, c.name) }).toEqual({ collection: `${db.role}/${c.name}`, docs: archived });
      const specs = JSON.parse(readFileSync(path.join(unpacked.dir, c.indexes.path), 'utf8')) as Array<{ name: string; unique?: boolean }>;
      expect(await indexSummary(targetDb, c.name)).toEqual(specs.map((s) => `${s.name}${s.unique ? ' unique' : ''}`).sort());
      compared++;
    }
  }
  return compared;
}
