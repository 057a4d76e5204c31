/** Shared by the dynamic-registration test files: a request-counting bystander server and page checks. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import supertest from 'supertest';
import { unescapeHtml } from '../../support/mock-lms-util';

export const SECRET_BODY = '<h1>Forbidden</h1> internal admin console, build 7.3';

/**
 * A server in the tool's own network that must never be contacted: it counts every request and
 * answers like an internal admin console would (the text must never reach a page).
 */
export interface Bystander {
  port: number;
  /** Paths requested so far. */
  hits: string[];
  url(path?: string): string;
  close(): Promise<void>;
}

export async function startBystander(host = '127.0.0.1', handler?: http.RequestListener): Promise<Bystander> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    if (handler) return handler(req, res);
    res.writeHead(403, { 'Content-Type': 'text/html' });
    res.end(SECRET_BODY);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    port,
    hits,
    url: (path = '/.well-known/openid-configuration') => `http://${shown}:${port}${path}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Status and <h1> of a registration page, and no inline script (CSP script-src 'self'). */
export function expectPage(res: supertest.Response, status: number, title: string): void {
  expect({ status: res.status, title: unescapeHtml(/<h1[^>]*>([^<]*)<\/h1>/.exec(res.text)?.[1] ?? '') }).toEqual({ status, title });
  expect(res.text).not.toMatch(/<script>/);
}

/** Nothing the network said reaches the page: no remote body, no error code, no port. */
export function expectNothingEchoed(res: supertest.Response, port?: number): void {
  expect(res.text).not.toContain('internal admin console');
  expect(res.text).not.toContain('Forbidden');
  expect(res.text).not.toMatch(/ECONNREFUSED|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|HTTP \d{3}/);
  if (port !== undefined) expect(res.text).not.toContain(String(port));
}
