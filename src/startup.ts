import { Config, ConfigError, loadConfig } from '../config/config';
import { loadDotEnvIfPresent } from '../config/dotenv';
import { loadOrCreateDevLtiKey } from '../config/lti-key';
import { prepareDataDir } from './db/data-dir';
import { DatabaseUnavailableError, startDatabase, StartedDatabase } from './db/database';
import { removeRuntimeFile, writeRuntimeFile } from './db/runtime-file';
import { createLogger, Logger } from './shared/logger';
import { projectRoot } from './shared/project-root';

/**
 * The start-up steps shared by `npm start` (main.ts) and `npm run demo` (demo/demo.ts):
 * config (exit 78 when invalid), the LTI key, the database (exit 69 when unavailable), shutdown.
 */
export function loadConfigOrExit(env: NodeJS.ProcessEnv, overrides: Record<string, string> = {}): Config {
  loadDotEnvIfPresent(projectRoot());
  try {
    return loadConfig({ ...env, ...overrides });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee .env.example for every setting.\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}

export function startLogger(config: Config): Logger {
  return createLogger(config.logLevel);
}

/**
 * The first start-up step that writes: the data directory becomes private (0700, files 0600)
 * before anything is put into it (the development key, the embedded database).
 */
export function secureDataDir(config: Config, log: Logger): void {
  const { tightened } = prepareDataDir(config.dataDir);
  if (tightened > 0) log.warn({ dataDir: config.dataDir, tightened }, 'the data directory was readable by other users; made it private (0700/0600)');
}

export function resolveLtiKey(config: Config, log: Logger): string {
  if (config.ltiKey) return config.ltiKey;
  const dev = loadOrCreateDevLtiKey(config.dataDir);
  if (dev.created) log.info({ path: dev.path }, 'generated a development LTI key and saved it (set LTI_KEY in production)');
  else log.info({ path: dev.path }, 'using the development LTI key saved earlier');
  return dev.key;
}

export async function startDatabaseOrExit(config: Config, log: Logger): Promise<StartedDatabase> {
  let database: StartedDatabase;
  try {
    database = await startDatabase(
      {
        mongodbUri: config.mongodbUri, embedded: config.embeddedDb, dataDir: config.dataDir, projectRoot: projectRoot(),
        // A dead embedded database is restarted on its data; one that keeps dying stops the tool
        // (exit 70) so that a process manager, or a person, sees it instead of endless 503s.
        supervise: {
          onGiveUp: () => {
            log.fatal('the embedded database keeps stopping; the tool stops too');
            process.exit(70); // EX_SOFTWARE
          },
        },
      },
      log,
    );
  } catch (err) {
    if (err instanceof DatabaseUnavailableError) {
      log.fatal(err.message);
      process.exit(69); // EX_UNAVAILABLE
    }
    throw err;
  }
  if (database.kind !== 'external' && config.env === 'production') {
    // Allowed only with EMBEDDED_DB_IN_PRODUCTION=true (config.ts); said at every start.
    log.warn({ database: database.description }, 'running in production on the embedded database (EMBEDDED_DB_IN_PRODUCTION=true): for an evaluation only; use MongoDB (MONGODB_URI) for real courses');
  }
  if (database.kind !== 'external') await writeRuntimeFile(config.dataDir, { uri: database.uri, kind: database.kind, pid: process.pid });
  return database;
}

/** SIGTERM/SIGINT: `stopApp()` (HTTP, jobs, ltijs…), then the database; exit 1 if it hangs. */
export function onShutdownSignals(config: Config, log: Logger, database: StartedDatabase, stopApp: () => Promise<void>): void {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    try {
      await stopApp();
      if (database.kind !== 'external') await removeRuntimeFile(config.dataDir);
      await database.stop();
    } catch (err) {
      log.error({ err }, 'error during shutdown');
    }
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
