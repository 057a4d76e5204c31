/**
 * Issue #14 item 2: Moodle fetches the tool URL (a plain GET of the launch URL, no id_token)
 * whenever an activity or the tool settings are saved. Each such probe used to add an info line
 * "launch refused by ltijs validation", which reads like a failed launch. Probes are logged at
 * debug; a request with a bad ltik (a real person's failure) stays at info.
 */
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import pino from 'pino';
import supertest from 'supertest';
import { loadConfig } from '../../../config/config';
import { startTool, Tool } from '../../../src/server';
import { testDbName, testMongoUri } from '../../support/test-db';

interface LogLine { level: number; msg: string; message?: string; method?: string; path?: string }
const lines: LogLine[] = [];
const DEBUG = 20;
const INFO = 30;

let tool: Tool;
let dbName: string;
beforeAll(async () => {
  dbName = testDbName('probe');
  const config = loadConfig({
    NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', MONGODB_DB: dbName, LOG_LEVEL: 'debug', COOKIE_SECURE: 'false', COOKIE_SAMESITE: 'Lax',
  });
  // The tool's real logger, writing into `lines` instead of stdout.
  const log = pino({ level: 'debug' }, { write: (text: string) => void lines.push(JSON.parse(text) as LogLine) });
  tool = await startTool({ config, ltiKey: randomBytes(32).toString('hex'), mongoUri: testMongoUri(), log, publicUrlFromPort: true, gradeSyncIntervalMs: 0, autoMarkIntervalMs: 0, drainGraceMs: 0 });
});
afterAll(async () => {
  await mongoose.connection.useDb(`${dbName}_ltijs`).dropDatabase().catch(() => undefined);
  await mongoose.connection.dropDatabase().catch(() => undefined);
  await tool?.close();
});

/** The ltijs refusal lines a request produced. */
async function refusalLines(send: () => supertest.Test): Promise<LogLine[]> {
  lines.length = 0;
  const res = await send();
  expect(res.status).toBeGreaterThanOrEqual(400);
  return lines.filter((l) => l.msg === 'launch refused by ltijs validation');
}

describe('logging of requests that ltijs refuses', () => {
  it('when Moodle probes the launch URL with a plain GET, then the refusal is logged at debug, not info', async () => {
    const logged = await refusalLines(() => supertest(tool.url).get('/launch'));
    expect(logged.map((l) => ({ level: l.level, message: l.message, method: l.method }))).toEqual([
      { level: DEBUG, message: 'NO_LTIK_OR_IDTOKEN_FOUND', method: 'GET' },
    ]);
  });

  it('when a POST reaches the launch URL without an id_token, then the refusal is logged at debug', async () => {
    const logged = await refusalLines(() => supertest(tool.url).post('/launch').type('form').send({ something: 'else' }));
    expect(logged.map((l) => l.level)).toEqual([DEBUG]);
  });

  it('when a request carries an invalid ltik, then the refusal is still logged at info', async () => {
    const logged = await refusalLines(() => supertest(tool.url).get('/activity/x/teacher?ltik=not-a-token'));
    expect(logged.map((l) => l.level)).toEqual([INFO]);
  });
});
