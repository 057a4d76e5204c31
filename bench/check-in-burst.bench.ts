/**
 * Benchmark: a lecture of 1500 students checks in with the password at once (issue #5, "Speed
 * and scale"). Bars: the burst completes within 10 s with zero errors and exactly one record per
 * student, and check-in throughput is >= 25 % of a trivial authenticated route's (GET ping)
 * measured in the same run, with the same students, the same number of requests in flight.
 *
 *   npm run bench:check-in     (uses MONGODB_URI, else the embedded database like npm start)
 *   BENCH_STUDENTS=1500 BENCH_IN_FLIGHT=150 BENCH_ROUNDS=3 BENCH_LAUNCH_IN_FLIGHT=8
 *   BENCH_PROFILE=<dir>        writes a CPU profile of the tool during the first burst and prints its top entries
 *
 * How: the real tool runs in a CHILD process (bench/support/tool-process.ts) and this process
 * is the mock LMS and the load generator. Every student is launched through the real LTI flow
 * (the mock LMS signs each id_token, the tool validates it) and keeps its own ltik and cookies;
 * launches happen before anything is measured. After a warm-up of both routes (own session),
 * each round sends one ping per student, lets every student POST the check-in form to a fresh
 * session (password, automatic status), then pings again: the ping figure is both ping runs
 * together, so a change in the machine's other load hits both sides of the ratio. The ratio bar
 * is judged on the median of the rounds, the 10 s bar on the slowest round.
 *
 * CPU time per request is the tool process's own user+system time (process.cpuUsage(), read in
 * the child over IPC before and after a run) divided by the requests. Running the tool in its
 * own process is why that figure needs no correction: it excludes the load generator (this
 * process, printed apart as "gen. CPU") and the database, whose CPU is read from
 * /proc/<pid>/stat when it is the stand-in we started (its description names its pid). The
 * child drops ts-node's source-map stack formatting, which production (compiled JS) never has.
 * The machine has 2 cores shared by tool, database, generator and whatever else runs, so
 * throughput is what the whole box manages; the CPU per request is the steadier figure.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { AttendanceRecordModel } from '../src/attendance/attendance-record.model';
import { AuditEntryModel } from '../src/attendance/audit-entry.model';
import { activityKey, courseKey } from '../src/courses/keys';
import { AttendanceSessionModel } from '../src/sessions/attendance-session.model';
import type { MockLms } from '../test/support/mock-lms';
import { summarizeProfile } from './support/cpu-profile';
import { HttpClient, httpClient, median, percentile, procCpuMs, Reply, runPool } from './support/http-load';
import { launchStudents, StudentCredentials } from './support/launch-students';
import type { ToolChild } from './support/tool-child';
import { dbLabel, startChildProcessTool } from './support/bench-setup';

const env = process.env;
const STUDENTS = Number(env.BENCH_STUDENTS ?? 1500);
const IN_FLIGHT = Number(env.BENCH_IN_FLIGHT ?? 150);
const ROUNDS = Number(env.BENCH_ROUNDS ?? 3);
const LAUNCH_IN_FLIGHT = Number(env.BENCH_LAUNCH_IN_FLIGHT ?? 8);
const WARMUP = Math.min(STUDENTS, Number(env.BENCH_WARMUP ?? 500));
const CONTEXT = 'bench-check-in';
const LINK = 'bench-link';
const PASSWORD = 'KRTW47';
const BURST_BAR_MS = 10_000;
const RATIO_BAR = 0.25;

interface Measured {
  n: number; wallMs: number; sorted: number[]; errors: Reply[];
  serverCpuMs: number; dbCpuMs?: number; generatorCpuMs: number;
}
interface Course { courseId: string; activityId: string; teacher: { agent: import('supertest').Agent; ltik: string } }

const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const perSec = (m: Measured) => m.n / (m.wallMs / 1000);
const verdict = (ok: boolean) => (ok ? 'meets the bar' : 'MISSES the bar');

/** Sends one request per student, IN_FLIGHT at a time, and takes the tool's, the database's and our own CPU around it. */
async function measure(tool: ToolChild, dbPid: number | undefined, creds: StudentCredentials[], send: (c: StudentCredentials) => Promise<Reply>, ok: (r: Reply) => boolean): Promise<Measured> {
  const latencies: number[] = [];
  const errors: Reply[] = [];
  const [cpu0, db0, gen0] = [await tool.cpuMs(), await procCpuMs(dbPid), process.cpuUsage()];
  const start = performance.now();
  await runPool(creds, IN_FLIGHT, async (c) => {
    const reply = await send(c).catch((err: unknown) => ({ status: 0, body: String(err), ms: NaN }) as Reply);
    latencies.push(reply.ms);
    if (!ok(reply)) errors.push(reply);
  });
  const wallMs = performance.now() - start;
  const [cpu1, db1, gen] = [await tool.cpuMs(), await procCpuMs(dbPid), process.cpuUsage(gen0)];
  return {
    n: creds.length, wallMs, sorted: latencies.sort((a, b) => a - b), errors,
    serverCpuMs: cpu1 - cpu0, dbCpuMs: db0 !== undefined && db1 !== undefined ? db1 - db0 : undefined, generatorCpuMs: (gen.user + gen.system) / 1000,
  };
}

