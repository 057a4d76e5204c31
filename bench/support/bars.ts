/**
 * The verdict: every bar of issue #17 with the run's value, and the measured comparison with
 * Moodle's mod_attendance (reference figures from docs/performance.md, not measured by this run).
 */
export interface Bar {
  name: string;
  value: string;
  bar: string;
  /** undefined: not judged (a figure that could not be measured, e.g. the CPU of an external database). */
  ok: boolean | undefined;
}

export const verdict = (ok: boolean | undefined): string => (ok === undefined ? 'n/a' : ok ? 'meets' : 'MISSES');

export function printBars(bars: readonly Bar[]): void {
  const w = [Math.max(...bars.map((b) => b.name.length)), Math.max(...bars.map((b) => b.value.length)), Math.max(...bars.map((b) => b.bar.length))];
  console.log(`\n${'Bar'.padEnd(w[0] ?? 0)} | ${'measured'.padEnd(w[1] ?? 0)} | ${'bar'.padEnd(w[2] ?? 0)} | verdict`);
  console.log(`${'-'.repeat(w[0] ?? 0)}-+-${'-'.repeat(w[1] ?? 0)}-+-${'-'.repeat(w[2] ?? 0)}-+--------`);
  for (const b of bars) console.log(`${b.name.padEnd(w[0] ?? 0)} | ${b.value.padEnd(w[1] ?? 0)} | ${b.bar.padEnd(w[2] ?? 0)} | ${verdict(b.ok)}`);
}

/** mod_attendance on Moodle 4.5 (nginx, php-fpm, PostgreSQL 15, debug off), 300 logged-in students. */
export const MOODLE = {
  postPerSec: [28, 33], postCpuMs: [58, 67], phpMs: [28, 32], pgMs: [31, 35],
  fullPerSec: [10.3, 11.1], fullCpuMs: [171, 181],
} as const;

export interface OwnFigures {
  postPerSec: number; postInFlight: number; students: number;
  /** Median of the rounds' tool + database CPU per check-in; the parts are the medians of each. */
  postServerMs: number | undefined; postToolMs: number; postDbMs: number | undefined;
  fullPerSec: number; fullServerMs: number | undefined; fullToolMs: number;
}

const range = (r: readonly [number, number], unit: string) => `${r[0]}–${r[1]}${unit}`;
const fmt = (x: number) => (x >= 10 ? x.toFixed(0) : x.toFixed(1));

export function printReference(o: OwnFigures): void {
  const postServer = o.postServerMs;
  const lines: Array<[string, string, string, string]> = [
    [
      'check-ins/s (POST only)', `${range(MOODLE.postPerSec, '/s')} (c=50, 300 students)`, `${o.postPerSec.toFixed(0)}/s (c=${o.postInFlight}, ${o.students} students)`,
      `${fmt(o.postPerSec / MOODLE.postPerSec[1])}–${fmt(o.postPerSec / MOODLE.postPerSec[0])}x more`,
    ],
    [
      'server CPU per check-in (POST only)', `${range(MOODLE.postCpuMs, ' ms')} (php-fpm ${range(MOODLE.phpMs, '')} + PostgreSQL ${range(MOODLE.pgMs, '')})`,
      postServer === undefined ? `tool ${o.postToolMs.toFixed(2)} ms + database n/a` : `${postServer.toFixed(2)} ms (tool ~${o.postToolMs.toFixed(2)} + database ~${(o.postDbMs ?? 0).toFixed(2)})`,
      postServer === undefined ? 'n/a' : `${fmt(MOODLE.postCpuMs[0] / postServer)}–${fmt(MOODLE.postCpuMs[1] / postServer)}x less`,
    ],
    [
      'full flow (GET the form + POST)', `${range(MOODLE.fullPerSec, '/s')} (c=10), ${range(MOODLE.fullCpuMs, ' ms')} CPU`,
      `${o.fullPerSec.toFixed(0)}/s (c=${o.postInFlight}), ${o.fullServerMs === undefined ? `tool ${o.fullToolMs.toFixed(2)} ms + database n/a` : `${o.fullServerMs.toFixed(2)} ms`} CPU`,
      o.fullServerMs === undefined ? 'n/a' : `${fmt(MOODLE.fullCpuMs[0] / o.fullServerMs)}–${fmt(MOODLE.fullCpuMs[1] / o.fullServerMs)}x less CPU`,
    ],
  ];
  const w = [0, 1, 2].map((i) => Math.max(...lines.map((l) => l[i]?.length ?? 0)));
  console.log('\nReference: Moodle mod_attendance (Moodle 4.5, nginx, php-fpm, PostgreSQL 15, debug off), measured 2026-12 on this machine, see docs/performance.md;');
  console.log('this tool: this run (medians of the rounds). Moodle was measured with 300 students and fewer requests in flight, as shown.');
  console.log(`${''.padEnd(w[0] ?? 0)} | ${'mod_attendance (reference)'.padEnd(w[1] ?? 0)} | ${'this run'.padEnd(w[2] ?? 0)} | ratio`);
  for (const l of lines) console.log(`${l[0].padEnd(w[0] ?? 0)} | ${l[1].padEnd(w[1] ?? 0)} | ${l[2].padEnd(w[2] ?? 0)} | ${l[3]}`);
}
