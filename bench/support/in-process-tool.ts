/**
 * The tool and a registered mock LMS in the bench's own process, on MONGODB_URI or the embedded
 * database (like npm start), in a throw-away database; `close()` drops it and stops everything.
 * (The check-in and export benches run the tool in a child process instead: tool-child.ts.)
 */
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { Config, loadConfig } from '../../config/config';
import { startDatabase } from '../../src/db/database';
import { startTool, Tool } from '../../src/server';
import { createLogger } from '../../src/shared/logger';
import { projectRoot } from '../../src/shared/project-root';
import { MockLms } from '../../test/support/mock-lms';

export interface InProcessTool {
  tool: Tool;
  lms: MockLms;
  config: Config;
  /** Which database served the run ('external' | 'mongod' | 'standin'), for the printout. */
  dbKind: string;
  close(): Promise<void>;
}

export async function startInProcessTool(env: Record<string, string> = {}): Promise<InProcessTool> {
  const db = await startDatabase({ mongodbUri: process.env.MONGODB_URI, embedded: 'auto', projectRoot: projectRoot() }, createLogger('warn'));
  const config = loadConfig({
    NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', MONGODB_DB: `bench_${randomBytes(3).toString('hex')}`, LOG_LEVEL: 'silent',
    COOKIE_SECURE: 'false', COOKIE_SAMESITE: 'Lax', ...env,
  });
  const tool = await startTool({ config, ltiKey: randomBytes(32).toString('hex'), mongoUri: db.uri, log: createLogger('silent'), publicUrlFromPort: true });
  const lms = await MockLms.start({ toolUrl: tool.url });
  await tool.platforms.upsertPlatform(lms.registration(), 'cli');
  return {
    tool, lms, config, dbKind: db.kind,
    async close() {
      await lms.stop();
      await mongoose.connection.useDb(`${config.dbName}_ltijs`).dropDatabase().catch(() => undefined);
      await mongoose.connection.dropDatabase().catch(() => undefined);
      await tool.close();
      await db.stop();
    },
  };
}
