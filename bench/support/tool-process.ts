/**
 * The tool in a process of its own, for benchmarks (started by tool-child.ts, driven over IPC).
 * Apart from the load generator, the server's CPU time is its own (process.cpuUsage() here) and
 * it does not share an event loop with the thousands of client sockets that measure it.
 *
 * Environment: BENCH_MONGO_URI, BENCH_DB_NAME. Requests: register, cpu, profile-start,
 * profile-stop, stop; every reply carries the request's id.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector';
import { loadConfig } from '../../config/config';
import { startTool, Tool } from '../../src/server';
import { createLogger } from '../../src/shared/logger';

export type ToolRequest =
  | { id: number; op: 'register'; registration: Parameters<Tool['platforms']['upsertPlatform']>[0] }
  | { id: number; op: 'cpu' }
  | { id: number; op: 'profile-start' }
  | { id: number; op: 'profile-stop'; file: string }
  | { id: number; op: 'stop' };

export type ToolMessage =
  | { type: 'ready'; url: string; pid: number }
  | { type: 'reply'; id: number; ok: true; result?: unknown }
  | { type: 'reply'; id: number; ok: false; error: string };

const send = (msg: ToolMessage) => process.send?.(msg);

/** node:inspector's callback API as a promise (its promise API is not in every node 20). */
function post(session: Session, method: string, params?: object): Promise<unknown> {
  return new Promise((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))));
}

async function main(): Promise<void> {
  // ts-node installs source-map-support, which makes every formatted stack trace (mongoose
  // formats one per query) far dearer than in production, where compiled JS runs without it.
  (Error as { prepareStackTrace?: unknown }).prepareStackTrace = undefined;
  const uri = process.env.BENCH_MONGO_URI;
  const dbName = process.env.BENCH_DB_NAME;
  if (!uri || !dbName) throw new Error('BENCH_MONGO_URI and BENCH_DB_NAME are required');
  const config = loadConfig({ NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', MONGODB_DB: dbName, LOG_LEVEL: 'silent', COOKIE_SECURE: 'false', COOKIE_SAMESITE: 'Lax' });
  const tool = await startTool({ config, ltiKey: randomBytes(32).toString('hex'), mongoUri: uri, log: createLogger('silent'), publicUrlFromPort: true });
  let profiler: Session | undefined;

  const handle = async (req: ToolRequest): Promise<unknown> => {
    switch (req.op) {
      case 'register':
        return tool.platforms.upsertPlatform(req.registration, 'cli');
      case 'cpu':
        return process.cpuUsage();
      case 'profile-start':
        profiler = new Session();
        profiler.connect();
        await post(profiler, 'Profiler.enable');
        await post(profiler, 'Profiler.setSamplingInterval', { interval: 200 });
        return post(profiler, 'Profiler.start');
      case 'profile-stop': {
        if (!profiler) throw new Error('profiler not started');
        const { profile } = (await post(profiler, 'Profiler.stop')) as { profile: unknown };
        profiler.disconnect();
        profiler = undefined;
        await writeFile(req.file, JSON.stringify(profile));
        return req.file;
      }
      case 'stop':
        await tool.close();
        return undefined;
    }
  };

  process.on('message', (req: ToolRequest) => {
    handle(req).then(
      (result) => {
        send({ type: 'reply', id: req.id, ok: true, result });
        if (req.op === 'stop') process.disconnect();
      },
      (err: unknown) => send({ type: 'reply', id: req.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
    );
  });
  // The parent died without saying stop: do not stay behind holding a port.
  process.on('disconnect', () => setTimeout(() => process.exit(0), 200).unref());
  send({ type: 'ready', url: tool.url, pid: process.pid });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
