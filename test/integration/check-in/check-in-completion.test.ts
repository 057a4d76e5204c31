/**
 * Issue #16 item 2 (found by the cluster test's SIGKILL): a check-in is three writes — the
 * record, its audit entry, the grade job. An instance killed between them left a record without
 * the others, and the student's retry ("already checked in") repaired nothing. Now the retry
 * completes the check-in. The kill is simulated here by removing what a killed instance would not
 * have written; test/integration/cluster/cluster.test.ts kills a real instance.
 */
import { AttendanceRecordModel } from '../../../src/attendance/attendance-record.model';
import { AuditEntryModel } from '../../../src/attendance/audit-entry.model';
import { GradeSyncJobModel, gradeSyncJobId } from '../../../src/grading/grade-sync.model';
import { startHarness, TestHarness } from '../../support/tool';
import { launchTeacher, type TakeCourse } from '../attendance/take-helpers';
import { checkInPath, openPasswordSession, PASSWORD } from './password-session';

let h: TestHarness;
let t: TakeCourse;
beforeAll(async () => {
  h = await startHarness();
  t = await launchTeacher(h, 'completion-course');
});
afterAll(async () => {
  await h?.close();
});

async function checkIn(sessionId: string, userId: string) {
  const s = await h.lms.launch({ role: 'Learner', context: { id: 'completion-course' }, resourceLink: { id: 'rl1' }, user: { id: userId } });
  const send = () => s.agent.post(checkInPath(t, sessionId)).type('form').send({ ltik: s.ltik, code: PASSWORD });
  return { first: await send(), again: send };
}
const audits = (sessionId: string, userId: string) => AuditEntryModel.find({ sessionId, userId }).lean();

describe('a check-in an instance could not finish', () => {
  it('when the instance died after the record (no audit entry, no grade job), then the student\'s retry completes both', async () => {
    const sessionId = await openPasswordSession(t);
    const { first, again } = await checkIn(sessionId, 'cc-s1');
    expect(first.status).toBe(303);
    // What a SIGKILL right after the record's write leaves behind.
    await AuditEntryModel.deleteMany({ sessionId, userId: 'cc-s1' });
    await GradeSyncJobModel.deleteOne({ _id: gradeSyncJobId(t.activityId, 'cc-s1') });

    expect((await again()).status).toBe(409);
    const record = await AttendanceRecordModel.findOne({ sessionId, userId: 'cc-s1' }).lean<{ statusId: string; selfRecordedAt: Date }>();
    const entries = await audits(sessionId, 'cc-s1');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actorId: 'cc-s1', source: 'self', at: record?.selfRecordedAt, from: { statusId: null }, to: { statusId: record?.statusId } });
    expect(await GradeSyncJobModel.findById(gradeSyncJobId(t.activityId, 'cc-s1')).lean()).toMatchObject({ state: 'pending' });
  });

  it('when the instance died after the audit entry (no grade job), then the retry enqueues the grade and adds no second entry', async () => {
    const sessionId = await openPasswordSession(t);
    const { first, again } = await checkIn(sessionId, 'cc-s2');
    expect(first.status).toBe(303);
    await GradeSyncJobModel.deleteOne({ _id: gradeSyncJobId(t.activityId, 'cc-s2') });
    expect((await again()).status).toBe(409);
    expect(await audits(sessionId, 'cc-s2')).toHaveLength(1);
    expect(await GradeSyncJobModel.findById(gradeSyncJobId(t.activityId, 'cc-s2')).lean()).toMatchObject({ state: 'pending' });
  });

  it('when a finished check-in is sent again (a double tap), then nothing is added', async () => {
    const sessionId = await openPasswordSession(t);
    const { first, again } = await checkIn(sessionId, 'cc-s3');
    expect(first.status).toBe(303);
    await Promise.all([again(), again(), again()]);
    expect(await audits(sessionId, 'cc-s3')).toHaveLength(1);
    expect(await AttendanceRecordModel.countDocuments({ sessionId, userId: 'cc-s3' })).toBe(1);
  });
});
