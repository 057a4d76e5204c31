/**
 * Public entry for the database layer: picks and starts a server (selectDatabase with the real
 * starters) and connects OUR mongoose models to it. ltijs opens its own connection separately.
 */
import path from 'node:path';
import mongoose from 'mongoose';
import { startMemoryServer } from './memory-server';
import { selectDatabase } from './select-database';
import type { DbLogger, EmbeddedChoice, StartedDatabase } from './select-database';
import type { RestartPolicy } from './restart-policy';
import { startStandin } from './standin';
import { superviseDatabase } from './supervisor';
import type { SupervisedDatabase, WatchedDatabase } from './supervisor';

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
  /**
   * Restart the embedded server (stand-in or mongod) on its data and port when its process dies
   * (npm start and the demo); `onGiveUp` runs when it keeps dying. Off for the test suite's shared server.
   */
  supervise?: { onGiveUp?: () => void; policy?: RestartPolicy };
}

export async function startDatabase(opts: StartDatabaseOptions, log: DbLogger): Promise<StartedDatabase> {
  /**
   * With `supervise`, a server whose process dies is started again on its data and on the same
   * port: every client's connection string stays right, and the drivers reconnect. The same
   * supervisor serves both embedded kinds (the stand-in's is the one the tests can run here).
   */
  const supervised = <T extends WatchedDatabase>(first: T, start: (port: number) => Promise<T>): T | SupervisedDatabase<T> => {
    if (!opts.supervise) return first;
    const port = Number(new URL(first.uri).port);
    return superviseDatabase(first, () => start(port), { log, ...opts.supervise });
  };
  const { dataDir } = opts;
  return selectDatabase(
    { mongodbUri: opts.mongodbUri, embedded: opts.embedded ?? 'auto' },
    {
      memoryServer: async () => {
        const start = (port?: number) => startMemoryServer({ dbPath: dataDir ? path.join(dataDir, 'mongod') : undefined, port }, log);
        return supervised(await start(), start);
      },
      standin: async () => {
        const start = (port?: number) =>
          startStandin(
            {
              projectRoot: opts.projectRoot,
              persistFile: dataDir ? path.join(dataDir, 'standin', 'attendance') : undefined,
              logFile: opts.standinLogFile ?? (dataDir ? path.join(dataDir, 'standin', 'server.log') : undefined),
              port,
            },
            log,
          );
        return supervised(await start(), start);
      },
    },
    log,
  );
}

/**
 * How long a request waits for an unreachable database before it fails (then the person sees
 * the "briefly unavailable, nothing was saved" page). The drivers' defaults (30 s selection, 10 s
 * of mongoose buffering) kept every page hanging for 10 s during an outage.
 */
export const DATABASE_WAIT_MS = 2000;

/**
 * When the server acknowledges a write. With a replica set, `majority` + journal means the write
 * is on disk on most members and survives a crash or a failover; `1` would acknowledge what one
 * member holds in memory. (The stand-in commits every write to disk itself before answering.)
 */
export interface WriteConcernSetting {
  w: 'majority' | number;
  journal: boolean;
}

export const DEFAULT_WRITE_CONCERN: WriteConcernSetting = { w: 'majority', journal: true };

/** Connects mongoose's default connection (used by our models) to `dbName` on the chosen server. */
export async function connectMongoose(uri: string, dbName: string, writeConcern: WriteConcernSetting = DEFAULT_WRITE_CONCERN): Promise<typeof mongoose> {
  // Mongoose otherwise formats a stack trace on every query, for a rare "already executed" error.
  mongoose.set('skipOriginalStackTraces', true);
  mongoose.set('bufferTimeoutMS', DATABASE_WAIT_MS);
  return mongoose.connect(uri, { dbName, serverSelectionTimeoutMS: DATABASE_WAIT_MS, autoIndex: true, writeConcern });
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
