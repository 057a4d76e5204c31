/**
 * Issue #17's bars judged on the results of one bench:check-in run (medians of the rounds, the
 * slowest round for the burst), printed with the Moodle reference. Returns true when the run
 * failed: a bar missed, or an error or wrong record anywhere.
 */
import { Bar, printBars, printReference } from './bars';
import { dbPer, Measured, medianOf as median, perSec, secs, serverPer, toolPer } from './measure';
import type { PasswordRounds, RoundResult } from './password-rounds';
import type { Verification } from './bench-course';

export interface Results {
  launches: Measured;
  launchedCount: number;
  small: PasswordRounds;
  large: PasswordRounds;
  seeded?: Measured;
  full: RoundResult[];
  pairing: { measured: Measured; check: Verification };
  qr: Array<{ measured: Measured; check: Verification }>;
}

export interface RunShape { students: number; stored: number; inFlight: number; launchInFlight: number; rounds: number }

const med = (rs: readonly { measured: Measured }[], f: (m: Measured) => number) => median(rs.map((r) => f(r.measured)));
/** Median of a per-operation figure that may be unmeasurable (database CPU of an external MongoDB). */
const medOpt = (rs: readonly { measured: Measured }[], f: (m: Measured) => number | undefined): number | undefined => {
  const xs = rs.map((r) => f(r.measured));
  return xs.every((x): x is number => x !== undefined) ? median(xs) : undefined;
};
const ms = (x: number | undefined) => (x === undefined ? 'n/a' : `${x.toFixed(2)} ms`);
const pct = (x: number) => `${(100 * x).toFixed(0)} %`;

/** Errors and wrong records of every phase, as "phase: what" lines (empty: all correct). */
function correctness(r: Results, shape: RunShape): string[] {
  const problems: string[] = [];
  const errors = (what: string, ms: readonly Measured[]) => {
    const n = ms.reduce((sum, m) => sum + m.errors.length, 0);
    if (n > 0) problems.push(`${what}: ${n} errors`);
  };
  const wrong = (what: string, checks: ReadonlyArray<Verification | undefined>) => {
    const bad = checks.filter((c) => c && !c.ok).length;
    if (bad > 0) problems.push(`${what}: wrong records in ${bad} round(s)`);
  };
  errors('launches', [r.launches]);
  if (r.launchedCount !== shape.students) problems.push(`launches: ${shape.students - r.launchedCount} students not launched`);
  for (const [what, rounds] of [[`@${shape.students}`, r.small], [`@${shape.stored}`, r.large]] as const) {
    errors(`ping ${what}`, rounds.pings.map((x) => x.measured));
    errors(`POST ${what}`, rounds.posts.map((x) => x.measured));
    wrong(`POST ${what}`, rounds.posts.map((x) => x.check));
  }
  if (r.seeded) errors('seed launches', [r.seeded]);
  errors('full flow', r.full.map((x) => x.measured));
  wrong('full flow', r.full.map((x) => x.check));
  errors('QR pairing', [r.pairing.measured]);
  wrong('QR pairing', [r.pairing.check]);
  errors('QR scans', r.qr.map((x) => x.measured));
  wrong('QR scans', r.qr.map((x) => x.check));
  return problems;
}

