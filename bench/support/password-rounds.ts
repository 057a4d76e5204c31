/**
 * The password check-in, measured in rounds (each into a fresh session, verified after):
 * - passwordRounds: GET ping per student, POST check-in per student, ping again (the ping figure
 *   is both ping runs together, so a change in the machine's other load hits both sides);
 * - fullFlowRounds: each student GETs the check-in form page (the link on the student home, as a
 *   browser does) and POSTs it; the CPU figure is per student (GET + POST).
 */
import path from 'node:path';
import { withLtik } from '../../src/shared/links';
import { Course, openSession, PASSWORD, verify, Verification } from './bench-course';
import { printProfile } from './bench-profile';
import type { HttpClient, Reply } from './http-load';
import type { StudentCredentials } from './lean-launch';
import { combine, errorLines, measure, Measured, Meter, row } from './measure';

export interface RoundsContext {
  meter: Meter;
  client: HttpClient;
  course: Course;
  students: readonly StudentCredentials[];
  inFlight: number;
}

export interface RoundResult { measured: Measured; check?: Verification }

const form = { 'content-type': 'application/x-www-form-urlencoded' };
export const checkInPath = (activityId: string, sessionId: string) => `/activity/${activityId}/student/sessions/${sessionId}/check-in`;

const ping = (ctx: RoundsContext) => (c: StudentCredentials) =>
  ctx.client.request('GET', `/activity/${ctx.course.activityId}/ping?ltik=${encodeURIComponent(c.ltik)}`, { cookie: c.cookie });
const pingOk = (r: Reply) => r.status === 200 && r.body.includes('"ok":true');

const post = (ctx: RoundsContext, sessionId: string) => (c: StudentCredentials) =>
  ctx.client.request('POST', checkInPath(ctx.course.activityId, sessionId), { ...form, cookie: c.cookie }, new URLSearchParams({ ltik: c.ltik, code: PASSWORD }).toString());
const postOk = (ctx: RoundsContext, sessionId: string) => (r: Reply) =>
  r.status === 303 && (r.location ?? '').startsWith(`${checkInPath(ctx.course.activityId, sessionId)}/done?ltik=`);

/** GET the form page (it must offer the form that posts to the check-in path), then POST it. */
const fullFlow = (ctx: RoundsContext, sessionId: string) => async (c: StudentCredentials): Promise<Reply> => {
  const action = checkInPath(ctx.course.activityId, sessionId);
  const page = await ctx.client.request('GET', withLtik(action, c.ltik), { cookie: c.cookie }, undefined, 64_000);
  if (page.status !== 200 || !page.body.includes(`action="${action}"`) || !page.body.includes('name="code"')) {
    return { ...page, status: page.status === 200 ? 0 : page.status, body: `form page: ${page.body.slice(0, 300)}` };
  }
  const answer = await post(ctx, sessionId)(c);
  return { ...answer, ms: page.ms + answer.ms };
};

/** A warm-up of ping, POST and the form page into a session of its own (not measured). */
export async function warmUp(ctx: RoundsContext, count: number): Promise<void> {
  const students = ctx.students.slice(0, count);
  const s = await openSession(ctx.client, ctx.course, 'password', 'Warm-up');
  await measure(ctx.meter, students, ctx.inFlight, ping(ctx), pingOk);
  const warm = await measure(ctx.meter, students, ctx.inFlight, fullFlow(ctx, s.id), postOk(ctx, s.id));
  if (warm.errors.length > 0) throw new Error(`warm-up check-in failed: ${warm.errors[0]?.status} ${warm.errors[0]?.body}`);
}

export interface PasswordRounds { pings: RoundResult[]; posts: RoundResult[] }

/** `label` names the data size in the table; `profileDir`: write a CPU profile of the first POST run. */
export async function passwordRounds(ctx: RoundsContext, rounds: number, label: string, profileDir?: string): Promise<PasswordRounds> {
  const out: PasswordRounds = { pings: [], posts: [] };
  for (let r = 1; r <= rounds; r++) {
    const s = await openSession(ctx.client, ctx.course, 'password', `${label} ${r}`);
    const before = await measure(ctx.meter, ctx.students, ctx.inFlight, ping(ctx), pingOk);
    const profiling = r === 1 && profileDir !== undefined;
    if (profiling) await ctx.meter.tool.call('profile-start', {});
    const b = await measure(ctx.meter, ctx.students, ctx.inFlight, post(ctx, s.id), postOk(ctx, s.id));
    const file = profiling ? path.resolve(profileDir, `check-in-post-${label.replace(/\W+/g, '')}-${Date.now()}.cpuprofile`) : undefined;
    if (file) await ctx.meter.tool.call('profile-stop', { file });
    const p = combine(before, await measure(ctx.meter, ctx.students, ctx.inFlight, ping(ctx), pingOk));
    const check = await verify(s.id, ctx.students);
    console.log(row(String(r), `GET ping ${label}`, p));
    console.log(row(String(r), `POST check-in ${label}`, b));
    console.log(`      | ${check.text}  ${check.ok ? 'OK' : 'WRONG'}`);
    for (const line of errorLines([...p.errors, ...b.errors])) console.log(line);
    out.pings.push({ measured: p });
    out.posts.push({ measured: b, check });
    if (file) await printProfile(file, `POST check-in, ${label}, round 1`);
  }
  return out;
}

export async function fullFlowRounds(ctx: RoundsContext, rounds: number): Promise<RoundResult[]> {
  const out: RoundResult[] = [];
  for (let r = 1; r <= rounds; r++) {
    const s = await openSession(ctx.client, ctx.course, 'password', `Full flow ${r}`);
    const m = await measure(ctx.meter, ctx.students, ctx.inFlight, fullFlow(ctx, s.id), postOk(ctx, s.id));
    const check = await verify(s.id, ctx.students);
    console.log(row(String(r), 'GET form + POST', m));
    console.log(`      | ${check.text}  ${check.ok ? 'OK' : 'WRONG'}`);
    for (const line of errorLines(m.errors)) console.log(line);
    out.push({ measured: m, check });
  }
  return out;
}
