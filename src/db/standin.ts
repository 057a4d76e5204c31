/**
 * Offline MongoDB stand-in: mongo-java-server started through tools/mongo-java-server's launcher.
 *
 * The launcher jar is built with Maven on first use (Maven Central is reachable where MongoDB's
 * download site is not) and cached in target/. The java child exits when its stdin closes, so
 * holding the pipe open is what keeps it alive, and a crashed parent never leaves it behind.
 */
import { execFile, spawn } from 'node:child_process';
import { constants as fsConstants, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { isProcessAlive } from './runtime-file';
import type { DbLogger, StartedDatabase } from './select-database';

export interface StandinOptions {
  projectRoot: string;
  /** H2 file for persistence (npm start); absent = in-memory backend (tests). */
  persistFile?: string;
  /** Build the launcher jar with Maven when it is missing (default true). */
  buildIfMissing?: boolean;
  /** How long to wait for "LISTENING <port>" (default 60 s; a cold JVM needs ~1 s). */
  startTimeoutMs?: number;
  /** Append the server's own warnings and errors (stderr) to this file. */
  logFile?: string;
  /** The port to listen on (default 0: any free one); tests restart a server where it was. */
  port?: number;
}

const TAIL_CHARS = 4000;
const BUILD_WAIT_MS = 10 * 60_000;
/** A lock older than this is from a build that cannot still be running. */
const STALE_LOCK_MS = 15 * 60_000;
const STOP_GRACE_MS = 2000;

export function standinPaths(projectRoot: string): { toolDir: string; jar: string; lock: string } {
  const toolDir = path.join(projectRoot, 'tools', 'mongo-java-server');
  const target = path.join(toolDir, 'target');
  return { toolDir, jar: path.join(target, 'mongo-java-server-launcher.jar'), lock: path.join(target, '.build.lock') };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits for `promise` at most ms; the timer is unref'd so it never holds the process open. */
function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    setTimeout(() => resolve(false), ms).unref();
    void promise.then(() => resolve(true));
  });
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

function tail(text: string): string {
  return text.length > TAIL_CHARS ? `…${text.slice(-TAIL_CHARS)}` : text;
}

/** Runs a command to completion, resolving with its combined output; rejects with that output's tail. */
function run(cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      // Maven colours its output even in batch mode on some installs; colour codes only clutter errors.
      const output = `${stdout}${stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
      if (!err) return resolve(output);
      const code = err.code;
      const why = code === 'ENOENT' ? `${cmd} not found on PATH` : err.killed ? `timed out after ${timeoutMs} ms` : `exit code ${String(code)}`;
      reject(Object.assign(new Error(`${cmd} ${args.join(' ')} failed (${why})\n${tail(output.trim())}`), { code }));
    });
  });
}

async function buildJar(toolDir: string, log: DbLogger): Promise<void> {
  for (const [cmd, args, need] of [
    ['java', ['-version'], 'Java 17'],
    ['mvn', ['-v'], 'Maven'],
  ] as const) {
    await run(cmd, [...args], toolDir, 30_000).catch((err: Error & { code?: string }) => {
      throw new Error(
        `${need} is needed to build the offline MongoDB stand-in but ${cmd} ${err.code === 'ENOENT' ? 'is not on PATH' : 'does not run'}: ${err.message}`,
      );
    });
  }
  log.info({ toolDir }, 'Building the offline MongoDB stand-in (first use, about a minute)');
  const started = Date.now();
  await run('mvn', ['-q', '-B', '-f', path.join(toolDir, 'pom.xml'), 'package', '-DskipTests'], toolDir, BUILD_WAIT_MS).catch(
    (err: Error) => {
      throw new Error(`Maven build of the offline MongoDB stand-in failed: ${err.message}`);
    },
  );
  log.info({ ms: Date.now() - started }, 'Offline MongoDB stand-in built');
}

/**
 * O_EXCL lock file holding our pid. Returns a release function, 'held' while another live build
 * holds it, or 'stale' after removing the lock of a build that died (the caller retries at once).
 */
async function tryLock(lock: string, jar: string, log: DbLogger): Promise<(() => Promise<void>) | 'held' | 'stale'> {
  await mkdir(path.dirname(lock), { recursive: true });
  try {
    const handle = await open(lock, fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_WRONLY);
    await handle.writeFile(String(process.pid));
    await handle.close();
    return () => unlink(lock).catch(() => undefined);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const [pidText, info] = await Promise.all([readFile(lock, 'utf8').catch(() => ''), stat(lock).catch(() => undefined)]);
  const pid = Number.parseInt(pidText, 10);
  const stale = !info || Date.now() - info.mtimeMs > STALE_LOCK_MS || (pid > 0 && !isProcessAlive(pid));
  if (stale) {
    log.warn({ lock, pid }, 'Removing a stale stand-in build lock (its build died); rebuilding');
    await unlink(lock).catch(() => undefined);
    // The dead build may have left the unshaded jar at the final name: never trust it.
    await unlink(jar).catch(() => undefined);
    return 'stale';
  }
  return 'held';
}

/**
 * Makes sure the launcher jar exists. A jar counts as ready only while no build lock exists,
 * because Maven first writes an unshaded jar at the same name before shading it.
 */
async function ensureJar(projectRoot: string, buildIfMissing: boolean, log: DbLogger): Promise<string> {
  const { toolDir, jar, lock } = standinPaths(projectRoot);
  const deadline = Date.now() + BUILD_WAIT_MS;
  let announcedWait = false;
  for (;;) {
    if ((await exists(jar)) && !(await exists(lock)) && !(await isOutdated(jar, toolDir))) return jar;
    if (!buildIfMissing) {
      throw new Error(`Offline MongoDB stand-in not ready (${jar} missing or being built) and building was disabled`);
    }
    const release = await tryLock(lock, jar, log);
    if (release === 'stale') continue;
    if (release !== 'held') {
      try {
        // Another process may have finished building between our check and taking the lock.
        if (!(await exists(jar)) || (await isOutdated(jar, toolDir))) await buildJar(toolDir, log);
        if (!(await exists(jar))) throw new Error(`Maven build finished but ${jar} is missing`);
        return jar;
      } finally {
        await release();
      }
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for another process to build ${jar} (lock ${lock})`);
    if (!announcedWait) log.info({ lock }, 'Waiting for another process that is building the offline MongoDB stand-in');
    announcedWait = true;
    await sleep(500);
  }
}

