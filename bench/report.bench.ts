/**
 * Benchmark: the teacher report page for 50 × 100 and 500 × 100 (students × sessions, every
 * record marked: 5,000 and 50,000 records), issue #6's bars: 10× the data costs at most 12× the
 * time, and the 500 × 100 page renders in under 2 s (median).
 *
 *   npm run bench:report      (uses MONGODB_URI, else the embedded database like npm start)
 *
 * Each size lives in its own course, with a teacher launched through the real LTI flow against
 * the mock LMS; the page is fetched once to warm up, then timed RUNS times.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { AttendanceRecordModel } from '../src/attendance/attendance-record.model';
import { activityKey, courseKey } from '../src/courses/keys';
import { MemberModel } from '../src/roster/member.model';
import { AttendanceSessionModel } from '../src/sessions/attendance-session.model';
import { withLtik } from '../src/shared/links';
import { median } from './support/http-load';
import { dbLabel, startInProcessTool } from './support/bench-setup';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const SESSIONS = 100;
const SIZES = [50, 500] as const;
const LINK = 'bench-link';
const CHUNK = 5000;
const DAY = 86_400_000;

const ms = (x: number) => `${x.toFixed(0)} ms`;

/** Students, 100 past sessions (every other day, so weeks and months have several) and every record. */
async function seed(courseId: string, activityId: string, students: number): Promise<void> {
  const joined = new Date('2025-01-01T00:00:00Z');
  await MemberModel.insertMany(Array.from({ length: students }, (_, i) => ({
    courseId, userId: `s${String(i).padStart(4, '0')}`, givenName: `Given${i}`, familyName: `Family${(i * 7919) % students}`, name: `Given${i} Family${i}`,
    role: 'student', active: true, ltiRoles: ['Learner'], createdAt: joined,
  })));
  const first = Date.parse('2025-09-01T07:00:00Z');
  const sessionIds = Array.from({ length: SESSIONS }, () => randomUUID());
  await AttendanceSessionModel.insertMany(sessionIds.map((_id, i) => ({
    _id, courseId, activityId, startsAt: new Date(first + i * 2 * DAY), durationMinutes: 90, timezone: 'Europe/Riga',
    description: `Lecture ${i + 1}`, audience: { kind: 'all' }, statusSetId: `${activityId}-default`, createdBy: 'bench',
  })));
  const acronyms = ['P', 'P', 'P', 'L', 'E', 'A', 'P'];
  const records: Array<Record<string, unknown>> = [];
  const flush = async () => {
    if (records.length === 0) return;
    await AttendanceRecordModel.insertMany(records.splice(0), { lean: true, ordered: false });
  };
  for (let s = 0; s < SESSIONS; s++) {
    for (let u = 0; u < students; u++) {
      const statusId = `${activityId}-default-${acronyms[(s * 31 + u * 17) % acronyms.length]}`;
      records.push({ _id: randomUUID(), courseId, activityId, sessionId: sessionIds[s], userId: `s${String(u).padStart(4, '0')}`, statusSetId: `${activityId}-default`, statusId, remark: u % 10 === 0 ? 'Came late from the lab' : '' });
      if (records.length >= CHUNK) await flush();
    }
  }
  await flush();
}

async function main(): Promise<void> {
  const bench = await startInProcessTool({ DEFAULT_TIMEZONE: 'Europe/Riga' });
  const { lms } = bench;
  try {
    const results: Record<number, { median: number; min: number; max: number; bytes: number }> = {};
    for (const size of SIZES) {
      const context = `bench-report-${size}`;
      const teacher = await lms.launch({ role: 'Instructor', context: { id: context }, resourceLink: { id: LINK } });
      if (teacher.status !== 200 || !teacher.ltik) throw new Error(`teacher launch failed: ${teacher.status}`);
      const courseId = courseKey(lms.issuer, lms.clientId, context, LINK);
      const activityId = activityKey(courseId, LINK);
      const seedStart = performance.now();
      await seed(courseId, activityId, size);
      console.log(`seeded ${size} × ${SESSIONS} (${size * SESSIONS} records) in ${ms(performance.now() - seedStart)}`);
      const path = withLtik(`/activity/${activityId}/teacher/report`, teacher.ltik);
      const get = async () => {
        const start = performance.now();
        const res = await teacher.agent.get(path);
        const took = performance.now() - start;
        if (res.status !== 200) throw new Error(`report answered ${res.status}`);
        const rows = res.text.match(/<tr data-n=/g)?.length ?? 0;
        if (rows !== size) throw new Error(`report shows ${rows} students, expected ${size}`);
        return { took, bytes: Buffer.byteLength(res.text) };
      };
      await get(); // warm-up: template compilation, JIT, connection pool
      const times: number[] = [];
      let bytes = 0;
      for (let run = 0; run < RUNS; run++) {
        const r = await get();
        times.push(r.took);
        bytes = r.bytes;
      }
      results[size] = { median: median(times), min: Math.min(...times), max: Math.max(...times), bytes };
    }

    const small = results[50];
    const big = results[500];
    if (!small || !big) throw new Error('missing results');
    const ratio = big.median / small.median;
    const verdict = (ok: boolean) => (ok ? 'meets the bar' : 'MISSES the bar');
    console.log(`\nTeacher report page: medians of ${RUNS} runs after a warm-up, on ${dbLabel(bench.dbKind)}`);
    console.log('students × sessions | records | median  | min     | max     | page size');
    for (const size of SIZES) {
      const r = results[size];
      if (r) console.log(`${`${size} × ${SESSIONS}`.padStart(19)} | ${String(size * SESSIONS).padStart(7)} | ${ms(r.median).padStart(7)} | ${ms(r.min).padStart(7)} | ${ms(r.max).padStart(7)} | ${(r.bytes / 1024).toFixed(0)} KiB`);
    }
    console.log(`\n500×100 / 50×100 = ${ratio.toFixed(2)}x   (bar: <= 12x)   ${verdict(ratio <= 12)}`);
    console.log(`500×100 median    = ${ms(big.median)}   (bar: < 2000 ms)  ${verdict(big.median < 2000)}`);
  } finally {
    await bench.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
