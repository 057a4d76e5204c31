/**
 * Issue #16 item 3: Prometheus metrics at /metrics, behind METRICS_TOKEN. Real launches and a real
 * check-in go through the tool; the scrape shows them by outcome, requests by route template
 * (never an id), and the database-derived gauges.
 */
import express from 'express';
import supertest from 'supertest';
import { MIGRATIONS } from '../../../src/migrations';
import { metricsRouter } from '../../../src/metrics/metrics.routes';
import { acquireLease } from '../../../src/shared/job-lease.service';
import { startHarness, TestHarness } from '../../support/tool';
import { launchTeacher } from '../attendance/take-helpers';
import { checkInPath, openPasswordSession, PASSWORD } from '../check-in/password-session';

const TOKEN = 'metrics-token-0123456789abcdef';
let h: TestHarness;
beforeAll(async () => {
  h = await startHarness({ env: { METRICS_TOKEN: TOKEN } });
});
afterAll(async () => {
  await h?.close();
});

const scrape = () => supertest(h.tool.url).get('/metrics').set('Authorization', `Bearer ${TOKEN}`);
/** The value of one sample line, e.g. value(text, 'lti_attendance_database_up'). */
function value(text: string, sample: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? undefined : Number(line.slice(sample.length + 1));
}

describe('/metrics', () => {
  it('when launches, a check-in and a refused launch happened, then the scrape counts them by outcome and requests by route template', async () => {
    const t = await launchTeacher(h, 'metrics-course');
    const sessionId = await openPasswordSession(t);
    const student = await h.lms.launch({ role: 'Learner', context: { id: 'metrics-course' }, resourceLink: { id: 'rl1' }, user: { id: 'metrics-s1' } });
    expect((await student.agent.post(checkInPath(t, sessionId)).type('form').send({ ltik: student.ltik, code: PASSWORD })).status).toBe(303);
    expect((await student.agent.post(checkInPath(t, sessionId)).type('form').send({ ltik: student.ltik, code: PASSWORD })).status).toBe(409);
    const forged = await h.lms.launch({ role: 'Learner', context: { id: 'metrics-course' }, resourceLink: { id: 'rl1' }, user: { id: 'metrics-s2' }, signWith: 'otherKey' });
    expect(forged.ltik).toBeUndefined();
    await acquireLease('auto-mark:metrics-probe', 'auto-mark:host-a:123:abcd', 60_000, new Date());

    const res = await scrape();
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    const text = res.text;
    expect(value(text, 'lti_attendance_launches_total{outcome="teacher",reason=""}')).toBe(1);
    expect(value(text, 'lti_attendance_launches_total{outcome="student",reason=""}')).toBe(1);
    expect(text).toMatch(/^lti_attendance_launches_total\{outcome="refused",reason="\w+"\} 1$/m);
    expect(value(text, 'lti_attendance_check_ins_total{method="password",outcome="recorded"}')).toBe(1);
    expect(value(text, 'lti_attendance_check_ins_total{method="password",outcome="already_marked"}')).toBe(1);
    expect(value(text, 'lti_attendance_http_requests_total{method="POST",route="/activity/:activityId/student/sessions/:sessionId/check-in",status="303"}')).toBe(1);
    expect(text).toContain('lti_attendance_http_request_duration_seconds_bucket{le="0.1",method="POST",route="/activity/:activityId/student/sessions/:sessionId/check-in"}');
    // Labels never carry ids.
    expect(text).not.toContain(t.activityId);
    expect(text).not.toContain(sessionId);
    expect(value(text, 'lti_attendance_database_up')).toBe(1);
    expect(value(text, 'lti_attendance_schema_version')).toBe(MIGRATIONS.length);
    expect(value(text, 'lti_attendance_grade_sync_jobs{state="pending"}')).toBeGreaterThanOrEqual(0);
    expect(value(text, 'lti_attendance_grade_sync_oldest_waiting_seconds')).toBeGreaterThanOrEqual(0);
    expect(value(text, 'lti_attendance_worker_leases{job="auto-mark",holder="host-a:123"}')).toBe(1);
    expect(text).toContain('lti_attendance_process_cpu_seconds_total');
  });

  it('when the token is missing or wrong, then 401; without METRICS_TOKEN the path does not exist', async () => {
    expect((await supertest(h.tool.url).get('/metrics')).status).toBe(401);
    expect((await supertest(h.tool.url).get('/metrics').set('Authorization', 'Bearer metrics-token-0123456789abcdeX')).status).toBe(401);
    const off = await supertest(express().use(metricsRouter(undefined))).get('/metrics').set('Authorization', `Bearer ${TOKEN}`);
    expect(off.status).toBe(404);
    expect(off.body.detail).toBe('The metrics endpoint is off: METRICS_TOKEN is not set.');
  });
});