/** Two runs of the same requests as one: summed time, requests and CPU. */
function combine(a: Measured, b: Measured): Measured {
  return {
    n: a.n + b.n, wallMs: a.wallMs + b.wallMs, sorted: [...a.sorted, ...b.sorted].sort((x, y) => x - y), errors: [...a.errors, ...b.errors],
    serverCpuMs: a.serverCpuMs + b.serverCpuMs, dbCpuMs: a.dbCpuMs !== undefined && b.dbCpuMs !== undefined ? a.dbCpuMs + b.dbCpuMs : undefined,
    generatorCpuMs: a.generatorCpuMs + b.generatorCpuMs,
  };
}

const pinger = (client: HttpClient, activityId: string) => (c: StudentCredentials) =>
  client.request('GET', `/activity/${activityId}/ping?ltik=${encodeURIComponent(c.ltik)}`, { cookie: c.cookie });
const pingOk = (r: Reply) => r.status === 200 && r.body.includes('"ok":true');

const checkInPath = (activityId: string, sessionId: string) => `/activity/${activityId}/student/sessions/${sessionId}/check-in`;
const checkIner = (client: HttpClient, activityId: string, sessionId: string) => (c: StudentCredentials) =>
  client.request('POST', checkInPath(activityId, sessionId), { cookie: c.cookie, 'content-type': 'application/x-www-form-urlencoded' }, new URLSearchParams({ ltik: c.ltik, code: PASSWORD }).toString());
const checkInOk = (activityId: string, sessionId: string) => (r: Reply) => r.status === 303 && (r.location ?? '').startsWith(`${checkInPath(activityId, sessionId)}/done?ltik=`);

/** A session that started a minute ago, self-marking switched on through the teacher's settings form. */
async function openSession(course: Course): Promise<string> {
  const id = randomUUID();
  await AttendanceSessionModel.create({
    _id: id, courseId: course.courseId, activityId: course.activityId, startsAt: new Date(Date.now() - 60_000), durationMinutes: 90,
    timezone: 'Europe/Riga', description: 'Bench lecture', audience: { kind: 'all' }, statusSetId: `${course.activityId}-default`, createdBy: 'bench',
  });
  const res = await course.teacher.agent.post(`/activity/${course.activityId}/teacher/sessions/${id}/self-marking`).type('form').send({
    ltik: course.teacher.ltik, enabled: '1', password: PASSWORD, statusMode: 'auto', lateAfterMinutes: '10', opensMinutesBefore: '0',
    allowedCidrs: '', rotateSeconds: '0', graceSeconds: '5', action: 'save',
  });
  if (res.status !== 303) throw new Error(`self-marking settings answered ${res.status}`);
  return id;
}

/** Exactly one self record per launched student, nobody else, and one audit entry each. */
async function verify(sessionId: string, creds: StudentCredentials[]): Promise<{ ok: boolean; text: string }> {
  const records = await AttendanceRecordModel.find({ sessionId }, { userId: 1, source: 1 }).lean();
  const ids = new Set(records.map((r) => r.userId));
  const expected = new Set(creds.map((c) => c.userId));
  const strangers = [...ids].filter((id) => !expected.has(id)).length;
  const notSelf = records.filter((r) => r.source !== 'self').length;
  const audit = await AuditEntryModel.countDocuments({ sessionId });
  const ok = records.length === creds.length && ids.size === creds.length && strangers === 0 && notSelf === 0;
  return { ok, text: `records ${records.length}, distinct students ${ids.size}, duplicates ${records.length - ids.size}, strangers ${strangers}, audit entries ${audit}` };
}

