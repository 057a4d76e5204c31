import { ConfigError, loadConfig } from '../config/config';
import { loadDotEnvIfPresent } from '../config/dotenv';
import { loadOrCreateDevLtiKey } from '../config/lti-key';
import { DatabaseUnavailableError, startDatabase, StartedDatabase } from './db/database';
import { removeRuntimeFile, writeRuntimeFile } from './db/runtime-file';
import { createLogger } from './shared/logger';
import { projectRoot } from './shared/project-root';
import { startTool, Tool } from './server';

/** config → database → ltijs → workers → listen; SIGTERM/SIGINT stop them in reverse order. */
async function main(): Promise<void> {
  loadDotEnvIfPresent(projectRoot());
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee .env.example for every setting.\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const log = createLogger(config.logLevel);

  let ltiKey = config.ltiKey;
  if (!ltiKey) {
    const dev = loadOrCreateDevLtiKey(config.dataDir);
    ltiKey = dev.key;
    if (dev.created) log.info({ path: dev.path }, 'generated a development LTI key and saved it (set LTI_KEY in production)');
    else log.info({ path: dev.path }, 'using the development LTI key saved earlier');
  }

  let database: StartedDatabase;
  try {
    database = await startDatabase(
      { mongodbUri: config.mongodbUri, embedded: config.embeddedDb, dataDir: config.dataDir, projectRoot: projectRoot() },
      log,
    );
  } catch (err) {
    if (err instanceof DatabaseUnavailableError) {
      log.fatal(err.message);
      process.exit(69); // EX_UNAVAILABLE
    }
    throw err;
  }
  if (database.kind !== 'external') await writeRuntimeFile(config.dataDir, { uri: database.uri, kind: database.kind, pid: process.pid });

  let tool: Tool | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    try {
      await tool?.close();
      if (database.kind !== 'external') await removeRuntimeFile(config.dataDir);
      await database.stop();
    } catch (err) {
      log.error({ err }, 'error during shutdown');
    }
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  try {
    tool = await startTool({ config, ltiKey, mongoUri: database.uri, log });
  } catch (err) {
    log.fatal({ err }, 'startup failed');
    await database.stop().catch(() => undefined);
    process.exit(1);
  }
  log.info(`Open ${tool.url}/ for the LMS registration details.`);
}

void main();
