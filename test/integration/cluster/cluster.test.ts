/**
 * Issue #16 item 2: several instances, one database, a real proxy. Three instances of the real
 * tool (src/main.ts in child processes) share one database and one LTI_KEY behind Debian's nginx
 * running the shipped deploy/nginx/attendance.conf over TLS (round-robin, no sticky sessions).
 * Every step of every flow may land on any instance, and the test makes sure they do: nginx adds
 * X-Upstream (the config's commented line, switched on here) naming the instance that answered.
 */
import { performance } from 'node:perf_hooks';
import mongoose from 'mongoose';
import supertest from 'supertest';
import { AttendanceRecordModel } from '../../../src/attendance/attendance-record.model';
import { AuditEntryModel } from '../../../src/attendance/audit-entry.model';
import { AUTO_MARK_ACTOR } from '../../../src/attendance/auto-mark';
import { activityKey, courseKey } from '../../../src/courses/keys';
import { connectMongoose, disconnectMongoose } from '../../../src/db/database';
import { GradeSyncJobModel } from '../../../src/grading/grade-sync.model';
import { PlatformModel } from '../../../src/platforms/platform.model';
import { createRegistrationLinkService } from '../../../src/platforms/registration-link.service';
import { AttendanceSessionModel } from '../../../src/sessions/attendance-session.model';
import { JobLeaseModel } from '../../../src/shared/job-lease.model';
import { peek } from '../../../src/shared/rate-limit.service';
import { type MockLms, parseAutoPostForm } from '../../support/mock-lms';
import { awayFromWindowEdge } from '../../support/rate-window';
import { testDbName, testMongoUri } from '../../support/test-db';
import { addStudents } from '../attendance/take-helpers';
import { checkInPath, openPasswordSession, PASSWORD } from '../check-in/password-session';
import { ADMIN_TOKEN, type Cluster, startCluster } from './cluster-harness';
import { checkInBurst, httpsClient, launchStepByStep, launchStudents, type Reply, type StudentKey } from './cluster-load';

// Long: 1500 real launches and the grade deliveries take minutes on 2 shared cores (docs/performance.md).
jest.setTimeout(420_000);

const STUDENTS = 1500;
const IN_FLIGHT = 150;
const THROUGHPUT_RUN = 600;
const KILL_RUN = 300;
const LAUNCH_IN_FLIGHT = 6;
const LOGIN_LIMIT = 10;

const dbName = testDbName('cluster');
let c: Cluster;
let upstreams: string[];

interface Teacher { agent: supertest.Agent; ltik: string; courseId: string; activityId: string }
let teacher: Teacher;
let students: StudentKey[] = [];

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const count = (xs: readonly string[]) => xs.reduce<Record<string, number>>((m, x) => ({ ...m, [x]: (m[x] ?? 0) + 1 }), {});
const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 60_000) => {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
};
/** Every grade job of the activity delivered (none pending, running or failing). */
const gradesSettled = (activityId: string) => until(`the grades of ${activityId} are delivered`, async () => (await GradeSyncJobModel.countDocuments({ activityId, state: { $ne: 'done' } })) === 0, 180_000);
/** Score POSTs the mock LMS received for a context, by student. */
const scoresByUser = (lms: MockLms, contextId: string) => count(lms.scores.filter((s) => s.lineItemId.includes(`/ags/${encodeURIComponent(contextId)}/`)).map((s) => String(s.body.userId)));

function keysOf(lms: MockLms, contextId: string) {
  const courseId = courseKey(lms.issuer, lms.clientId, contextId, 'rl1');
  return { courseId, activityId: activityKey(courseId, 'rl1') };
}

beforeAll(async () => {
  const started = performance.now();
  c = await startCluster({
    dbName, instances: 3,
    env: {
      AUTO_MARK_INTERVAL_SECONDS: '1', GRADE_SYNC_INTERVAL_SECONDS: '1', LOGIN_IP_UNREGISTERED_PER_10_MINUTES: String(LOGIN_LIMIT),
      DYNREG_ALLOWED_HOSTS: '127.0.0.1', DYNREG_AUTO_ACTIVATE: 'true', PLATFORMS_REFRESH_SECONDS: '2',
    },
  });
  upstreams = c.instances.map((i) => i.upstream);
  await connectMongoose(testMongoUri(), dbName);
  console.info(`cluster: 3 instances + nginx started in ${secs(performance.now() - started)}`);
}, 180_000);

