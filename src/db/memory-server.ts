/**
 * Embedded real mongod via mongodb-memory-server.
 *
 * mongodb-memory-server downloads a mongod when none is cached, and on an offline machine that
 * download only fails after DNS/connect retries. We therefore look for a local binary first and,
 * if there is none, probe the download site with short timeouts so the caller can fall back to
 * the stand-in within seconds instead of minutes.
 */
import { constants as fsConstants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { DryMongoBinary, MongoMemoryServer } from 'mongodb-memory-server';
import type { DbLogger, StartedDatabase } from './select-database';

const DEFAULT_DOWNLOAD_SITE = 'https://fastdl.mongodb.org';
const DEFAULT_PROBE_TIMEOUT_MS = 3000;

export const UNREACHABLE_MESSAGE = 'no mongod binary and the download site is unreachable';

export interface MemoryServerOptions {
  /** Persistent data directory (npm start); absent = a temp dir removed on stop (tests). */
  dbPath?: string;
  /** Bound for each of the DNS lookup and the HTTPS HEAD of the download site. */
  probeTimeoutMs?: number;
  /** The port to listen on (default: any free one); a supervised restart reuses the old one. */
  port?: number;
}

/** A started mongod; `exited` settles when its process has ended, for whatever reason. */
export interface StartedMemoryServer extends StartedDatabase {
  exited: Promise<unknown>;
}

/**
 * A mongod that mongodb-memory-server would use without downloading, or undefined.
 * Uses DryMongoBinary (lookup only) rather than MongoBinary.getPath, which downloads.
 */
export async function findLocalMongodBinary(): Promise<string | undefined> {
  const system = process.env['MONGOMS_SYSTEM_BINARY']?.trim();
  if (system) {
    try {
      await access(system, fsConstants.X_OK);
      return system;
    } catch {
      // mongodb-memory-server would refuse it too; say which setting is wrong.
      throw new Error(`MONGOMS_SYSTEM_BINARY is set to "${system}", which is not an executable file`);
    }
  }
  return DryMongoBinary.locateBinary(DryMongoBinary.getEnsuredOptions());
}

/** The URL mongodb-memory-server would download from (same env settings it reads). */
export function downloadSiteUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env['MONGOMS_DOWNLOAD_URL']?.trim() || env['MONGOMS_DOWNLOAD_MIRROR']?.trim() || DEFAULT_DOWNLOAD_SITE;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function head(url: URL, timeoutMs: number): Promise<number> {
  const client = url.protocol === 'http:' ? http : https;
  return new Promise<number>((resolve, reject) => {
    const req = client.request(url, { method: 'HEAD', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error(`HEAD ${url.origin} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Resolves when the download host answers (any HTTP status counts: we only care about reachability);
 * rejects with the DNS/connect error otherwise. Each step is bounded by timeoutMs.
 */
export async function probeDownloadSite(siteUrl: string, timeoutMs: number): Promise<void> {
  const url = new URL(siteUrl);
  await withTimeout(lookup(url.hostname), timeoutMs, `DNS lookup of ${url.hostname}`);
  // The socket timeout above covers idle time only; the outer bound covers a slow TLS handshake too.
  await withTimeout(head(url, timeoutMs), timeoutMs, `HEAD ${url.origin}`);
}

function hasProxy(env: NodeJS.ProcessEnv): boolean {
  return ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'].some((k) => !!env[k]);
}

export async function startMemoryServer(opts: MemoryServerOptions, log: DbLogger): Promise<StartedMemoryServer> {
  const probeTimeoutMs = opts.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const binary = await findLocalMongodBinary();

  if (!binary) {
    const site = downloadSiteUrl();
    if (hasProxy(process.env)) {
      // A direct probe would wrongly fail behind a proxy; mongodb-memory-server honours the proxy.
      log.info({ site }, 'No local mongod; proxy configured, so letting mongodb-memory-server download directly');
    } else {
      const started = Date.now();
      try {
        await probeDownloadSite(site, probeTimeoutMs);
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        throw new Error(`${UNREACHABLE_MESSAGE} (${new URL(site).host}: ${why}; gave up after ${Date.now() - started} ms)`);
      }
      log.info({ site }, 'No local mongod; download site reachable, mongodb-memory-server will download one (first use)');
    }
  }

  if (opts.dbPath) await mkdir(opts.dbPath, { recursive: true });
  const server = await MongoMemoryServer.create({
    instance: {
      ip: '127.0.0.1',
      ...(opts.port ? { port: opts.port } : {}),
      ...(opts.dbPath ? { dbPath: opts.dbPath, storageEngine: 'wiredTiger' as const } : {}),
    },
  });
  const version = server.opts.binary?.version;
  const mongod = server.instanceInfo?.instance.mongodProcess;
  // Journaling: mongod's wiredTiger journals by default (and always since 6.1); with the write
  // concern's `j: true` (DEFAULT_WRITE_CONCERN) a write is answered once it is in the journal.
  const exited = new Promise<unknown>((resolve) => {
    if (!mongod || mongod.exitCode !== null) resolve(undefined);
    else mongod.once('exit', resolve);
  });
  return {
    exited,
    kind: 'mongod',
    uri: server.getUri(),
    description:
      `embedded mongod${version ? ` ${version}` : ''} on ${server.getUri()} ` +
      (opts.dbPath ? `(data in ${opts.dbPath})` : '(in-memory, temp dir)'),
    stop: async () => {
      // Default cleanup removes only a temp dir mongodb-memory-server created, never opts.dbPath.
      await server.stop();
    },
  };
}
