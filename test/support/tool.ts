import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { Config, loadConfig } from '../../config/config';
import { createLogger } from '../../src/shared/logger';
import { startTool, Tool } from '../../src/server';
import { MockLms, MockLmsOptions } from './mock-lms';
import { testDbName, testMongoUri } from './test-db';

export interface TestHarness {
  tool: Tool;
  /** The tool's LTI key (signs ltiks), for tests that forge or age one. */
  ltiKey: string;
  lms: MockLms;
  config: Config;
  /** Drops this file's databases and stops everything. */
  close(): Promise<void>;
}

/**
 * The real tool (ltijs, express, our models) on 127.0.0.1:<free port> with its own databases
 * on the run's shared server, plus a real mock LMS registered with it. One per test file:
 * ltijs is a process-wide singleton and registration generates a 4096-bit key.
 */
/**
 * `now`: the tool's clock (check-in windows, rotating codes, automatic marking); real time by default.
 * `autoMarkIntervalMs`: the automatic-marking job's interval; off (0) unless a test asks for it,
 * so no test's past sessions get marked behind its back.
 * `gradeSyncIntervalMs`: the grade delivery job's interval; off (0) unless asked (grades are still
 * enqueued; tests call processGradeSync themselves for determinism).
 * `mongoUri`: a database server of the test's own (one it stops or kills) instead of the run's.
 */
export async function startHarness(opts: { env?: Record<string, string>; lms?: Partial<MockLmsOptions>; register?: boolean; now?: () => Date; autoMarkIntervalMs?: number; gradeSyncIntervalMs?: number; mongoUri?: string } = {}): Promise<TestHarness> {
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    MONGODB_DB: testDbName('t'),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DEFAULT_TIMEZONE: 'Europe/Riga',
    COOKIE_SECURE: 'false',
    COOKIE_SAMESITE: 'Lax',
    ...opts.env,
  });
  const ltiKey = randomBytes(32).toString('hex');
  const tool = await startTool({
    config,
    ltiKey,
    mongoUri: opts.mongoUri ?? testMongoUri(),
    log: createLogger(config.logLevel),
    publicUrlFromPort: true,
    now: opts.now,
    autoMarkIntervalMs: opts.autoMarkIntervalMs ?? 0,
    gradeSyncIntervalMs: opts.gradeSyncIntervalMs ?? 0,
    drainGraceMs: 0,
  });
  const lms = await MockLms.start({ toolUrl: tool.url, ...opts.lms });
  if (opts.register !== false) await tool.platforms.upsertPlatform(lms.registration(), 'cli');
  return {
    tool,
    ltiKey,
    lms,
    config,
    async close() {
      await lms.stop();
      await mongoose.connection.useDb(`${config.dbName}_ltijs`).dropDatabase().catch(() => undefined);
      await mongoose.connection.dropDatabase().catch(() => undefined);
      await tool.close();
    },
  };
}

/** Path + query of the request that produced a response (the page a launch ended on). */
export function finalPath(res: object): string {
  return (res as unknown as { req: { path: string } }).req.path;
}
