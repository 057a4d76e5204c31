/**
 * Launch phases: the course's students (measured: launches/s and CPU per launch, the issue's
 * bar), and the extra stored launches of other courses and other users that the data-size
 * comparison needs (seeded through the same real LTI flow, timed but not judged).
 */
import path from 'node:path';
import { printProfile } from './bench-profile';
import { Launcher, launchAsReply, learner, StudentCredentials } from './lean-launch';
import { runPool } from './http-load';
import { errorLines, measure, Measured, Meter, row } from './measure';

export async function launchStudents(
  meter: Meter, l: Launcher, opts: { count: number; inFlight: number; contextId: string; linkId: string; prefix: string; profileDir?: string },
): Promise<{ students: StudentCredentials[]; measured: Measured }> {
  const ids = Array.from({ length: opts.count }, (_, i) => `${opts.prefix}-${String(i + 1).padStart(5, '0')}`);
  const launched = new Map<string, StudentCredentials>();
  if (opts.profileDir) await meter.tool.call('profile-start', {});
  const measured = await measure(meter, ids, opts.inFlight, (id) => launchAsReply(l, id, learner(id, opts.contextId, opts.linkId), (c) => launched.set(id, c)), (r) => r.status === 200);
  const file = opts.profileDir ? path.resolve(opts.profileDir, `launches-${Date.now()}.cpuprofile`) : undefined;
  if (file) await meter.tool.call('profile-stop', { file });
  console.log(row('', 'student launches', measured));
  for (const line of errorLines(measured.errors)) console.log(line);
  if (file) await printProfile(file, `${opts.count} student launches`);
  // In launch order, without the failed ones (their errors are counted above).
  return { students: ids.flatMap((id) => launched.get(id) ?? []), measured };
}

/**
 * `count` more stored launches: `perCourse` learners in each of as many other courses as it
 * takes (ids and contexts of their own), `inFlight` at once.
 */
export async function seedOtherLaunches(meter: Meter, l: Launcher, opts: { count: number; perCourse: number; inFlight: number; linkId: string }): Promise<Measured> {
  const launches = Array.from({ length: opts.count }, (_, i) => {
    const course = Math.floor(i / opts.perCourse) + 1;
    return { userId: `c${course}-s${(i % opts.perCourse) + 1}`, contextId: `bench-other-${course}` };
  });
  let done = 0;
  const measured = await measure(meter, launches, opts.inFlight, async (x) => {
    const reply = await launchAsReply(l, x.userId, learner(x.userId, x.contextId, opts.linkId), () => undefined);
    if (++done % 500 === 0 && process.stdout.isTTY) process.stdout.write(`\r  seeded ${done}/${opts.count} `);
    return reply;
  }, (r) => r.status === 200);
  if (process.stdout.isTTY) process.stdout.write(`\r${' '.repeat(40)}\r`);
  console.log(row('', 'seed launches', measured));
  for (const line of errorLines(measured.errors)) console.log(line);
  return measured;
}

/** Launches of a course of their own before anything is measured (JIT, the JWKS fetch, the database's first writes). */
export async function warmUpLaunches(l: Launcher, count: number, inFlight: number, linkId: string): Promise<void> {
  const ids = Array.from({ length: count }, (_, i) => `warm-${i + 1}`);
  await runPool(ids, inFlight, async (id) => {
    const reply = await launchAsReply(l, id, learner(id, 'bench-warm-up', linkId), () => undefined);
    if (reply.status !== 200) throw new Error(`warm-up ${reply.body}`);
  });
}