function row(label: string, m: Measured): string {
  const cells = [
    String(m.n).padStart(5), secs(m.wallMs).padStart(8), perSec(m).toFixed(0).padStart(6),
    ...[50, 95, 99].map((p) => `${percentile(m.sorted, p).toFixed(0)} ms`.padStart(8)),
    `${(m.serverCpuMs / m.n).toFixed(2)} ms`.padStart(9),
    m.dbCpuMs === undefined ? '      n/a' : `${(m.dbCpuMs / m.n).toFixed(2)} ms`.padStart(9),
    `${(m.generatorCpuMs / m.n).toFixed(2)} ms`.padStart(9), String(m.errors.length).padStart(6),
  ];
  return `${label.padEnd(16)}|${cells.join(' |')}`;
}

async function launchCourse(lms: MockLms): Promise<Course> {
  const teacher = await lms.launch({ role: 'Instructor', context: { id: CONTEXT }, resourceLink: { id: LINK } });
  if (teacher.status !== 200 || !teacher.ltik) throw new Error(`teacher launch failed: ${teacher.status}`);
  const courseId = courseKey(lms.issuer, lms.clientId, CONTEXT, LINK);
  return { courseId, activityId: activityKey(courseId, LINK), teacher: { agent: teacher.agent, ltik: teacher.ltik } };
}

async function printProfile(file: string): Promise<void> {
  const s = await summarizeProfile(file);
  console.log(`\nCPU profile of the tool during burst 1 (${file}): ${s.totalMs.toFixed(0)} ms sampled, self time`);
  console.log('  by package:  ' + s.byPackage.map((p) => `${p.name} ${((100 * p.ms) / s.totalMs).toFixed(1)}%`).join(', '));
  for (const f of s.byFunction) console.log(`  ${((100 * f.ms) / s.totalMs).toFixed(1).padStart(5)}%  ${f.name}`);
}

async function rounds(tool: ToolChild, dbPid: number | undefined, course: Course, creds: StudentCredentials[]): Promise<{ pings: Measured[]; bursts: Measured[]; failed: boolean }> {
  const client = httpClient(tool.url, IN_FLIGHT);
  const ping = pinger(client, course.activityId);
  const pings: Measured[] = [];
  const bursts: Measured[] = [];
  let failed = false;
  try {
    const warmSession = await openSession(course);
    await measure(tool, dbPid, creds.slice(0, WARMUP), ping, pingOk);
    const warm = await measure(tool, dbPid, creds.slice(0, WARMUP), checkIner(client, course.activityId, warmSession), checkInOk(course.activityId, warmSession));
    if (warm.errors.length > 0) throw new Error(`warm-up check-in failed: ${warm.errors[0]?.status} ${warm.errors[0]?.body}`);
    console.log('\nCPU columns: per request. Ping: the runs before and after the burst together.');
    console.log('round | route           | reqs |    wall |  req/s |     p50 |     p95 |     p99 | tool CPU |   db CPU | gen. CPU | errors');
    for (let r = 1; r <= ROUNDS; r++) {
      const sessionId = await openSession(course);
      const before = await measure(tool, dbPid, creds, ping, pingOk);
      if (r === 1 && env.BENCH_PROFILE) await tool.call('profile-start', {});
      const b = await measure(tool, dbPid, creds, checkIner(client, course.activityId, sessionId), checkInOk(course.activityId, sessionId));
      const file = r === 1 && env.BENCH_PROFILE ? path.resolve(env.BENCH_PROFILE, `check-in-burst-${Date.now()}.cpuprofile`) : undefined;
      if (file) await tool.call('profile-stop', { file });
      // Pings before and after the burst, so a change in the machine's other load hits both sides.
      const p = combine(before, await measure(tool, dbPid, creds, ping, pingOk));
      const check = await verify(sessionId, creds);
      console.log(`${String(r).padStart(5)} | ${row('GET ping', p)}\n${String(r).padStart(5)} | ${row('POST check-in', b)}\n      | ${check.text}  ${check.ok ? 'OK' : 'WRONG'}`);
      for (const e of [...p.errors, ...b.errors].slice(0, 3)) console.log(`      | error: ${e.status} ${e.location ?? ''} ${e.body.replace(/\s+/g, ' ').slice(0, 200)}`);
      failed ||= !check.ok || p.errors.length > 0 || b.errors.length > 0;
      pings.push(p);
      bursts.push(b);
      if (file) await printProfile(file);
    }
  } finally {
    client.close();
  }
  return { pings, bursts, failed };
}

