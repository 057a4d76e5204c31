/**
 * Benchmark: the take-attendance page with 50 and 500 students (issue #4's bars).
 * Prints medians of several runs and the 500/50 save ratio, measured in the same run.
 *
 *   npm run bench            (uses MONGODB_URI, else the embedded database like npm start)
 *
 * Figures on the offline stand-in (mongo-java-server) say little about MongoDB itself: the
 * stand-in ignores non-unique indexes. They do show that the request does O(1) round trips.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { activityKey, courseKey } from '../src/courses/keys';
import { MemberModel } from '../src/roster/member.model';
import { AttendanceSessionModel } from '../src/sessions/attendance-session.model';
import { dbLabel, startInProcessTool } from './support/bench-setup';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const SIZES = [50, 500] as const;
const CONTEXT = 'bench-course';
const LINK = 'bench-link';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const ms = (x: number) => `${x.toFixed(1)} ms`;

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const value = await fn();
  return [performance.now() - start, value];
}

async function main(): Promise<void> {
  const bench = await startInProcessTool();
  const { lms } = bench;
  try {
    const teacher = await lms.launch({ role: 'Instructor', context: { id: CONTEXT }, resourceLink: { id: LINK } });
    if (teacher.status !== 200 || !teacher.ltik) throw new Error(`teacher launch failed: ${teacher.status}`);
    const courseId = courseKey(lms.issuer, lms.clientId, CONTEXT, LINK);
    const activityId = activityKey(courseId, LINK);
    const [P, L] = ['P', 'L'].map((a) => `${activityId}-default-${a}`) as [string, string];

    const results: Record<number, { render: number; firstSave: number; resave: number }> = {};
    for (const size of SIZES) {
      const users = Array.from({ length: size }, (_, i) => `bench-${size}-${String(i).padStart(4, '0')}`);
      await MemberModel.insertMany(
        users.map((userId, i) => ({ courseId, userId, givenName: `Student${i}`, familyName: `Family${size - i}`, name: `Student${i}`, role: 'student', active: true, ltiRoles: ['Learner'] })),
      );
      const newSession = async () => {
        const id = randomUUID();
        await AttendanceSessionModel.create({ _id: id, courseId, activityId, startsAt: new Date(), durationMinutes: 90, timezone: 'Europe/Riga', audience: { kind: 'all' }, statusSetId: `${activityId}-default`, createdBy: 'bench' });
        return id;
      };
      const form = (status: string) => {
        const body: Record<string, string> = { ltik: teacher.ltik ?? '', count: String(size) };
        users.forEach((u, i) => Object.assign(body, { [`u${i}`]: u, [`s${i}`]: status, [`r${i}`]: '' }));
        return body;
      };
      const take = (sessionId: string) => `/activity/${activityId}/teacher/sessions/${sessionId}/take`;
      const render: number[] = [];
      const firstSave: number[] = [];
      const resave: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const sessionId = await newSession();
        const [tRender, page] = await timed(() => teacher.agent.get(`${take(sessionId)}?ltik=${encodeURIComponent(teacher.ltik ?? '')}`));
        if (page.status !== 200) throw new Error(`take page answered ${page.status}`);
        const [tFirst, saved] = await timed(() => teacher.agent.post(take(sessionId)).type('form').send(form(P)));
        const [tResave, resaved] = await timed(() => teacher.agent.post(take(sessionId)).type('form').send(form(L)));
        if (saved.status >= 400 || resaved.status >= 400) throw new Error(`save answered ${saved.status}/${resaved.status}`);
        render.push(tRender);
        firstSave.push(tFirst);
        resave.push(tResave);
      }
      results[size] = { render: median(render), firstSave: median(firstSave), resave: median(resave) };
    }

    const small = results[50];
    const big = results[500];
    if (!small || !big) throw new Error('missing results');
    const ratio = big.firstSave / small.firstSave;
    const verdict = (ok: boolean) => (ok ? 'meets the bar' : 'MISSES the bar');
    console.log(`\nTake attendance: medians of ${RUNS} runs on ${dbLabel(bench.dbKind)}`);
    console.log('students | render page | first save | re-save (change all)');
    for (const size of SIZES) {
      const r = results[size];
      if (r) console.log(`${String(size).padStart(8)} | ${ms(r.render).padStart(11)} | ${ms(r.firstSave).padStart(10)} | ${ms(r.resave).padStart(9)}`);
    }
    console.log(`\nsave 500 / save 50 = ${ratio.toFixed(2)}x   (bar: <= 5x)   ${verdict(ratio <= 5)}`);
    console.log(`render with 500   = ${ms(big.render)}   (bar: < 300 ms)  ${verdict(big.render < 300)}`);
    console.log(`re-save all 500   = ${ms(big.resave)}   (bar: < 500 ms)  ${verdict(big.resave < 500)}`);
    console.log('For scale: Moodle Attendance re-saves 303 students in about 3.5 s on this machine.');
  } finally {
    await bench.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
