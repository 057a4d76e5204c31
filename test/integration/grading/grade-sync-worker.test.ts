import { startHarness, TestHarness } from '../../support/tool';
import { addSession, addStudents, takeForm } from '../attendance/take-helpers';
import { gradebookOf, jobOf, launchGradedTeacher } from './grade-sync-helpers';

/** The real worker, started with the tool, on the real clock: a saved mark reaches the gradebook by itself. */

let h: TestHarness;
beforeAll(async () => {
  h = await startHarness({ gradeSyncIntervalMs: 100 });
}, 60_000);
afterAll(async () => {
  await h?.close();
});

async function eventually<T>(read: () => T | Promise<T>, ok: (v: T) => boolean, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > until) return v;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the grade sync worker', () => {
  it('when a teacher saves attendance, then the grade reaches the LMS gradebook within moments, without any further request', async () => {
    const t = await launchGradedTeacher(h, 'worker-1');
    await addStudents(t.courseId, [{ id: 'ann', givenName: 'Ann', familyName: 'Abele' }, { id: 'bob', givenName: 'Bob', familyName: 'Berzs' }]);
    const session = await addSession(t);
    const res = await t.post(session, takeForm([{ userId: 'ann', statusId: t.status.L }, { userId: 'bob', statusId: t.status.P }]));
    expect(res.status).toBe(303);
    expect(await eventually(() => gradebookOf(h, 'worker-1'), (g) => Object.keys(g).length === 2)).toEqual({ ann: 50, bob: 100 });
    expect(await eventually(() => jobOf(t.activityId, 'ann'), (j) => j?.state === 'done')).toMatchObject({ state: 'done', lastScore: 50 });

    // An outage: the worker retries on its backoff (a minute on the real clock), so the job waits, visibly.
    h.lms.failNext('scores', 503, 1);
    expect((await t.post(session, takeForm([{ userId: 'ann', statusId: t.status.P }]))).status).toBe(303);
    expect(await eventually(() => jobOf(t.activityId, 'ann'), (j) => j?.attempts === 1)).toMatchObject({ state: 'pending', attempts: 1, lastError: 'lms_error' });
    expect(gradebookOf(h, 'worker-1')).toEqual({ ann: 50, bob: 100 });
  });
});
