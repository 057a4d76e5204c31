/**
 * Issue #12 item 7: the same security headers on every route. ltijs runs its own helmet on the
 * routes behind it and used to answer those with another HSTS (180 days instead of a year) and
 * Referrer-Policy than our public routes. The tool runs here with an https public URL (as in
 * production) and is reached over plain http on 127.0.0.1.
 */
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import supertest from 'supertest';
import { loadConfig } from '../../../config/config';
import { startTool, Tool } from '../../../src/server';
import { createLogger } from '../../../src/shared/logger';
import { testDbName, testMongoUri } from '../../support/test-db';

let tool: Tool;
let dbName: string;
beforeAll(async () => {
  dbName = testDbName('hdr');
  const config = loadConfig({
    NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', PUBLIC_URL: 'https://attendance.example.edu', MONGODB_DB: dbName, LOG_LEVEL: 'silent',
  });
  tool = await startTool({ config, ltiKey: randomBytes(32).toString('hex'), mongoUri: testMongoUri(), log: createLogger('silent'), gradeSyncIntervalMs: 0, autoMarkIntervalMs: 0 });
});
afterAll(async () => {
  await mongoose.connection.useDb(`${dbName}_ltijs`).dropDatabase().catch(() => undefined);
  await mongoose.connection.dropDatabase().catch(() => undefined);
  await tool?.close();
});

const HEADERS = ['strict-transport-security', 'referrer-policy', 'cross-origin-opener-policy', 'cross-origin-resource-policy', 'cross-origin-embedder-policy', 'x-content-type-options'];

describe('security headers', () => {
  it('when public routes and routes behind ltijs answer, then they send the same HSTS and related headers', async () => {
    const agent = supertest(`http://127.0.0.1:${(tool.server.address() as { port: number }).port}`);
    const answers = await Promise.all([
      agent.get('/'), // landing page, public
      agent.get('/healthz'),
      agent.get('/activity/x/teacher?ltik=not-a-token'), // behind ltijs: its refusal
      agent.get('/keys'), // ltijs's own route
    ]);
    const pick = (res: supertest.Response) => Object.fromEntries(HEADERS.map((h) => [h, res.headers[h]]));
    const first = pick(answers[0] as supertest.Response);
    expect(first['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(first['referrer-policy']).toBe('same-origin');
    expect(first['cross-origin-embedder-policy']).toBeUndefined(); // would break embedding in the LMS
    for (const res of answers) expect(pick(res)).toEqual(first);
  });
});