/** A jar older than the launcher's sources is rebuilt, so an edited pom or Java source takes effect. */
async function isOutdated(jar: string, toolDir: string): Promise<boolean> {
  const jarTime = (await stat(jar)).mtimeMs;
  const javaDir = path.join(toolDir, 'src', 'main', 'java', 'attendance', 'tools');
  const javaFiles = await readdir(javaDir).then((names) => names.filter((n) => n.endsWith('.java')), () => [] as string[]);
  const sources = [path.join(toolDir, 'pom.xml'), ...javaFiles.map((n) => path.join(javaDir, n))];
  for (const source of sources) {
    const time = await stat(source).then((st) => st.mtimeMs, () => 0);
    if (time > jarTime) return true;
  }
  return false;
}

export async function startStandin(opts: StandinOptions, log: DbLogger): Promise<StartedDatabase> {
  const jar = await ensureJar(opts.projectRoot, opts.buildIfMissing ?? true, log);
  const startTimeoutMs = opts.startTimeoutMs ?? 60_000;
  const args = ['-jar', jar, String(opts.port ?? 0)];
  if (opts.persistFile) {
    await mkdir(path.dirname(opts.persistFile), { recursive: true });
    args.push(opts.persistFile);
  }

  const started = Date.now();
  const child = spawn('java', args, { stdio: ['pipe', 'pipe', 'pipe'], cwd: opts.projectRoot });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-TAIL_CHARS);
  });
  if (opts.logFile) {
    await mkdir(path.dirname(opts.logFile), { recursive: true });
    child.stderr.pipe(createWriteStream(opts.logFile, { flags: 'a' }));
  }
  // Writing to / ending stdin after java died raises EPIPE; the exit handlers report that instead.
  child.stdin.on('error', () => undefined);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    const timer = setTimeout(() => {
      fail(new Error(`Offline MongoDB stand-in did not report LISTENING within ${startTimeoutMs} ms${stderrNote()}`));
      child.kill('SIGKILL');
    }, startTimeoutMs);
    const stderrNote = () => (stderr.trim() ? `; stderr: ${tail(stderr.trim())}` : '');
    const fail = (err: Error) => {
      clearTimeout(timer);
      reject(err);
    };
    lines.on('line', (line) => {
      const match = /^LISTENING (\d+)$/.exec(line.trim());
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('error', (err: NodeJS.ErrnoException) =>
      fail(new Error(err.code === 'ENOENT' ? 'java not found on PATH (Java 17 is needed for the offline MongoDB stand-in)' : err.message)),
    );
    void exited.then(({ code, signal }) =>
      fail(new Error(`Offline MongoDB stand-in exited before listening (code ${code}, signal ${signal})${stderrNote()}`)),
    );
  });

  const pid = child.pid;
  log.info({ port, pid, ms: Date.now() - started }, 'Offline MongoDB stand-in listening');
  let stopping = false;
  void exited.then(({ code, signal }) => {
    if (!stopping) log.error({ code, signal, stderr: tail(stderr) }, 'Offline MongoDB stand-in exited unexpectedly');
  });

  return {
    kind: 'standin',
    uri: `mongodb://127.0.0.1:${port}`,
    description:
      `mongo-java-server stand-in on 127.0.0.1:${port} (pid ${pid}, ` +
      (opts.persistFile ? `H2 file ${opts.persistFile})` : 'in-memory)'),
    stop: async () => {
      if (hasExited) return;
      stopping = true;
      child.stdin.end();
      const ended = await within(exited, STOP_GRACE_MS);
      if (!ended && pid !== undefined) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone between the check and the kill.
        }
        await within(exited, STOP_GRACE_MS);
      }
    },
  };
}