function summary(pings: Measured[], bursts: Measured[]): void {
  const ratios = bursts.map((b, i) => perSec(b) / perSec(pings[i] as Measured));
  const ratio = median(ratios);
  const wall = median(bursts.map((b) => b.wallMs));
  const worstWall = Math.max(...bursts.map((b) => b.wallMs));
  const cpu = median(bursts.map((b) => b.serverCpuMs / b.n));
  const pingCpu = median(pings.map((p) => p.serverCpuMs / p.n));
  const db = bursts.every((b) => b.dbCpuMs !== undefined) ? median(bursts.map((b) => (b.dbCpuMs ?? 0) / b.n)) : undefined;
  console.log(`\nMedians of ${bursts.length} rounds (${STUDENTS} students, ${IN_FLIGHT} requests in flight):`);
  console.log(`check-in throughput / ping throughput = ${(100 * ratio).toFixed(0)} %  (rounds: ${ratios.map((x) => `${(100 * x).toFixed(0)} %`).join(', ')})  (bar: >= ${100 * RATIO_BAR} %)  ${verdict(ratio >= RATIO_BAR)}`);
  console.log(`burst of ${STUDENTS} check-ins       = ${secs(wall)} wall (slowest round ${secs(worstWall)})  (bar: < 10 s)  ${verdict(worstWall < BURST_BAR_MS)}`);
  console.log(`CPU per check-in (tool process)   = ${cpu.toFixed(2)} ms (ping: ${pingCpu.toFixed(2)} ms)${db === undefined ? '' : `; database process: ${db.toFixed(2)} ms more`}`);
  // Wall-clock ratios swing with whatever else the 2 cores run; the tool's CPU per request does not.
  console.log(`CPU-based estimate of the ratio   = ping CPU / check-in CPU = ${((100 * pingCpu) / cpu).toFixed(0)} % (what the ratio would be if the tool's core were the bottleneck)`);
  console.log('For scale: Moodle Attendance manages about 14 self-marks/s on this kind of machine (1500 take ~107 s).');
}

async function main(): Promise<void> {
  const bench = await startChildProcessTool();
  const { tool, lms, db, dbPid } = bench;
  let failed = true;
  try {
    const course = await launchCourse(lms);
    const [t0, cpu0] = [performance.now(), await tool.cpuMs()];
    const creds = await launchStudents(lms, {
      count: STUDENTS, concurrency: LAUNCH_IN_FLIGHT, contextId: CONTEXT, resourceLinkId: LINK, prefix: 'burst',
      onProgress: (n) => process.stdout.write(`\r  launched ${n}/${STUDENTS}`),
    });
    const [setupMs, launchCpuMs] = [performance.now() - t0, (await tool.cpuMs()) - cpu0];
    console.log(`\rCheck-in burst on ${dbLabel(db.kind)}, tool in its own process (pid ${tool.pid})`);
    console.log(`set-up: ${STUDENTS} students launched through the real LTI flow in ${secs(setupMs)} (${(STUDENTS / (setupMs / 1000)).toFixed(0)} launches/s, ${LAUNCH_IN_FLIGHT} at a time, tool CPU ${(launchCpuMs / STUDENTS).toFixed(1)} ms per launch)`);
    const result = await rounds(tool, dbPid, course, creds);
    summary(result.pings, result.bursts);
    failed = result.failed;
    console.log(failed ? '\nFAILED: errors or wrong records (see above)' : '\nAll rounds: zero errors, one record per student.');
  } finally {
    await bench.close();
  }
  process.exitCode = failed ? 1 : 0;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
