/**
 * A lean load generator: node:http with keep-alive sockets (cheaper per request than fetch or
 * supertest, so the generator takes less of the machine the server runs on), a pool that keeps
 * N requests in flight, and latency percentiles.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface Reply {
  status: number;
  location?: string;
  /** First 400 characters (or `bodyLimit`), for checks and error reports. */
  body: string;
  /** The Set-Cookie lines, for clients that keep cookies by hand (lean-launch.ts, qr-path.ts). */
  setCookie?: string[];
  ms: number;
}

export interface HttpClient {
  /** `bodyLimit`: keep this many characters of the body (default 400), e.g. to read a form's fields. */
  request(method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: string, bodyLimit?: number): Promise<Reply>;
  /** Requests sent again because the server had closed the kept-alive socket they were sent on. */
  readonly retries: number;
  close(): void;
}

export function httpClient(baseUrl: string, sockets: number): HttpClient {
  const base = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  let retries = 0;
  const send = (method: string, path: string, headers: Record<string, string>, body: string | undefined, bodyLimit: number, start: number, retried: boolean): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const req = http.request(
        { host: base.hostname, port: base.port, method, path, agent, headers: body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            if (text.length < bodyLimit) text += chunk;
          });
          res.on('end', () => resolve({
            status: res.statusCode ?? 0, location: res.headers.location, body: text.slice(0, bodyLimit), setCookie: res.headers['set-cookie'], ms: performance.now() - start,
          }));
          res.on('error', reject);
        },
      );
      // A kept-alive socket the server closed just as we reused it: nothing reached the server,
      // so send once more on a fresh socket, as browsers do (and as node's http docs advise).
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (!retried && req.reusedSocket && err.code === 'ECONNRESET') {
          retries++;
          resolve(send(method, path, headers, body, bodyLimit, start, true));
        } else reject(err);
      });
      req.end(body);
    });
  return {
    request: (method, path, headers, body, bodyLimit = 400) => send(method, path, headers, body, bodyLimit, performance.now(), false),
    get retries() {
      return retries;
    },
    close: () => agent.destroy(),
  };
}

/** Runs fn over every item with at most `concurrency` running at once. */
export async function runPool<T>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? NaN;
}

export const median = (xs: readonly number[]): number => percentile([...xs].sort((a, b) => a - b), 50);

/** User + system CPU ticks of another process from /proc/<pid>/stat, in ms (Linux only; undefined elsewhere). */
export async function procCpuMs(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  const { readFile } = await import('node:fs/promises');
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (!stat) return undefined;
  // The command name (field 2) may hold spaces; fields after its closing parenthesis are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
  return Number.isFinite(ticks) ? ticks * (1000 / CLOCK_TICKS) : undefined;
}

/** sysconf(_SC_CLK_TCK): 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;
