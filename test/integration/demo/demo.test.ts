import { execFile } from 'node:child_process';
import path from 'node:path';
import mongoose from 'mongoose';
import supertest from 'supertest';
import { DEMO_CONTEXT } from '../../../src/demo/demo-course';
import { Demo, DemoRefusedError, startDemo } from '../../../src/demo/demo';
import { parseAutoPostForm } from '../../../src/demo/lms-simulator/util';
import { GroupModel } from '../../../src/groups/group.model';
import { MemberModel } from '../../../src/roster/member.model';
import { testDbName, testMongoUri } from '../../support/test-db';

const dbName = testDbName('demo');
let demo: Demo;

beforeAll(async () => {
  demo = await startDemo({ toolPort: 0, lmsPort: 0, mongoUri: testMongoUri(), dbName });
});
afterAll(async () => {
  await mongoose.connection.useDb(`${dbName}_ltijs`).dropDatabase().catch(() => undefined);
  await mongoose.connection.dropDatabase().catch(() => undefined);
  await demo.close();
});

const unescape = (s: string) => s.replace(/&amp;/g, '&');

/** Follows a simulator launch link like a browser: simulator → tool /login → simulator /auth → tool /launch → page. */
async function browserLaunch(href: string): Promise<supertest.Response> {
  const tool = supertest.agent(demo.tool.url);
  const toTool = (u: string) => { const x = new URL(u, demo.tool.url); return x.pathname + x.search; };
  const launch = await fetch(new URL(href, demo.lms.url), { redirect: 'manual' });
  expect(launch.status).toBe(302);
  const start = await fetch(new URL(String(launch.headers.get('location')), demo.lms.url), { redirect: 'manual' });
  const login = await tool.get(toTool(String(start.headers.get('location'))));
  expect(login.status).toBe(302);
  const auth = await fetch(String(login.headers.location), { redirect: 'manual' });
  const form = parseAutoPostForm(await auth.text());
  if (!form) throw new Error(`no launch form from the simulator (${auth.status})`);
  let res = await tool.post(toTool(form.action)).type('form').send(form.fields);
  for (let hops = 0; hops < 5 && res.status >= 300 && res.status < 400; hops++) res = await tool.get(toTool(String(res.headers.location)));
  return res;
}

