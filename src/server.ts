import { createHmac } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Config } from '../config/config';
import { buildApp } from './app';
import { startAutoMarkWorker } from './attendance/auto-mark.worker';
import { deepLinkingHandler, launchHandler } from './courses/launch.routes';
import { connectMongoose, disconnectMongoose, pingDatabase } from './db/database';
import { startCleanupWorker } from './lti/cleanup.worker';
import { subscribeAttendanceChanged } from './grading/grade-hooks';
import { gradeSyncListener } from './grading/grade-sync.service';
import { startGradeSyncWorker } from './grading/grade-sync.worker';
import { agsFrom } from './lti/lti-services';
import { createLtiAdapter, LtiAdapter } from './lti/lti.adapter';
import { PlatformRegistry } from './platforms/platform-registry';
import { createPlatformService, PlatformService } from './platforms/platform.service';
import { createLtiServices } from './lti/nrps.adapter';
import { MIGRATIONS } from './migrations';
import { runMigrations } from './migrations/migration-runner';
import { syncRosterAfterTeacherLaunch } from './roster/roster-sync.service';
import { sendRefusal } from './shared/error-handler.middleware';
import { newHolderId } from './shared/job-lease.service';
import type { FeatureDeps } from './shared/feature-deps';
import { ensureDefaultStatusSet } from './status-sets/status-set.service';
import type { LaunchContext } from './lti/launch-context';
import type { Logger } from './shared/logger';

export interface ToolOptions {
  config: Config;
  ltiKey: string;
  mongoUri: string;
  log: Logger;
  /**
   * The clock of the attendance domain (windows, codes, automatic marking). LTI protocol checks
   * (id_token iat/exp, login attempts, expiry of ltijs's records) always use the real clock:
   * the LMS signs with real time, and ltijs checks it with real time too.
   */
  now?: () => Date;
  /** Tests listen on port 0 and learn their public URL from the bound port. */
  publicUrlFromPort?: boolean;
  /** How often automatic marking looks for ended sessions (default: config AUTO_MARK_INTERVAL_SECONDS, 20 s, so marks arrive within a minute of the end); 0 = off. */
  autoMarkIntervalMs?: number;
  /** How often due grades are sent to the LMS (default 5 s); 0 = not on this instance (jobs are still enqueued). */
  gradeSyncIntervalMs?: number;
  /** On close, how long new requests get the 503 page before the port closes (default 1 s; tests use 0). */
  drainGraceMs?: number;
}

export interface Tool {
  url: string;
  server: Server;
  app: Express;
  lti: LtiAdapter;
  platforms: PlatformService;
  registry: PlatformRegistry;
  close(): Promise<void>;
}

