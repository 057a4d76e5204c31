import supertest from 'supertest';
import { startHarness, TestHarness } from '../../support/tool';
import { auditOf, launchTeacher, recordsOf, TakeCourse, visibleText } from '../attendance/take-helpers';
import { checkInPath, openPasswordSession, PASSWORD } from './password-session';

/**
 * Repeated and concurrent submissions (issue #5, "Speed and scale"): the unique index on
 * (sessionId, userId) plus the insert-only upsert keep one record per student, and the losers of
 * a race are told "already recorded", never shown an error page.
 */

let h: TestHarness;
beforeAll(async () => { h = await startHarness(); }, 60_000);
afterAll(async () => { await h.close(); });

async function student(contextId: string, userId: string): Promise<{ agent: supertest.Agent; ltik: string }> {
  const r = await h.lms.launch({ role: 'Learner', context: { id: contextId }, resourceLink: { id: 'rl1' }, user: { id: userId, givenName: 'Sam', familyName: userId } });
  if (!r.ltik) throw new Error(`student launch failed ${r.status}`);
  return { agent: r.agent, ltik: r.ltik };
}

const submit = (s: { agent: supertest.Agent; ltik: string }, path: string) => s.agent.post(path).type('form').send({ ltik: s.ltik, code: PASSWORD });

/** Either the redirect to the confirmation page or the "already recorded" page. */
function expectAcceptedOrAlready(res: supertest.Response, path: string): 'done' | 'already' {
  if (res.status === 303) {
    expect(String(res.headers.location)).toContain(`${path}/done?ltik=`);
    return 'done';
  }
  expect(res.status).toBe(409);
  expect(visibleText(res.text)).toContain('Your attendance is already recorded: P · Present. Nothing was changed.');
  return 'already';
}

describe('concurrent check-in submissions', () => {
  it('10 concurrent submissions by one student: one record, one audit entry, one "done" and nine "already"; a later one changes nothing', async () => {
    const t = await launchTeacher(h, 'cc-one');
    const id = await openPasswordSession(t);
    const s = await student('cc-one', 'cc-s1');
    const path = checkInPath(t, id);

    const results = await Promise.all(Array.from({ length: 10 }, () => submit(s, path)));
    const kinds = results.map((r) => expectAcceptedOrAlready(r, path));
    expect(kinds.filter((k) => k === 'done')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'already')).toHaveLength(9);

    const records = await recordsOf(id);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ userId: 'cc-s1', source: 'self', statusId: t.status.P });
    expect(records[0]?.updatedAt).toBeInstanceOf(Date);
    const audit = await auditOf(id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ userId: 'cc-s1', actorId: 'cc-s1', source: 'self', from: { statusId: null }, to: { statusId: t.status.P } });

    const done = await s.agent.get(String(results.find((r) => r.status === 303)?.headers.location));
    expect(done.status).toBe(200);
    expect(visibleText(done.text)).toContain('Attendance recorded');

    // Then once more, later (a back button, a double tap): "already", and nothing is rewritten.
    await new Promise((resolve) => setTimeout(resolve, 20)); // a rewrite would get a later updatedAt
    expect(expectAcceptedOrAlready(await submit(s, path), path)).toBe('already');
    const after = await recordsOf(id);
    expect(after).toEqual(records);
    expect(after[0]?.updatedAt?.getTime()).toBe(records[0]?.updatedAt?.getTime());
    expect(await auditOf(id)).toHaveLength(1);
  });

  it('two different students at the same time: two records, two audit entries', async () => {
    const t = await launchTeacher(h, 'cc-two');
    const id = await openPasswordSession(t);
    const [a, b] = await Promise.all([student('cc-two', 'cc-a'), student('cc-two', 'cc-b')]);
    const path = checkInPath(t, id);

    const results = await Promise.all([submit(a, path), submit(b, path), submit(a, path), submit(b, path)]);
    const kinds = results.map((r) => expectAcceptedOrAlready(r, path));
    expect(kinds.filter((k) => k === 'done')).toHaveLength(2);

    const records = await recordsOf(id);
    expect(records.map((r) => r.userId)).toEqual(['cc-a', 'cc-b']);
    expect(records.every((r) => r.source === 'self' && r.statusId === t.status.P)).toBe(true);
    expect((await auditOf(id)).map((e) => e.userId).sort()).toEqual(['cc-a', 'cc-b']);
  });
});
