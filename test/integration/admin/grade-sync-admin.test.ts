import express from 'express';
import supertest from 'supertest';
import { adminApiRouter } from '../../../src/admin/admin.routes';
import { gradeSyncAdminRouter } from '../../../src/admin/grade-sync.admin.routes';
import { CourseModel } from '../../../src/courses/course.model';
import type { TestHarness } from '../../support/tool';
import { addSession, addStudents } from '../attendance/take-helpers';
import { ANN, BOB, CID, type GradeSyncRunner, gradeSyncSuite, launchGradedTeacher, mark } from '../grading/grade-sync-helpers';
import { checkAnswer, loadDoc } from './openapi-check';

/** GET /admin/api/grade-sync/failing: the administrator's list of every course whose grades are failing. */

const TOKEN = 'admin-token-for-grade-sync-tests-0123456789';
const MIN = 60_000;
let h: TestHarness;
let run: GradeSyncRunner;
const { clock } = gradeSyncSuite((harness, worker) => { h = harness; run = worker; }, { env: { ADMIN_TOKEN: TOKEN }, lms: { profile: 'openedx' } });

const doc = loadDoc();
/** Every answer must be the one the OpenAPI document describes (src/admin/openapi.ts). */
const api = async (path = '/admin/api/grade-sync/failing', token = TOKEN) => {
  const res = await supertest(h.tool.app).get(path).set('Authorization', `Bearer ${token}`);
  expect(checkAnswer(doc, 'GET', '/admin/api/grade-sync/failing', res)).toEqual([]);
  return res;
};

describe('the failing grades of every course, for the administrator', () => {
  it('when ADMIN_TOKEN is not set, then the endpoint does not exist (404)', async () => {
    const app = express().use(adminApiRouter(undefined, { routers: [gradeSyncAdminRouter()] }));
    const res = await supertest(app).get('/admin/api/grade-sync/failing').set('Authorization', `Bearer ${TOKEN}`);
    expect(res.status).toBe(404);
  });

  it('when the token is wrong or missing, then the answer is 401 and lists nothing', async () => {
    const wrong = await api(undefined, 'not-the-admin-token-at-all-0000000000');
    expect(wrong.status).toBe(401);
    expect(wrong.body).not.toHaveProperty('activities');
    expect((await supertest(h.tool.app).get('/admin/api/grade-sync/failing')).status).toBe(401);
  });

  it('when one course\'s grades are refused and another\'s arrive, then only the failing course is listed, with the LMS\'s message and the next attempt', async () => {
    const failing = await launchGradedTeacher(h, 'adm-failing', { title: 'Seminars' });
    const healthy = await launchGradedTeacher(h, 'adm-healthy', { title: 'Lectures' });
    await CourseModel.updateOne({ _id: failing.courseId }, { $set: { title: 'Physics 101', label: 'PHY101' } });
    await addStudents(failing.courseId, [ANN, BOB]);
    await addStudents(healthy.courseId, [CID]);
    await mark(healthy, await addSession(healthy), { cid: 'P' });
    expect(await run()).toMatchObject({ sent: 1 });

    const started = clock.now();
    await mark(failing, await addSession(failing), { ann: 'P', bob: 'L' });
    h.lms.failNext('scores', 400, 2);
    expect(await run()).toMatchObject({ failed: 2 });
    clock.advance(MIN / 2); // before their first retry
    await mark(healthy, await addSession(healthy), { cid: 'L' }); // the healthy course keeps delivering
    expect(await run()).toMatchObject({ sent: 1 });

    const res = await api();
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({
      activities: [{
        issuer: h.lms.issuer, clientId: h.lms.clientId, contextId: 'adm-failing', courseTitle: 'Physics 101', courseLabel: 'PHY101',
        activityId: failing.activityId, activityTitle: 'Seminars', failing: 2, failingSince: started.toISOString(),
        lastError: { reason: 'rejected', status: 400, message: 'mock LMS simulated a scores failure', at: started.toISOString() },
        nextAttemptAt: new Date(started.getTime() + MIN).toISOString(),
      }],
      next: null,
    });
  });

  it('when many activities are failing, then they come one page at a time, each once', async () => {
    for (const ctx of ['adm-page-1', 'adm-page-2']) {
      const t = await launchGradedTeacher(h, ctx);
      await addStudents(t.courseId, [ANN]);
      await mark(t, await addSession(t), { ann: 'A' });
    }
    h.lms.failNext('scores', 400, 2);
    expect(await run()).toMatchObject({ failed: 2 });

    const seen: string[] = [];
    let after: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const res = await api(`/admin/api/grade-sync/failing?limit=1${after ? `&after=${encodeURIComponent(after)}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.activities.length).toBeLessThanOrEqual(1);
      seen.push(...res.body.activities.map((a: { contextId: string }) => a.contextId));
      if (!res.body.next) break;
      after = res.body.next;
    }
    expect(seen.sort()).toEqual(['adm-failing', 'adm-page-1', 'adm-page-2']);
  });

  it('when the page size is not a number in range, then the answer is 400 with a problem body', async () => {
    for (const q of ['?limit=0', '?limit=9999', '?limit=abc']) {
      const res = await api(`/admin/api/grade-sync/failing${q}`);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ status: 400, title: 'Bad Request', errors: [expect.objectContaining({ field: 'limit', pointer: '/limit' })] });
    }
  });
});