afterAll(async () => {
  const logs = c?.instances.map((i) => i.tool.output()).join('\n') ?? '';
  // A failing run shows what the instances said went wrong.
  const errors = logs.split('\n').filter((l) => /"level":(50|60)/.test(l));
  if (errors.length > 0) console.info(`instance errors:\n${errors.slice(0, 20).join('\n')}`);
  await c?.stop();
  await mongoose.connection.useDb(`${dbName}_ltijs`).dropDatabase().catch(() => undefined);
  await mongoose.connection.dropDatabase().catch(() => undefined);
  await disconnectMongoose();
});

describe('every step of a flow on any instance', () => {
  it('when a teacher launches through the proxy, then /login, the id_token POST and the page are served by three different instances, with nginx\'s request id', async () => {
    const agent = c.agent();
    const r = await launchStepByStep(c.lms, agent, { role: 'Instructor', context: { id: 'cl-course' }, resourceLink: { id: 'rl1' }, user: { id: 'cl-teacher' } });
    expect(r.page.status).toBe(200);
    const steps = [r.upstreams.login, r.upstreams.launch, r.upstreams.page];
    expect([...steps].sort()).toEqual([...upstreams].sort());

    // nginx's $request_id (32 hex digits; the tool's own are UUIDs) reached the instance, which
    // kept it for its log lines and sent it back.
    expect(String(r.page.headers['x-request-id'])).toMatch(/^[0-9a-f]{32}$/);

    teacher = { agent, ltik: r.ltik, ...keysOf(c.lms, 'cl-course') };
    // Plain HTTP only redirects to https.
    const plain = await supertest(c.httpUrl).get('/anything?x=1');
    expect(plain.status).toBe(301);
    expect(String(plain.headers.location)).toMatch(/^https:\/\/127\.0\.0\.1\/anything\?x=1$/);
  });

  it('when a teacher adds the tool through the content picker, then every deep-linking response is signed with the key the LMS fetches through the proxy, whichever instance made it', async () => {
    const r = await c.lms.launch({ role: 'Instructor', context: { id: 'cl-dl' }, messageType: 'LtiDeepLinkingRequest' }, c.agent());
    expect(r.status).toBe(200);
    const servedBy: string[] = [];
    for (let i = 0; i < 3; i++) {
      const page = await r.agent.post('/deep-linking').type('form').send({ ltik: r.ltik, title: `Lab ${i}`, description: '', gradeType: 'points', maxGrade: '10' });
      expect(page.status).toBe(200);
      servedBy.push(String(page.headers['x-upstream']));
      const form = parseAutoPostForm(page.text);
      const target = new URL(form?.action ?? '');
      const back = await supertest(target.origin).post(target.pathname).type('form').send({ JWT: form?.fields.JWT ?? '' });
      expect(back.status).toBe(200);
      expect(c.lms.deepLinkResponses.at(-1)).toMatchObject({ verified: true, problems: [] });
    }
    expect([...servedBy].sort()).toEqual([...upstreams].sort());
  });

  it('when an LMS registers itself through the proxy (dynamic registration), then its launches work on every instance', async () => {
    const lms2 = await c.extraLms();
    const link = await createRegistrationLinkService({ publicUrl: c.url, now: () => new Date() }).create({ expiresInMs: 600_000, uses: 1 });
    const start = new URL(lms2.dynamicRegistration.startUrl(link.url));
    const res = await c.agent().get('/register').query(Object.fromEntries(start.searchParams));
    expect(res.status).toBe(200);
    expect(await PlatformModel.findOne({ issuer: lms2.issuer }).lean()).toMatchObject({ status: 'active', source: 'dynamic' });

    const steps: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await launchStepByStep(lms2, c.agent(), { role: 'Learner', context: { id: 'cl-dynreg' }, user: { id: `dyn-${i}` } });
      expect(r.page.status).toBe(200);
      steps.push(r.upstreams.login, r.upstreams.launch, r.upstreams.page);
    }
    expect(Object.keys(count(steps)).sort()).toEqual([...upstreams].sort());
  });

  it('when a registration is added through the admin API on one instance, then the others launch from it at once and frame it within the refresh interval', async () => {
    const lms3 = await c.extraLms();
    const added = await supertest(c.instances[0]?.url ?? '').post('/admin/api/platforms').set('Authorization', `Bearer ${ADMIN_TOKEN}`)
      .send([{ ...lms3.registration(), name: 'Added on instance 1' }]);
    expect(added.status).toBe(200);

    const steps: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await launchStepByStep(lms3, c.agent(), { role: 'Learner', context: { id: 'cl-admin' }, user: { id: `adm-${i}` } });
      expect(r.page.status).toBe(200);
      steps.push(r.upstreams.login, r.upstreams.launch, r.upstreams.page);
    }
    expect(Object.keys(count(steps)).sort()).toEqual([...upstreams].sort());
    // Pages are framed by the LMS: every instance's CSP names the new LMS (PLATFORMS_REFRESH_SECONDS=2 here).
    await until('every instance lets the new LMS frame it', async () => {
      const csps = await Promise.all(c.instances.map((i) => fetch(`${i.url}/`).then((r) => r.headers.get('content-security-policy') ?? '')));
      return csps.every((csp) => csp.includes(lms3.url));
    }, 10_000);
  });

  it('when an unregistered issuer floods /login through the proxy, then the limit counts across instances and a forged X-Forwarded-For does not escape it', async () => {
    await awayFromWindowEdge();
    // An instance that has not yet re-read the registrations counts a new LMS's first login too
    // (login.middleware.ts): the registrations above may have used some of this address's limit.
    const used = (await peek({ name: 'login-unregistered', limit: LOGIN_LIMIT, windowMs: 600_000 }, '127.0.0.1', new Date())).count;
    expect(used).toBeLessThanOrEqual(LOGIN_LIMIT - 3);
    const answers: Array<{ status: number; upstream: string }> = [];
    for (let i = 0; i < LOGIN_LIMIT + 3; i++) {
      const r = await c.agent().get('/login').set('X-Forwarded-For', `198.51.100.${i + 1}`)
        .query({ iss: 'https://not-registered.example', login_hint: `u${i}`, target_link_uri: `${c.url}/launch`, client_id: 'nobody' });
      answers.push({ status: r.status, upstream: String(r.headers['x-upstream']) });
    }
    expect(answers.map((a) => a.status)).toEqual([...Array(LOGIN_LIMIT - used).fill(400), ...Array(3 + used).fill(429)]);
    expect(Object.keys(count(answers.slice(0, LOGIN_LIMIT - used).map((a) => a.upstream))).sort()).toEqual([...upstreams].sort());
  });
});

