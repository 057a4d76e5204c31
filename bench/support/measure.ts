/**
 * One measured run: N operations (a request, or a student's few requests), K in flight, and
 * the CPU time of the tool (its process.cpuUsage() over IPC), of the database (/proc/<pid>/stat
 * of the stand-in we started) and of this process (the load generator, and the mock LMS when it
 * signs launches) around it. Printed as one table row.
 */
import { percentile, procCpuMs, Reply, runPool } from './http-load';
import type { ToolChild } from './tool-child';

export interface Measured {
  n: number; wallMs: number; sorted: number[]; errors: Reply[];
  toolCpuMs: number; dbCpuMs?: number; generatorCpuMs: number;
  /** False when the tool and database were still busy (background work) after settle()'s wait. */
  settled: boolean;
}

export interface Meter { tool: ToolChild; dbPid: number | undefined }

/**
 * Waits (at most `maxMs`) until the tool and the database are idle: under 10 % of a core over
 * 250 ms. Background work left by the run before (the grade-sync worker delivering the grades
 * that check-ins enqueued, the stand-in's JIT and garbage collection) then does not land in the
 * next run's CPU figures.
 */
export async function settle(m: Meter, maxMs = 10_000): Promise<boolean> {
  const until = performance.now() + maxMs;
  while (performance.now() < until) {
    const [t0, d0] = [await m.tool.cpuMs(), (await procCpuMs(m.dbPid)) ?? 0];
    await new Promise((resolve) => setTimeout(resolve, 250));
    const [t1, d1] = [await m.tool.cpuMs(), (await procCpuMs(m.dbPid)) ?? 0];
    if (t1 - t0 + (d1 - d0) < 25) return true;
  }
  return false;
}

export async function measure<T>(m: Meter, items: readonly T[], inFlight: number, send: (item: T) => Promise<Reply>, ok: (r: Reply, item: T) => boolean): Promise<Measured> {
  const settled = await settle(m);
  const latencies: number[] = [];
  const errors: Reply[] = [];
  const [cpu0, db0, gen0] = [await m.tool.cpuMs(), await procCpuMs(m.dbPid), process.cpuUsage()];
  const start = performance.now();
  await runPool(items, inFlight, async (item) => {
    const reply = await send(item).catch((err: unknown) => ({ status: 0, body: String(err), ms: NaN }) as Reply);
    latencies.push(reply.ms);
    if (!ok(reply, item)) errors.push(reply);
  });
  const wallMs = performance.now() - start;
  const [cpu1, db1, gen] = [await m.tool.cpuMs(), await procCpuMs(m.dbPid), process.cpuUsage(gen0)];
  return {
    n: items.length, wallMs, sorted: latencies.sort((a, b) => a - b), errors,
    toolCpuMs: cpu1 - cpu0, dbCpuMs: db0 !== undefined && db1 !== undefined ? db1 - db0 : undefined, generatorCpuMs: (gen.user + gen.system) / 1000, settled,
  };
}

/** Two runs of the same requests as one: summed time, requests and CPU. */
export function combine(a: Measured, b: Measured): Measured {
  return {
    n: a.n + b.n, wallMs: a.wallMs + b.wallMs, sorted: [...a.sorted, ...b.sorted].sort((x, y) => x - y), errors: [...a.errors, ...b.errors],
    toolCpuMs: a.toolCpuMs + b.toolCpuMs, dbCpuMs: a.dbCpuMs !== undefined && b.dbCpuMs !== undefined ? a.dbCpuMs + b.dbCpuMs : undefined,
    generatorCpuMs: a.generatorCpuMs + b.generatorCpuMs, settled: a.settled && b.settled,
  };
}

/** The middle value (the mean of the two middle ones for an even count). */
export function medianOf(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length === 0 ? NaN : s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export const perSec = (m: Measured): number => m.n / (m.wallMs / 1000);
export const toolPer = (m: Measured): number => m.toolCpuMs / m.n;
export const dbPer = (m: Measured): number | undefined => (m.dbCpuMs === undefined ? undefined : m.dbCpuMs / m.n);
/** Tool + database CPU per operation; undefined when the database's CPU cannot be read (external MongoDB). */
export const serverPer = (m: Measured): number | undefined => (m.dbCpuMs === undefined ? undefined : (m.toolCpuMs + m.dbCpuMs) / m.n);
export const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

export const TABLE_HEAD = 'round | what                |  ops |    wall |  ops/s |     p50 |     p95 |     p99 | tool CPU |   db CPU | gen. CPU | errors';

export function row(round: string, label: string, m: Measured): string {
  const db = dbPer(m);
  const cells = [
    String(m.n).padStart(5), secs(m.wallMs).padStart(8), perSec(m).toFixed(0).padStart(6),
    ...[50, 95, 99].map((p) => `${percentile(m.sorted, p).toFixed(0)} ms`.padStart(8)),
    `${toolPer(m).toFixed(2)} ms`.padStart(9), db === undefined ? '      n/a' : `${db.toFixed(2)} ms`.padStart(9),
    `${(m.generatorCpuMs / m.n).toFixed(2)} ms`.padStart(9), String(m.errors.length).padStart(6),
  ];
  // '*': the run started while the tool or the database was still busy with earlier work.
  return `${round.padStart(5)} | ${label.padEnd(20)}|${cells.join(' |')}${m.settled ? '' : '  * not quiet at the start'}`;
}

/** The first few errors of a run, one line each. */
export function errorLines(errors: readonly Reply[], max = 3): string[] {
  return errors.slice(0, max).map((e) => `      | error: ${e.status} ${e.location ?? ''} ${e.body.replace(/\s+/g, ' ').slice(0, 240)}`);
}
