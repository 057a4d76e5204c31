/**
 * Issue #12 item 7: a database error never reaches a page or a JSON body. The tool runs on a
 * database server of its own, which is then stopped: pages that need it must answer with the
 * translated "temporarily unavailable" page, never with the driver's text (which named the
 * database's internal address: "Reference: connect ECONNREFUSED 127.0.0.1:33311").
 */
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../../config/config';
import { startStandin } from '../../../src/db/standin';
import type { StartedDatabase } from '../../../src/db/select-database';
import { startTool, Tool } from '../../../src/server';
import { withLtik } from '../../../src/shared/links';
import { createLogger } from '../../../src/shared/logger';
import { MockLms } from '../../support/mock-lms';

jest.setTimeout(60_000);

let db: StartedDatabase;
let tool: Tool;
let lms: MockLms;
const projectRoot = path.resolve(__dirname, '..', '..', '..');
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

beforeAll(async () => {
  db = await startStandin({ projectRoot }, quiet);
  const config = loadConfig({ NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', MONGODB_DB: 'down', LOG_LEVEL: 'silent', COOKIE_SECURE: 'false', COOKIE_SAMESITE: 'Lax' });
  tool = await startTool({ config, ltiKey: randomBytes(32).toString('hex'), mongoUri: db.uri, log: createLogger('silent'), publicUrlFromPort: true, gradeSyncIntervalMs: 0, autoMarkIntervalMs: 0 });
  lms = await MockLms.start({ toolUrl: tool.url });
  await tool.platforms.upsertPlatform(lms.registration(), 'cli');
});
afterAll(async () => {
  await lms?.stop();
  await tool?.close();
  await db?.stop();
});

describe('when the database stops answering', () => {
  it('then pages and JSON answers say the tool is temporarily unavailable (503), without any internal detail', async () => {
    const r = await lms.launch({ role: 'Instructor', user: { id: 'teacher-down' } });
    expect(r.status).toBe(200);
    const home = new URL(String(r.location), tool.url).pathname;
    const dbPort = new URL(db.uri).port;
    await db.stop();

    const page = await r.agent.get(withLtik(home, r.ltik ?? ''));
    const json = await r.agent.get(withLtik(home, r.ltik ?? '')).set('Accept', 'application/json');
    for (const res of [page, json]) {
      expect(res.status).toBe(503);
      expect(res.text).not.toMatch(/ECONN|Mongo|127\.0\.0\.1|buffering|timed out/i);
      expect(res.text).not.toContain(dbPort);
    }
    expect(page.text).toContain('The tool is temporarily unavailable');
    expect(page.headers['retry-after']).toBe('30');
    expect(json.body.error.code).toBe('unavailable');

    // The database comes back where it was (an in-memory one, so empty): the tool answers again
    // without a restart, and can be closed normally.
    db = await startStandin({ projectRoot, port: Number(dbPort) }, quiet);
    const health = async () => (await r.agent.get('/healthz')).status;
    for (let i = 0; i < 60 && (await health()) !== 200; i++) await new Promise((res) => setTimeout(res, 500));
    expect(await health()).toBe(200);
    // ltijs's own connection is back too: the launch's records went with the in-memory data, so
    // the page now says the session ended (not "unavailable").
    let again = await r.agent.get(withLtik(home, r.ltik ?? ''));
    for (let i = 0; i < 30 && again.status === 503; i++) {
      await new Promise((res) => setTimeout(res, 500));
      again = await r.agent.get(withLtik(home, r.ltik ?? ''));
    }
    expect(again.status).toBe(401);
  });
});