describe('demo mode (LMS simulator + tool)', () => {
  it('when the simulator home is opened, then it lists the 32 course members with both launch links each and the gradebook link', async () => {
    const res = await supertest(demo.lms.url).get('/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Fizika 101 / Physics 101');
    const rows = res.text.match(/<tr><td>/g) ?? [];
    expect(rows).toHaveLength(32);
    expect(res.text.match(/\(in the course page\)/g)).toHaveLength(32);
    expect(res.text.match(/\(new window\)/g)).toHaveLength(32);
    for (const name of ['Anna Bērziņa', 'Jānis Kalniņš', 'Līga Ozola', 'Emily Clarke', 'Oliver Smith']) expect(res.text).toContain(name);
    expect(res.text).toContain('Teaching assistant');
    expect(res.text).toContain('href="/gradebook"');
  });

  it('when Latvian is chosen, then the launch links carry it and the iframe page embeds a launch', async () => {
    const home = await supertest(demo.lms.url).get('/?lang=lv');
    expect(home.text).toContain('/launch/student-01?mode=frame&amp;lang=lv');
    const frame = await supertest(demo.lms.url).get('/launch/student-01?mode=frame&lang=lv');
    expect(frame.status).toBe(200);
    expect(frame.text).toMatch(/<iframe id="tool" title="LTI Attendance" src="http:\/\/[^"]+\/start\/hint-/);
    expect((await supertest(demo.lms.url).get('/launch/nobody?mode=frame')).status).toBe(404);
  });

  it('when the teacher launches from the course page, then the teacher home opens and the roster holds the 30 students', async () => {
    const home = await supertest(demo.lms.url).get('/');
    const href = /href="(\/launch\/teacher-1\?mode=window[^"]*)"/.exec(home.text)?.[1];
    expect(href).toBeDefined();
    const res = await browserLaunch(unescape(href ?? ''));
    expect(res.status).toBe(200);
    expect((res as unknown as { req: { path: string } }).req.path).toMatch(/^\/activity\/[\w-]{22}\/teacher\?ltik=/);
    let students = 0;
    for (let i = 0; i < 50 && students < 30; i++) {
      students = await MemberModel.countDocuments({ courseId: demo.courseId, role: 'student' });
      if (students < 30) await new Promise((r) => setTimeout(r, 100));
    }
    expect(students).toBe(30);
    expect(await MemberModel.countDocuments({ courseId: demo.courseId, role: 'teacher' })).toBe(2);
  });

  it('when the demo starts, then the course has Group A and Group B with 15 students each', async () => {
    const groups = await GroupModel.find({ courseId: demo.courseId }).sort({ nameKey: 1 }).lean();
    expect(groups.map((g) => [g.name, g.memberIds.length])).toEqual([['Group A', 15], ['Group B', 15]]);
    const all = groups.flatMap((g) => g.memberIds);
    expect(new Set(all).size).toBe(30);
  });

  it('when the gradebook is opened, then it shows the line items and scores the tool posted, newest first, refreshing every 10 s', async () => {
    const lineItem = String(demo.lms.lineItems(DEMO_CONTEXT.id)[0]?.id ?? '');
    expect(lineItem).not.toBe('');
    const token = demo.lms.issueAccessToken();
    const scores = new URL(lineItem);
    scores.pathname += '/scores';
    const post = (userId: string, scoreGiven: number, timestamp: string) =>
      supertest(demo.lms.url).post(scores.pathname + scores.search).set('Authorization', `Bearer ${token}`)
        .set('Content-Type', 'application/vnd.ims.lis.v1.score+json')
        .send(JSON.stringify({ userId, scoreGiven, scoreMaximum: 100, activityProgress: 'Completed', gradingProgress: 'FullyGraded', timestamp }));
    expect((await post('student-01', 80, '2030-01-01T10:00:00Z')).status).toBeLessThan(300);
    expect((await post('student-02', 90, '2030-01-02T10:00:00Z')).status).toBeLessThan(300);
    const res = await supertest(demo.lms.url).get('/gradebook');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<meta http-equiv="refresh" content="10">');
    expect(res.text).toContain('Apmeklējums / Attendance');
    const emily = res.text.indexOf('Emily Clarke'), anna = res.text.indexOf('Anna Bērziņa');
    expect(emily).toBeGreaterThan(0);
    expect(anna).toBeGreaterThan(emily);
  });

  it('when the tool sends the person back to the LMS (the launch return_url), then that page links back to the course page, out of the iframe', async () => {
    const back = await supertest(demo.lms.url).get('/return');
    expect(back.status).toBe(200);
    expect(back.text).toContain('Returned to LMS.');
    expect(back.text).toContain('<base target="_top">');
    const link = /<a class="button" href="([^"]+)">([^<]+)<\/a>/.exec(back.text);
    expect(link?.[2]).toBe('Back to the course page: Fizika 101 / Physics 101');
    const course = await supertest(demo.lms.url).get(link?.[1] ?? '');
    expect(course.status).toBe(200);
    expect(course.text).toContain('<h1>Fizika 101 / Physics 101</h1>');
  });

  it('when NODE_ENV is production, then the demo refuses to start (programmatically and from the command line)', async () => {
    const saved = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await expect(startDemo({ toolPort: 0, lmsPort: 0, mongoUri: testMongoUri() })).rejects.toBeInstanceOf(DemoRefusedError);
    } finally {
      process.env.NODE_ENV = saved;
    }
    const root = path.resolve(__dirname, '../../..');
    const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/demo/demo.ts'], {
        cwd: root, env: { ...process.env, NODE_ENV: 'production' }, timeout: 30_000,
      }, (_err, _stdout, stderr) => resolve({ code: child.exitCode, stderr }));
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('NODE_ENV=production');
  }, 40_000);
});
