/**
 * How the benches start what they measure, on MONGODB_URI or the embedded database (like
 * npm start), in a throw-away database that `close()` drops before stopping everything:
 * - startInProcessTool: the tool and a registered mock LMS in the bench's own process;
 * - startChildProcessTool: the tool in a child process (its CPU measured apart from the load
 *   generator's), the bench's own mongoose connected to the same database for seeding and checks.
 */
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { Config, loadConfig } from '../../config/config';
import { connectMongoose, startDatabase, StartedDatabase } from '../../src/db/database';
import { startTool, Tool } from '../../src/server';
import { createLogger } from '../../src/shared/logger';
import { projectRoot } from '../../src/shared/project-root';
import type { MockLms } from '../../test/support/mock-lms';
import { BenchLms } from './bench-lms';
import { startToolChild, ToolChild } from './tool-child';

/** The database's name in the printouts. */
export function dbLabel(kind: string): string {
  return kind === 'standin' ? 'the offline stand-in (mongo-java-server)' : kind;
}

const newDbName = () => `bench_${randomBytes(3).toString('hex')}`;
const startBenchDatabase = () => startDatabase({ mongodbUri: process.env.MONGODB_URI, embedded: 'auto', projectRoot: projectRoot() }, createLogger('warn'));

async function dropAndStop(lms: MockLms, dbName: string): Promise<void> {
  await lms.stop();
  await mongoose.connection.useDb(`${dbName}_ltijs`).dropDatabase().catch(() => undefined);
  await mongoose.connection.dropDatabase().catch(() => undefined);
}

export interface InProcessTool {
  tool: Tool;
  lms: MockLms;
  config: Config;
  /** Which database served the run ('external' | 'mongod' | 'standin'), for the printout. */
  dbKind: string;
  close(): Promise<void>;
}

export async function startInProcessTool(env: Record<string, string> = {}): Promise<InProcessTool> {
  const db = await startBenchDatabase();
  const config = loadConfig({
    NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', MONGODB_DB: newDbName(), LOG_LEVEL: 'silent',
    COOKIE_SECURE: 'false', COOKIE_SAMESITE: 'Lax', ...env,
  });
  const tool = await startTool({ config, ltiKey: randomBytes(32).toString('hex'), mongoUri: db.uri, log: createLogger('silent'), publicUrlFromPort: true });
  const lms = await BenchLms.start({ toolUrl: tool.url });
  await tool.platforms.upsertPlatform(lms.registration(), 'cli');
  return {
    tool, lms, config, dbKind: db.kind,
    async close() {
      await dropAndStop(lms, config.dbName);
      await tool.close();
      await db.stop();
    },
  };
}

export interface ChildProcessTool {
  tool: ToolChild;
  lms: BenchLms;
  db: StartedDatabase;
  /** The database server's pid when we started it (for its CPU time), else undefined. */
  dbPid: number | undefined;
  close(): Promise<void>;
}

export async function startChildProcessTool(): Promise<ChildProcessTool> {
  const db = await startBenchDatabase();
  const dbPid = db.kind === 'external' ? undefined : Number(/pid (\d+)/.exec(db.description)?.[1]) || undefined;
  const dbName = newDbName();
  const tool = await startToolChild({ mongoUri: db.uri, dbName });
  const lms = await BenchLms.start({ toolUrl: tool.url });
  await connectMongoose(db.uri, dbName);
  await tool.call('register', { registration: lms.registration() });
  return {
    tool, lms, db, dbPid,
    async close() {
      await dropAndStop(lms, dbName);
      await mongoose.disconnect();
      await tool.stop();
      await db.stop();
    },
  };
}
