/**
 * Decides which MongoDB server the app (and the test suite) talks to. Pure: the actual
 * starters are passed in, so the resolution order can be unit-tested without any server.
 *
 * Order (see /work/shared/DATABASE.md): MONGODB_URI → embedded mongod (mongodb-memory-server)
 * → offline stand-in (mongo-java-server) → one clear error listing the ways out.
 */

/** pino-compatible subset; passed in so this module never owns logging configuration. */
export interface DbLogger {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

export type DatabaseKind = 'external' | 'mongod' | 'standin';

export type EmbeddedChoice = 'auto' | 'mongod' | 'standin';

export interface StartedDatabase {
  kind: DatabaseKind;
  uri: string;
  /** Stops what we started; a no-op for an external server (we do not own it). */
  stop(): Promise<void>;
  /** Human-readable, credential-free; safe to log. */
  description: string;
}

export interface DatabaseStarters {
  memoryServer(): Promise<StartedDatabase>;
  standin(): Promise<StartedDatabase>;
}

export interface DatabaseAttempt {
  kind: 'mongod' | 'standin';
  /** Why this option was not used: the starter's error, or why it was skipped. */
  reason: string;
}

const WAYS_OUT = [
  '1. Set MONGODB_URI to a running MongoDB (e.g. mongodb://127.0.0.1:27017 or an Atlas URI).',
  '2. Let mongodb-memory-server find a mongod: point MONGOMS_SYSTEM_BINARY at an installed mongod, ' +
    'put one in its download cache (~/.cache/mongodb-binaries or node_modules/.cache/mongodb-memory-server), ' +
    'or run where https://fastdl.mongodb.org (or MONGOMS_DOWNLOAD_MIRROR) is reachable so it can download one.',
  '3. Install Java 17 and Maven so the offline stand-in (tools/mongo-java-server) can be built and started.',
];

export class DatabaseUnavailableError extends Error {
  readonly attempts: readonly DatabaseAttempt[];

  constructor(attempts: readonly DatabaseAttempt[]) {
    const tried = attempts.map((a) => `  - ${labelOf(a.kind)}: ${a.reason}`).join('\n');
    super(
      'No MongoDB server is available.\n' +
        `Tried:\n${tried}\n` +
        `Ways out:\n${WAYS_OUT.map((w) => `  ${w}`).join('\n')}`,
    );
    this.name = 'DatabaseUnavailableError';
    this.attempts = attempts;
  }
}

function labelOf(kind: DatabaseKind): string {
  switch (kind) {
    case 'external':
      return 'MONGODB_URI';
    case 'mongod':
      return 'embedded mongod (mongodb-memory-server)';
    case 'standin':
      return 'offline stand-in (mongo-java-server)';
  }
}

function reasonOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  // Keep the combined error readable: starter errors can carry long build/stderr tails.
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 600 ? `${oneLine.slice(0, 600)}…` : oneLine;
}

/** Hides the password in a connection string so descriptions and logs stay safe to print. */
export function redactMongoUri(uri: string): string {
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/)([^@/]*)@/i, (_m, scheme: string, cred: string) => {
    const user = cred.split(':')[0] ?? '';
    return `${scheme}${user ? `${user}:***` : '***'}@`;
  });
}

export async function selectDatabase(
  opts: { mongodbUri?: string; embedded: EmbeddedChoice },
  starters: DatabaseStarters,
  log: DbLogger,
): Promise<StartedDatabase> {
  const external = opts.mongodbUri?.trim();
  if (external) {
    const safe = redactMongoUri(external);
    log.info({ db: 'external', uri: safe }, 'MONGODB_URI is set: using it; no embedded server started');
    // We did not start it, so stopping is the caller's mongoose disconnect, nothing more.
    return { kind: 'external', uri: external, stop: async () => {}, description: `MongoDB at ${safe}` };
  }

  const attempts: DatabaseAttempt[] = [];
  const order: Array<{ kind: 'mongod' | 'standin'; start: () => Promise<StartedDatabase> }> = [
    { kind: 'mongod', start: () => starters.memoryServer() },
    { kind: 'standin', start: () => starters.standin() },
  ];

  for (const [index, { kind, start }] of order.entries()) {
    if (opts.embedded !== 'auto' && opts.embedded !== kind) {
      const reason = `skipped (embedded=${opts.embedded})`;
      attempts.push({ kind, reason });
      log.info({ db: kind }, `${labelOf(kind)} ${reason}`);
      continue;
    }
    try {
      const started = await start();
      log.info(
        { db: started.kind, uri: redactMongoUri(started.uri) },
        `Using ${labelOf(started.kind)}: ${started.description}`,
      );
      return started;
    } catch (err) {
      const reason = reasonOf(err);
      attempts.push({ kind, reason });
      const next = opts.embedded === 'auto' ? order[index + 1] : undefined;
      const fallback = next ? `; trying ${labelOf(next.kind)}` : '';
      log.info({ db: kind, reason }, `${labelOf(kind)} unavailable${fallback}`);
    }
  }
  throw new DatabaseUnavailableError(attempts);
}