export function judge(r: Results, shape: RunShape): boolean {
  const s = shape.students;
  const launchRate = perSec(r.launches);
  const launchTool = toolPer(r.launches);
  const worstWall = Math.max(...r.small.posts.map((x) => x.measured.wallMs));
  const wallBarMs = 6000 * (s / 1500);
  const postServer = medOpt(r.small.posts, serverPer);
  const fullServer = medOpt(r.full, serverPer);
  const pingSmall = med(r.small.pings, perSec);
  const pingLarge = med(r.large.pings, perSec);
  const postSmall = med(r.small.posts, perSec);
  const postLarge = med(r.large.posts, perSec);
  const problems = correctness(r, shape);

  console.log(`\nMedians of ${shape.rounds} round(s):`);
  console.log(`  launches:        ${launchRate.toFixed(0)}/s (${shape.launchInFlight} in flight), tool ${ms(launchTool)}, database ${ms(dbPer(r.launches))}, generator + mock LMS ${ms(r.launches.generatorCpuMs / r.launches.n)} CPU per launch`);
  if (r.seeded) console.log(`  seeding:         ${r.seeded.n} more launches in ${secs(r.seeded.wallMs)} (${perSec(r.seeded).toFixed(0)}/s), tool ${ms(toolPer(r.seeded))} per launch`);
  for (const [what, rounds] of [[`@${s}`, r.small], [`@${shape.stored}`, r.large]] as const) {
    console.log(`  ${what.padEnd(7)} ping ${med(rounds.pings, perSec).toFixed(0)}/s (tool ${ms(med(rounds.pings, toolPer))}, db ${ms(medOpt(rounds.pings, dbPer))}); POST check-in ${med(rounds.posts, perSec).toFixed(0)}/s (tool ${ms(med(rounds.posts, toolPer))}, db ${ms(medOpt(rounds.posts, dbPer))}), slowest ${secs(Math.max(...rounds.posts.map((x) => x.measured.wallMs)))}`);
  }
  console.log(`  full flow:       ${med(r.full, perSec).toFixed(0)} students/s, tool ${ms(med(r.full, toolPer))} + db ${ms(medOpt(r.full, dbPer))} per student`);
  console.log(`  QR scans:        ${med(r.qr, perSec).toFixed(0)} scans/s, tool ${ms(med(r.qr, toolPer))} + db ${ms(medOpt(r.qr, dbPer))} per scan (scan + confirmation page), slowest ${secs(Math.max(...r.qr.map((x) => x.measured.wallMs)))}`);

  const bars: Bar[] = [
    { name: `Launches/s (students, ${shape.launchInFlight} in flight)`, value: `${launchRate.toFixed(0)}/s`, bar: '>= 100/s', ok: launchRate >= 100 },
    { name: 'Tool CPU per launch', value: ms(launchTool), bar: '<= 10 ms', ok: launchTool <= 10 },
    {
      name: `POST check-in burst: slowest of ${r.small.posts.length} (${s} students, ${shape.inFlight} in flight)`, value: secs(worstWall),
      bar: s === 1500 ? '<= 6 s' : `<= ${secs(wallBarMs)} (6 s x ${s}/1500)`, ok: worstWall <= wallBarMs,
    },
    { name: 'Server CPU per POST check-in (tool + database)', value: ms(postServer), bar: '<= 3 ms', ok: postServer === undefined ? undefined : postServer <= 3 },
    { name: 'Server CPU per student, full flow (GET form + POST)', value: ms(fullServer), bar: '<= 8.5 ms', ok: fullServer === undefined ? undefined : fullServer <= 8.5 },
    { name: `Ping throughput @${shape.stored} / @${s} stored launches`, value: `${pct(pingLarge / pingSmall)} (${pingLarge.toFixed(0)} / ${pingSmall.toFixed(0)}/s)`, bar: '>= 80 %', ok: pingLarge / pingSmall >= 0.8 },
    { name: `Check-in throughput @${shape.stored} / @${s} stored launches`, value: `${pct(postLarge / postSmall)} (${postLarge.toFixed(0)} / ${postSmall.toFixed(0)}/s)`, bar: '>= 80 %', ok: postLarge / postSmall >= 0.8 },
    { name: 'Zero errors, one record + audit entry each (all phases)', value: problems.length === 0 ? 'all correct' : `${problems.length} problem(s)`, bar: 'all correct', ok: problems.length === 0 },
  ];
  printBars(bars);
  for (const p of problems) console.log(`  problem: ${p}`);
  if (shape.stored !== 15_000 || s !== 1500 || shape.rounds < 3) console.log('  (a reduced run: the issue\'s bars are for 1500 students, 15,000 stored launches and 3 rounds)');
  printReference({
    postPerSec: postSmall, postInFlight: shape.inFlight, students: s, postServerMs: postServer, postToolMs: med(r.small.posts, toolPer), postDbMs: medOpt(r.small.posts, dbPer),
    fullPerSec: med(r.full, perSec), fullServerMs: fullServer, fullToolMs: med(r.full, toolPer),
  });
  const failed = bars.some((b) => b.ok === false);
  console.log(failed ? '\nFAILED: at least one bar is missed (exit code 1).' : '\nEvery bar is met.');
  return failed;
}
