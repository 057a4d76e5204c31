/**
 * Offline MongoDB stand-in: mongo-java-server started through tools/mongo-java-server's launcher.
 *
 * The launcher jar is built with Maven on first use (Maven Central is reachable where MongoDB's
 * download site is not) and cached in target/. The java child exits when its stdin closes, so
 * holding the pipe open is what keeps it alive, and a crashed parent never leaves it behind.
 * It never waits for us: it writes its own log file, and no pipe of ours can fill up and stall it.
 * With an H2 file, every write is committed and synced before it is answered (DurableCommits.java).
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcessByStdio, StdioOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { mkdir, open, readdir, readFile, stat, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
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
  /**
   * The server's own log: it appends its errors (and JVM failures) here itself, capped at
   * logMaxBytes then rotated to "<logFile>.1". Absent: a temporary file, removed by stop().
   */
  logFile?: string;
  /** Size cap of logFile before it is rotated (default 10 MB, set in the launcher). */
  logMaxBytes?: number;
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

/** What startStandin returns: a StartedDatabase plus what tests and a supervisor need to watch it. */
export interface StartedStandin extends StartedDatabase {
  /** The java process (tests SIGKILL it to simulate a crash). */
  pid: number;
  /** The server's own log (opts.logFile, or a temporary file removed by stop()). */
  logFile: string;
  /** Settles when the java process has ended, for whatever reason. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * The file the server logs to, opened here only to hand it to java as its stderr too: what the JVM
 * itself prints before the server's logger runs (a bad jar, a crash) lands in the same file.
 * `offset` is where this run starts, so a failure shows this run's lines, not an earlier run's;
 * `temporary`: ours to remove (no logFile was asked for).
 */
async function openServerLog(logFile: string | undefined) {
  const file = logFile ?? path.join(os.tmpdir(), `attendance-standin-${process.pid}-${randomBytes(4).toString('hex')}.log`);
  await mkdir(path.dirname(file), { recursive: true });
  const handle = await open(file, 'a', 0o600);
  const offset = (await handle.stat()).size;
  return { file, fd: handle.fd, offset, temporary: logFile === undefined, close: () => handle.close() };
}

/** The end of what the server logged since `offset` (of the whole file after a rotation). */
async function logTail(file: string, offset: number): Promise<string> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return '';
  try {
    const size = (await handle.stat()).size;
    const from = Math.max(size >= offset ? offset : 0, size - TAIL_CHARS);
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(size - from), 0, size - from, from);
    return buffer.subarray(0, bytesRead).toString('utf8').trim();
  } finally {
    await handle.close();
  }
}

export async function startStandin(opts: StandinOptions, log: DbLogger): Promise<StartedStandin> {
  const jar = await ensureJar(opts.projectRoot, opts.buildIfMissing ?? true, log);
  const startTimeoutMs = opts.startTimeoutMs ?? 60_000;
  const serverLog = await openServerLog(opts.logFile);
  const cap = opts.logMaxBytes ? [`-Dstandin.logMaxBytes=${opts.logMaxBytes}`] : [];
  const args = [`-Dstandin.logFile=${serverLog.file}`, ...cap, '-jar', jar, String(opts.port ?? 0)];
  if (opts.persistFile) {
    await mkdir(path.dirname(opts.persistFile), { recursive: true });
    args.push(opts.persistFile);
  }

  const started = Date.now();
  // No stderr pipe: the server writes its log itself, so a parent whose event loop is busy (a
  // synchronous spawn, a long computation) can never stall it by not reading. stdout carries one
  // line, "LISTENING <port>", and stays drained by the reader below.
  const stdio: StdioOptions = ['pipe', 'pipe', serverLog.fd];
  const child = spawn('java', args, { stdio, cwd: opts.projectRoot }) as ChildProcessByStdio<Writable, Readable, null>;
  await serverLog.close(); // java has its own copy
  const removeTemporaryLog = () => (serverLog.temporary ? unlink(serverLog.file).catch(() => undefined) : Promise.resolve());
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
      child.kill('SIGKILL');
      fail(`did not report LISTENING within ${startTimeoutMs} ms`);
    }, startTimeoutMs);
    const fail = (why: string) => {
      clearTimeout(timer);
      void logTail(serverLog.file, serverLog.offset)
        .then((said) => reject(new Error(`Offline MongoDB stand-in ${why}${said ? `; its log (${serverLog.file}): ${said}` : ''}`)))
        .then(removeTemporaryLog);
    };
    lines.on('line', (line) => {
      const match = /^LISTENING (\d+)$/.exec(line.trim());
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('error', (err: NodeJS.ErrnoException) =>
      fail(err.code === 'ENOENT' ? 'cannot start: java not found on PATH (Java 17 is needed)' : `cannot start: ${err.message}`),
    );
    void exited.then(({ code, signal }) => fail(`exited before listening (code ${code}, signal ${signal})`));
  });

  const pid = child.pid ?? -1;
  log.info({ port, pid, ms: Date.now() - started, logFile: serverLog.file }, 'Offline MongoDB stand-in listening');
  let stopping = false;
  void exited.then(async ({ code, signal }) => {
    if (stopping) return;
    const said = await logTail(serverLog.file, serverLog.offset); // its last words, from its own log
    log.error({ code, signal, logFile: serverLog.file, tail: said }, 'Offline MongoDB stand-in exited unexpectedly');
  });

  return {
    kind: 'standin',
    pid,
    logFile: serverLog.file,
    exited,
    uri: `mongodb://127.0.0.1:${port}`,
    description:
      `mongo-java-server stand-in on 127.0.0.1:${port} (pid ${pid}, ` +
      (opts.persistFile ? `H2 file ${opts.persistFile})` : 'in-memory)'),
    stop: async () => {
      stopping = true;
      if (!hasExited) child.stdin.end();
      if (!hasExited && !(await within(exited, STOP_GRACE_MS))) {
        child.kill('SIGKILL'); // a no-op when it is already gone
        await within(exited, STOP_GRACE_MS);
      }
      await removeTemporaryLog();
    },
  };
}