function setHandler(server: Server, handler: (req: IncomingMessage, res: ServerResponse) => void): void {
  server.removeAllListeners('request');
  server.on('request', handler);
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Stopping: for `graceMs` the server keeps listening and answers every new request (also one
 * already on its way over a kept-alive connection) with the 503 page and Connection: close, so
 * clients see a clean answer instead of a reset; then it stops listening, closes idle
 * connections, and waits for requests in flight, cutting them only after `limitMs`.
 */
const DRAIN_GRACE_MS = 1000;
const DRAIN_LIMIT_MS = 10_000;

async function closeServer(server: Server, graceMs: number, limitMs: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, graceMs));
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), limitMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** config → database connection → ltijs → registrations → app → workers, and the reverse on close. */
export async function startTool(opts: ToolOptions): Promise<Tool> {
  const { config, log } = opts;
  const now = opts.now ?? (() => new Date());
  await connectMongoose(opts.mongoUri, config.dbName, config.writeConcern);
  // Before anything reads or writes course data; instances starting together migrate once.
  const { version: schemaVersion } = await runMigrations(MIGRATIONS, { holder: newHolderId('migrate'), log, now: () => new Date() }).catch(async (err: unknown) => {
    await disconnectMongoose().catch(() => undefined);
    throw err;
  });

  // Listen early (answering 503) so a port-0 test server knows its public URL before ltijs is set up.
  const server = createServer();
  setHandler(server, (_req, res) => {
    res.statusCode = 503;
    res.setHeader('Retry-After', '2');
    res.end('Starting up');
  });
  const port = await listen(server, config.port, config.host);
  const publicUrl = opts.publicUrlFromPort ? `http://${config.host}:${port}` : config.publicUrl;

  let registry: PlatformRegistry | undefined;
  let lti: LtiAdapter | undefined;
  try {
    const signingKey = createHmac('sha256', opts.ltiKey).update('lti-attendance/signing/v1').digest();
    const features: FeatureDeps = { now, defaultTimezone: config.defaultTimezone, log, lti: createLtiServices(), publicUrl, signingKey };
    // Only a teacher's launch seeds the status set (sessions, and so every use of it, start
    // with a teacher) and refreshes the roster: a lecture hall of students writes neither.
    const afterLaunch = async (launch: LaunchContext) => {
      if (launch.role !== 'teacher') return;
      if (launch.activityId) await ensureDefaultStatusSet(launch.courseId, launch.activityId, launch.locale);
      await syncRosterAfterTeacherLaunch(features, launch);
    };
    const deps = () => ({ registry: registry as PlatformRegistry, defaultTimezone: config.defaultTimezone, now, afterLaunch });
    lti = await createLtiAdapter({
      key: opts.ltiKey,
      mongoUri: opts.mongoUri,
      dbName: `${config.dbName}_ltijs`,
      publicUrl,
      cookies: { secure: config.cookieSecure, sameSite: config.cookieSameSite },
      tokenMaxAgeSeconds: config.tokenMaxAgeSeconds,
      writeConcern: config.writeConcern,
      ltikMaxAgeSeconds: config.ltikMaxAgeSeconds,
      launchCacheSeconds: config.launchCacheSeconds,
      defaultLocale: config.defaultLocale,
      log,
      onLaunch: (req, res, data, launch) => launchHandler(deps())(req, res, data, launch),
      onDeepLinking: (req, res, data, launch) => deepLinkingHandler(deps())(req, res, data, launch),
      refuse: sendRefusal,
    });
    const platforms = createPlatformService(lti.platformStore, () => {
      registry?.refresh().catch((err: unknown) => log.warn({ err }, 'platform registry refresh failed'));
    });
    if (config.platformsFile) {
      const loaded = await platforms.loadPlatformsFile(config.platformsFile);
      log.info({ count: loaded.length, file: config.platformsFile }, 'LMS registrations loaded from file');
    }
    registry = new PlatformRegistry(platforms.listPlatforms, config.platformsRefreshSeconds * 1000);
    await registry.start((err) => log.warn({ err }, 'platform registry refresh failed'));
    return finishStart({ ...opts, now, schemaVersion }, server, publicUrl, port, lti, platforms, registry, features);
  } catch (err) {
    // Leave no open port or connection behind, so the process can report the error and exit.
    registry?.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await lti?.close().catch(() => undefined);
    await disconnectMongoose().catch(() => undefined);
    throw err;
  }
}

function finishStart(
  opts: ToolOptions & { now: () => Date; schemaVersion: number },
  server: Server,
  publicUrl: string,
  port: number,
  lti: LtiAdapter,
  platforms: PlatformService,
  registry: PlatformRegistry,
  features: FeatureDeps,
): Tool {
  const { config, log, now } = opts;
  const draining = { on: false };
  const app = buildApp({
    config, publicUrl, log, lti, registry, platforms, checkDatabase: () => pingDatabase(), schemaVersion: opts.schemaVersion, now: () => new Date(), features, draining: () => draining.on,
  });
  setHandler(server, app);
  const cleanup = startCleanupWorker({
    ltijsDbName: `${config.dbName}_ltijs`,
    tokenMaxAgeSeconds: config.tokenMaxAgeSeconds,
    intervalSeconds: config.cleanupIntervalSeconds,
    log,
    now: () => new Date(),
  });
  const autoMark = startAutoMarkWorker({ intervalMs: opts.autoMarkIntervalMs ?? config.autoMarkIntervalSeconds * 1000, log, now });
  // Every change that may affect a grade enqueues it; the worker delivers it to the LMS.
  const unsubscribeGrades = subscribeAttendanceChanged(gradeSyncListener({ now, log }));
  const gradeSync = startGradeSyncWorker({ intervalMs: opts.gradeSyncIntervalMs ?? config.gradeSyncIntervalSeconds * 1000, ags: agsFrom(features.lti), log, now });
  log.info({ url: publicUrl, port }, 'LTI Attendance is listening');

  return {
    url: publicUrl,
    server,
    app,
    lti,
    platforms,
    registry,
    async close() {
      // Stop taking requests first: new ones (also on kept-alive connections) get the calm 503
      // page with Connection: close, those in flight finish, then the workers finish their
      // current job, and only then do the database connections go.
      draining.on = true;
      await closeServer(server, opts.drainGraceMs ?? DRAIN_GRACE_MS, DRAIN_LIMIT_MS);
      cleanup.stop();
      await autoMark.stop();
      unsubscribeGrades();
      await gradeSync.stop();
      registry.stop();
      await lti.close();
      await disconnectMongoose();
    },
  };
}
