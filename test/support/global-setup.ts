/**
 * jest globalSetup: starts ONE database server for the whole run. Workers inherit
 * TEST_MONGODB_URI / TEST_DB_KIND through the environment; teardown finds the server on globalThis.
 */
import path from 'node:path';
import { startDatabase } from '../../src/db/database';
import type { DbLogger, EmbeddedChoice, StartedDatabase } from '../../src/db/database';

function embeddedChoice(value: string | undefined): EmbeddedChoice {
  if (!value || value === 'auto') return 'auto';
  if (value === 'mongod' || value === 'standin') return value;
  throw new Error(`TEST_DB must be auto, mongod or standin (got "${value}")`);
}

function message(obj: object | string, msg?: string): string {
  if (typeof obj === 'string') return obj;
  const reason = (obj as { reason?: unknown }).reason;
  return typeof reason === 'string' ? `${msg ?? ''} (${reason})` : (msg ?? JSON.stringify(obj));
}

export default async function globalSetup(): Promise<void> {
  // Decisions are collected and printed as ONE line, so the CI log shows which server was used.
  const decisions: string[] = [];
  const log: DbLogger = {
    // Only selectDatabase's decisions (tagged with `db`) about servers NOT chosen; the chosen one is
    // printed from its description below.
    info: (obj, msg) => {
      if (typeof obj === 'object' && 'db' in obj && !msg?.startsWith('Using ')) decisions.push(message(obj, msg));
    },
    warn: (obj, msg) => process.stderr.write(`[test db] warning: ${message(obj, msg)}\n`),
    error: (obj, msg) => process.stderr.write(`[test db] error: ${message(obj, msg)}\n`),
  };
  const db: StartedDatabase = await startDatabase(
    {
      mongodbUri: process.env['MONGODB_URI'],
      embedded: embeddedChoice(process.env['TEST_DB']),
      projectRoot: path.resolve(__dirname, '..', '..'),
      // Server-side errors of the stand-in, kept for CI to show when something fails.
      standinLogFile: path.resolve(__dirname, '..', '..', 'test-artifacts', 'standin.log'),
    },
    log,
  );
  const why = decisions.length > 0 ? ` | ${decisions.join(' | ')}` : '';
  process.stderr.write(`\n[test db] ${db.kind}: ${db.description}${why}\n`);
  process.env['TEST_MONGODB_URI'] = db.uri;
  process.env['TEST_DB_KIND'] = db.kind;
  (globalThis as { __ATTENDANCE_DB__?: StartedDatabase }).__ATTENDANCE_DB__ = db;
}
