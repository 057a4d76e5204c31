import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';

/**
 * A request id for every request, so that every log line written while serving it can be found
 * together (the logger's mixin adds `reqId`, src/shared/logger.ts), also across instances behind
 * a proxy. A well-formed `X-Request-Id` from the proxy is kept (nginx: `proxy_set_header
 * X-Request-Id $request_id;`), so the proxy's access log and ours share it; otherwise one is
 * made. It is sent back as `X-Request-Id`, and it is what a student can quote from an error page.
 */
const store = new AsyncLocalStorage<{ requestId: string }>();
const WELL_FORMED = /^[A-Za-z0-9._:-]{8,64}$/;

export function requestIdMiddleware(): RequestHandler {
  return (req, res, next) => {
    const given = req.get('x-request-id');
    const requestId = given && WELL_FORMED.test(given) ? given : randomUUID();
    res.set('X-Request-Id', requestId);
    store.run({ requestId }, next);
  };
}

/** The id of the request being served, if any (background jobs have none). */
export function currentRequestId(): string | undefined {
  return store.getStore()?.requestId;
}
