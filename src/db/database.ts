/**
 * Public entry for the database layer: picks and starts a server (selectDatabase with the real
 * starters) and connects OUR mongoose models to it. ltijs opens its own connection separately.
 */
import path from 'node:path';
import mongoose from 'mongoose';
import { startMemoryServer } from './memory-server';
import { selectDatabase } from './select-database';
import type { DbLogger, EmbeddedChoice, StartedDatabase } from './select-database';
import { startStandin } from './standin';

export { DatabaseUnavailableError, redactMongoUri } from './select-database';
export type { DatabaseKind, DbLogger, EmbeddedChoice, StartedDatabase } from './select-database';

export interface StartDatabaseOptions {
  mongodbUri?: string;
  embedded?: EmbeddedChoice;
  /** Persistent storage for npm start; absent = in-memory (tests). */
  dataDir?: string;
  /** Where tools/mongo-java-server lives. */
  projectRoot: string;
  /** Where the stand-in's own warnings go (default: $dataDir/standin/server.log when persistent). */
  standinLogFile?: string;
}

export async function startDatabase(opts: StartDatabaseOptions, log: DbLogger): Promise<StartedDatabase> {
  const { dataDir } = opts;
  return selectDatabase(
    { mongodbUri: opts.mongodbUri, embedded: opts.embedded ?? 'auto' },
    {
      memoryServer: () => startMemoryServer({ dbPath: dataDir ? path.join(dataDir, 'mongod') : undefined }, log),
      standin: () =>
        startStandin(
          {
            projectRoot: opts.projectRoot,
            persistFile: dataDir ? path.join(dataDir, 'standin', 'attendance') : undefined,
            logFile: opts.standinLogFile ?? (dataDir ? path.join(dataDir, 'standin', 'server.log') : undefined),
          },
          log,
        ),
    },
    log,
  );
}

/** Connects mongoose's default connection (used by our models) to `dbName` on the chosen server. */
export async function connectMongoose(uri: string, dbName: string): Promise<typeof mongoose> {
  // Mongoose otherwise formats a stack trace on every query, for a rare "already executed" error.
  mongoose.set('skipOriginalStackTraces', true);
  return mongoose.connect(uri, { dbName, serverSelectionTimeoutMS: 10_000, autoIndex: true });
}

export async function disconnectMongoose(): Promise<void> {
  await mongoose.disconnect();
}

/** True when the default connection answers an admin ping within timeoutMs (for /healthz). */
export async function pingDatabase(timeoutMs = 2000): Promise<boolean> {
  const db = mongoose.connection.db;
  if (mongoose.connection.readyState !== mongoose.ConnectionStates.connected || !db) return false;
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const ping = db
      .admin()
      .ping()
      .then((res) => res?.['ok'] === 1)
      .catch(() => false);
    return await Promise.race([ping, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