describe('background work on every instance', () => {
  it('when sessions end, then the instances together auto-mark each unmarked student exactly once and post each score exactly once', async () => {
    const COURSES = 6;
    const PER_COURSE = 40;
    const HOUR = 3_600_000;
    const sessions: Array<{ id: string; contextId: string; userIds: string[] }> = [];
    for (let k = 0; k < COURSES; k++) {
      const contextId = `cl-auto-${k}`;
      const r = await c.lms.launch({ role: 'Instructor', context: { id: contextId }, resourceLink: { id: 'rl1' }, user: { id: `auto-teacher-${k}` } }, c.agent());
      expect(r.status).toBe(200);
      const { courseId, activityId } = keysOf(c.lms, contextId);
      const members = Array.from({ length: PER_COURSE }, (_, i) => ({ id: `auto-${k}-${i}`, givenName: 'Auto', familyName: `N${i}` }));
      await addStudents(courseId, members);
      sessions.push({ id: `auto-session-${k}`, contextId, userIds: members.map((m) => m.id) });
      await AttendanceSessionModel.create({
        _id: `auto-session-${k}`, courseId, activityId, startsAt: new Date(Date.now() - 2 * HOUR), durationMinutes: 60, timezone: 'Europe/Riga',
        description: 'Ended', audience: { kind: 'all' }, statusSetId: `${activityId}-default`, createdBy: 'teacher', createdAt: new Date(Date.now() - 3 * HOUR),
      });
    }
    await until('every ended session is auto-marked', async () => (await AttendanceSessionModel.countDocuments({ _id: { $in: sessions.map((s) => s.id) }, 'autoMark.doneAt': { $ne: null } })) === COURSES, 30_000);
    for (const s of sessions) {
      const records = await AttendanceRecordModel.find({ sessionId: s.id }, { userId: 1, source: 1 }).lean();
      const audits = await AuditEntryModel.find({ sessionId: s.id }, { userId: 1, actorId: 1 }).lean();
      expect(records.map((r) => r.userId).sort()).toEqual([...s.userIds].sort());
      expect(records.every((r) => r.source === 'auto')).toBe(true);
      expect(audits.map((a) => a.userId).sort()).toEqual([...s.userIds].sort());
      expect(audits.every((a) => a.actorId === AUTO_MARK_ACTOR)).toBe(true);
      await gradesSettled(keysOf(c.lms, s.contextId).activityId);
      const scores = scoresByUser(c.lms, s.contextId);
      expect(Object.keys(scores).sort()).toEqual([...s.userIds].sort());
      expect(Object.values(scores).every((n) => n === 1)).toBe(true);
    }
    // The work was shared: more than one instance marked sessions and delivered grades.
    const workers = (msg: string) => c.instances.filter((i) => i.tool.output().includes(`"msg":"${msg}"`)).length;
    console.info(`cluster background: instances that auto-marked: ${workers('automatic marking run')}, that delivered grades: ${workers('grade sync run')}`);
  });
});

