/**
 * Parent side of tool-process.ts: forks the tool (through ts-node, like the benchmarks) and
 * turns its IPC replies into promises.
 */
import { ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import type { ToolMessage, ToolRequest } from './tool-process';

type Op = ToolRequest extends infer R ? (R extends { op: infer O } ? O : never) : never;
type ArgsOf<O extends Op> = Omit<Extract<ToolRequest, { op: O }>, 'id' | 'op'>;

export interface ToolChild {
  url: string;
  pid: number;
  call<O extends Op>(op: O, args: ArgsOf<O>): Promise<unknown>;
  /** User + system CPU of the tool process so far, in ms. */
  cpuMs(): Promise<number>;
  stop(): Promise<void>;
}

export interface ToolChildOptions {
  mongoUri: string;
  dbName: string;
  /** Extra node flags for the child (e.g. --max-old-space-size). */
  execArgv?: string[];
}

export async function startToolChild(opts: ToolChildOptions): Promise<ToolChild> {
  const child: ChildProcess = fork(path.join(__dirname, 'tool-process.ts'), [], {
    execArgv: ['-r', 'ts-node/register/transpile-only', ...(opts.execArgv ?? [])],
    env: { ...process.env, BENCH_MONGO_URI: opts.mongoUri, BENCH_DB_NAME: opts.dbName, TS_NODE_TRANSPILE_ONLY: 'true' },
    // stdout ignored: the tool's own logs (silent, but other features' debug output) would garble the table.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 1;
  const ready = new Promise<{ url: string; pid: number }>((resolve, reject) => {
    child.on('message', (msg: ToolMessage) => {
      if (msg.type === 'ready') return resolve(msg);
      const waiter = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.ok) waiter?.resolve(msg.result);
      else waiter?.reject(new Error(`tool process: ${msg.error}`));
    });
    child.once('exit', (code) => {
      const err = new Error(`tool process exited (code ${String(code)})`);
      reject(err);
      for (const waiter of pending.values()) waiter.reject(err);
      pending.clear();
    });
  });
  const { url, pid } = await ready;
  const call = <O extends Op>(op: O, args: ArgsOf<O>): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ id, op, ...args });
    });
  return {
    url,
    pid,
    call,
    async cpuMs() {
      const usage = (await call('cpu', {})) as NodeJS.CpuUsage;
      return (usage.user + usage.system) / 1000;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      await call('stop', {}).catch(() => child.kill());
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
      if (child.exitCode === null) child.kill();
    },
  };
}
