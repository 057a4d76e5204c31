import { Writable } from 'node:stream';
import express from 'express';
import supertest from 'supertest';
import { createLogger } from '../../../src/shared/logger';
import { requestIdMiddleware } from '../../../src/shared/request-id';

/** A logger whose JSON lines are kept, and an app that logs twice per request, once after an await. */
function setup() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const log = createLogger('info', sink);
  const app = express();
  app.use(requestIdMiddleware());
  app.get('/work', async (_req, res) => {
    log.info('first');
    await new Promise((r) => setTimeout(r, 5));
    log.info({ detail: 1 }, 'after an await');
    res.send('ok');
  });
  return { lines, log, app: supertest(app) };
}

describe('request ids in responses and log lines', () => {
  it('when a request has no id, then one is made, sent back as X-Request-Id and put on every log line of that request', async () => {
    const { lines, app } = setup();
    const res = await app.get('/work');
    const id = res.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.map((l) => [l.msg, l.reqId])).toEqual([['first', id], ['after an await', id]]);
  });

  it('when the proxy sends a well-formed X-Request-Id, then it is kept; a malformed one is replaced', async () => {
    const { lines, app } = setup();
    expect((await app.get('/work').set('X-Request-Id', 'nginx-0123456789abcdef')).headers['x-request-id']).toBe('nginx-0123456789abcdef');
    const bad = await app.get('/work').set('X-Request-Id', 'x"}, {"forged": true');
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.every((l) => l.forged === undefined)).toBe(true);
  });

  it('when requests overlap, then each line has its own request\'s id; lines outside a request have none', async () => {
    const { lines, log, app } = setup();
    const [a, b] = await Promise.all([app.get('/work'), app.get('/work')]);
    log.info('background job');
    const ids = [a.headers['x-request-id'], b.headers['x-request-id']];
    expect(new Set(ids).size).toBe(2);
    for (const id of ids) expect(lines.filter((l) => l.reqId === id).map((l) => l.msg)).toEqual(['first', 'after an await']);
    expect(lines.find((l) => l.msg === 'background job')).not.toHaveProperty('reqId');
  });
});