describe('check-ins through the proxy', () => {
  let client: ReturnType<typeof httpsClient>;
  beforeAll(async () => {
    client = httpsClient(c.url, c.cert.pem, IN_FLIGHT);
  });
  afterAll(() => client?.close());

  const allFine = (replies: readonly Reply[]) => replies.filter((r) => r.status !== 303);

  it(`when ${STUDENTS} students check in at once, ${IN_FLIGHT} in flight, then each has exactly one record and one audit entry, with no error, and each score is posted once`, async () => {
    const setupStart = performance.now();
    students = await launchStudents(c.lms, client, { count: STUDENTS, concurrency: LAUNCH_IN_FLIGHT, contextId: 'cl-course', prefix: 'cl-s' });
    const setupMs = performance.now() - setupStart;
    const sessionId = await openPasswordSession(teacher, 'Burst');

    const run = await checkInBurst(client, students, checkInPath(teacher, sessionId), PASSWORD, IN_FLIGHT);
    console.info(`cluster burst: ${STUDENTS} students launched through the proxy in ${secs(setupMs)} (${(STUDENTS / (setupMs / 1000)).toFixed(0)}/s, ${LAUNCH_IN_FLIGHT} at a time); ` +
      `${STUDENTS} check-ins, ${IN_FLIGHT} in flight, in ${secs(run.wallMs)} (${(STUDENTS / (run.wallMs / 1000)).toFixed(0)}/s) by instance ${JSON.stringify(count(run.replies.map((r) => r.upstream)))}`);
    expect(allFine(run.replies)).toEqual([]);
    expect(Object.keys(count(run.replies.map((r) => r.upstream))).sort()).toEqual([...upstreams].sort());

    const records = await AttendanceRecordModel.find({ sessionId }, { userId: 1 }).lean();
    const audits = await AuditEntryModel.find({ sessionId }, { userId: 1 }).lean();
    expect(records).toHaveLength(STUDENTS);
    expect(new Set(records.map((r) => r.userId)).size).toBe(STUDENTS);
    expect(audits.map((a) => a.userId).sort()).toEqual(students.map((s) => s.userId).sort());

    const gradeStart = performance.now();
    await gradesSettled(teacher.activityId);
    console.info(`cluster grade sync: ${STUDENTS} scores delivered ${secs(performance.now() - gradeStart)} after the burst ended`);
    const scores = scoresByUser(c.lms, 'cl-course');
    expect(Object.keys(scores)).toHaveLength(STUDENTS);
    expect(Object.entries(scores).filter(([, n]) => n !== 1)).toEqual([]);
  });

  it(`when the same ${THROUGHPUT_RUN} check-ins go through one instance and through three, then both are complete and the figures are printed`, async () => {
    const group = students.slice(0, THROUGHPUT_RUN);
    const figures: string[] = [];
    for (const [label, base] of [['3 instances', c.url], ['1 instance', c.oneUrl]] as const) {
      await gradesSettled(teacher.activityId);
      const sessionId = await openPasswordSession(teacher, `Throughput ${label}`);
      const runClient = httpsClient(base, c.cert.pem, IN_FLIGHT);
      const run = await checkInBurst(runClient, group, checkInPath(teacher, sessionId), PASSWORD, IN_FLIGHT);
      runClient.close();
      expect(allFine(run.replies)).toEqual([]);
      expect(await AttendanceRecordModel.countDocuments({ sessionId })).toBe(THROUGHPUT_RUN);
      expect(await AuditEntryModel.countDocuments({ sessionId })).toBe(THROUGHPUT_RUN);
      const sorted = run.replies.map((r) => r.ms).sort((a, b) => a - b);
      const p = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
      figures.push(`${label}: ${secs(run.wallMs)}, ${(THROUGHPUT_RUN / (run.wallMs / 1000)).toFixed(0)} check-ins/s, p50 ${p(0.5).toFixed(0)} ms, p95 ${p(0.95).toFixed(0)} ms`);
    }
    console.info(`cluster throughput (${THROUGHPUT_RUN} check-ins through nginx, ${IN_FLIGHT} in flight): ${figures.join('; ')}`);
  });

  it('when an instance is killed (SIGKILL) during a burst, then nginx fails over, and in the end every student has exactly one record and one audit entry and no score is posted twice', async () => {
    await gradesSettled(teacher.activityId);
    const before = scoresByUser(c.lms, 'cl-course');
    const victim = c.instances[2];
    if (!victim) throw new Error('no third instance');
    const group = students.slice(0, KILL_RUN);
    const sessionId = await openPasswordSession(teacher, 'Killed');
    let deadLeases: string[] = [];
    let killed = false;
    const run = await checkInBurst(client, group, checkInPath(teacher, sessionId), PASSWORD, IN_FLIGHT, (sent) => {
      if (sent === KILL_RUN / 3 && !killed) {
        killed = true;
        victim.tool.child.kill('SIGKILL');
      }
    });
    expect(killed).toBe(true);
    expect(victim.tool.child.signalCode).toBe('SIGKILL');
    const finalStatuses = count(run.replies.map((r) => String(r.status)));
    console.info(`cluster kill: ${KILL_RUN} check-ins, one instance killed after ${KILL_RUN / 3} answers; ${run.retried} students sent again after a 502 or a dropped connection; final answers ${JSON.stringify(finalStatuses)}`);
    // 303: checked in; 409 "already marked": a retry whose first attempt had been saved by the killed instance.
    expect(run.replies.filter((r) => r.status !== 303 && !(r.status === 409 && run.retried > 0))).toEqual([]);

    const records = await AttendanceRecordModel.find({ sessionId }, { userId: 1 }).lean();
    const audits = await AuditEntryModel.find({ sessionId }, { userId: 1 }).lean();
    expect(records.map((r) => r.userId).sort()).toEqual(group.map((s) => s.userId).sort());
    expect(audits.map((a) => a.userId).sort()).toEqual(group.map((s) => s.userId).sort());

    // The killed instance's claims on grade jobs lapse by themselves after 2 minutes; the test
    // does not wait that long: it moves those leases' end to now (only the dead holder's).
    const pidMark = `:${victim.tool.child.pid}:`;
    const stranded = await JobLeaseModel.find({ holder: { $regex: pidMark.replace(/[.]/g, '\\.') } }).lean();
    deadLeases = stranded.map((l) => l._id);
    await JobLeaseModel.updateMany({ _id: { $in: deadLeases } }, { $set: { until: new Date() } });
    await gradesSettled(teacher.activityId);
    const after = scoresByUser(c.lms, 'cl-course');
    const notOnce = group.map((s) => ({ userId: s.userId, newScores: (after[s.userId] ?? 0) - (before[s.userId] ?? 0) })).filter((s) => s.newScores !== 1);
    // A job the killed instance held may have reached the LMS just before the kill: then the LMS
    // gets the same score a second time (AGS scores are idempotent). Only that repeat is allowed;
    // no score may be missing.
    const heldByDead = deadLeases.map((id) => id.replace(/^grade-sync:/, ''));
    console.info(`cluster kill: ${deadLeases.length} leases of the killed instance moved to lapse now; students with other than one new score: ${JSON.stringify(notOnce)}`);
    expect(notOnce.filter((s) => !(s.newScores === 2 && heldByDead.some((jobId) => jobId.endsWith(`:${s.userId}`))))).toEqual([]);
  });
});
