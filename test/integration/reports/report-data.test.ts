import { randomUUID } from 'node:crypto';
import { AttendanceRecordModel } from '../../../src/attendance/attendance-record.model';
import { ActivityModel } from '../../../src/courses/activity.model';
import { GroupModel } from '../../../src/groups/group.model';
import { loadReport, LoadedReport } from '../../../src/reports/report-data.service';
import { MemberModel } from '../../../src/roster/member.model';
import { AttendanceSessionModel } from '../../../src/sessions/attendance-session.model';
import { Refusal } from '../../../src/shared/errors';
import { StatusSetModel } from '../../../src/status-sets/status-set.model';
import { launchTeacher } from '../attendance/take-helpers';
import { startHarness, TestHarness } from '../../support/tool';

/**
 * loadReport on a crafted data set stored in the database; every expected number is computed
 * by hand in the comments.
 *
 * Default set: P 2, L 1, E 1 (excused), A 0 (automatic) → a session is worth 2.
 * Labs set:    P 3, H Half 1.5, M Missed 0 (automatic), S Sick 0 (excused) → a lab is worth 3.
 * Groups: G1 = { anna, dan }, G2 = { ben }. cara was in G1 when s2 was taken; she has left since.
 * "now" = 2024-03-20 12:00 UTC. Everyone joined 2024-01-01 except dan (2024-03-10).
 *
 *               s1 03-01  s2 03-08  lab1 03-12  sG2 03-13  s3 03-15  s4 03-27
 *               all       G1        all (Labs)  G2         all       all (future)
 *   anna        P         E         H           ·          A         –
 *   ben         L         ·         P           L          P         –
 *   cara        A         P (left)  S           ·          –         –
 *   dan (late)  ·         ·         M           ·          L         –
 *   finn        –         ·         –           ·          –         –     (no records)
 *   eve (inactive) E      ·         –           ·          P         –
 */

const NOW = new Date('2024-03-20T12:00:00Z');
const JOINED = new Date('2024-01-01T00:00:00Z');

let h: TestHarness;
let courseId: string;
let activityId: string;
let otherGroupId: string;
const group: Record<'G1' | 'G2', string> = { G1: '', G2: '' };

function statusIds(base: string) {
  return { P: `${base}-P`, L: `${base}-L`, E: `${base}-E`, A: `${base}-A` };
}

async function seed(): Promise<void> {
  const t = await launchTeacher(h, 'rd-main');
  courseId = t.courseId;
  activityId = t.activityId;
  const other = await launchTeacher(h, 'rd-other');

  const d = statusIds(`${activityId}-default`);
  const labsId = randomUUID();
  const lab = { P: `${labsId}-P`, H: `${labsId}-H`, M: `${labsId}-M`, S: `${labsId}-S` };
  await StatusSetModel.create({
    _id: labsId, courseId, activityId, name: 'Labs', autoStatusId: lab.M,
    statuses: [
      { _id: lab.P, acronym: 'P', description: 'Present', points: 3, order: 1 },
      { _id: lab.H, acronym: 'H', description: 'Half', points: 1.5, order: 2 },
      { _id: lab.M, acronym: 'M', description: 'Missed', points: 0, order: 3 },
      { _id: lab.S, acronym: 'S', description: 'Sick', points: 0, order: 4, excused: true },
    ],
  });

  const member = (userId: string, over: Record<string, unknown> = {}) => ({
    courseId, userId, givenName: userId[0]!.toUpperCase() + userId.slice(1), familyName: 'Tester', name: `${userId} Tester`,
    role: 'student', active: true, ltiRoles: ['Learner'], createdAt: JOINED, ...over,
  });
  await MemberModel.insertMany([
    member('anna'), member('ben'), member('cara'), member('dan', { createdAt: new Date('2024-03-10T00:00:00Z') }), member('finn'),
    member('eve', { active: false }),
    // The same person in another course must not appear here.
    { ...member('anna'), courseId: other.courseId },
  ]);

  group.G1 = randomUUID();
  group.G2 = randomUUID();
  otherGroupId = randomUUID();
  await GroupModel.insertMany([
    { _id: group.G1, courseId, name: 'G1', nameKey: 'g1', memberIds: ['anna', 'dan'] },
    { _id: group.G2, courseId, name: 'G2', nameKey: 'g2', memberIds: ['ben'] },
    { _id: otherGroupId, courseId: other.courseId, name: 'G1', nameKey: 'g1', memberIds: ['anna'] },
  ]);

  const session = (id: string, startsAt: string, statusSetId: string, audience: { kind: 'all' | 'group'; groupId?: string } = { kind: 'all' }) => ({
    _id: id, courseId, activityId, startsAt: new Date(startsAt), durationMinutes: 90, timezone: 'Europe/Riga',
    description: id, audience, statusSetId, createdBy: 'teacher',
  });
  const defaultSetId = `${activityId}-default`;
  await AttendanceSessionModel.insertMany([
    session('s1', '2024-03-01T08:00:00Z', defaultSetId),
    session('s2', '2024-03-08T08:00:00Z', defaultSetId, { kind: 'group', groupId: group.G1 }),
    session('lab1', '2024-03-12T10:00:00Z', labsId),
    session('sG2', '2024-03-13T08:00:00Z', defaultSetId, { kind: 'group', groupId: group.G2 }),
    session('s3', '2024-03-15T08:00:00Z', defaultSetId),
    session('s4', '2024-03-27T08:00:00Z', defaultSetId),
  ]);

  const rec = (sessionId: string, userId: string, statusId: string, remark = '') => ({
    courseId, activityId, sessionId, userId, statusId, remark, statusSetId: sessionId === 'lab1' ? labsId : defaultSetId,
  });
  await AttendanceRecordModel.insertMany([
    rec('s1', 'anna', d.P), rec('s1', 'ben', d.L), rec('s1', 'cara', d.A, 'overslept'), rec('s1', 'eve', d.E),
    rec('s2', 'anna', d.E), rec('s2', 'cara', d.P),
    rec('lab1', 'anna', lab.H), rec('lab1', 'ben', lab.P), rec('lab1', 'cara', lab.S), rec('lab1', 'dan', lab.M),
    rec('sG2', 'ben', d.L),
    rec('s3', 'anna', d.A), rec('s3', 'ben', d.P), rec('s3', 'dan', d.L), rec('s3', 'eve', d.P),
  ]);
}

beforeAll(async () => {
  h = await startHarness();
  await seed();
});
afterAll(async () => {
  await h?.close();
});

async function setOptions(countUnmarkedAsAuto: boolean, excludeExcused: boolean): Promise<void> {
  await ActivityModel.updateOne({ _id: activityId, courseId }, { $set: { 'grading.countUnmarkedAsAuto': countUnmarkedAsAuto, 'grading.excludeExcused': excludeExcused } });
}

/** [taken, earned, possible, percentage rounded to 2 decimals] per student, by user id. */
function numbersOf(loaded: LoadedReport): Record<string, [number, number, number, number | null]> {
  return Object.fromEntries(loaded.report.rows.map((r) => {
    const p = r.summary.percentage;
    return [r.student.userId, [r.summary.taken, r.summary.earned, r.summary.possible, p === null ? null : Math.round(p * 100) / 100]];
  }));
}

describe('the numbers of the crafted class', () => {
  it('when the rule is the default one, then every student\'s numbers are the hand-computed ones', async () => {
    await setOptions(false, false);
    const loaded = await loadReport(courseId, activityId, {}, NOW);
    expect(numbersOf(loaded)).toEqual({
      anna: [4, 4.5, 9, 50], //  P 2 + E 1 + H 1.5 + A 0 = 4.5 of 2 + 2 + 3 + 2 = 9 → 50 %
      ben: [4, 7, 9, 77.78], //  L 1 + lab P 3 + L 1 + P 2 = 7 of 2 + 3 + 2 + 2 = 9 → 77.777… %
      cara: [3, 2, 7, 28.57], // A 0 + P 2 (left G1, record kept) + S 0 = 2 of 2 + 2 + 3 = 7 → 28.571… %; s3 unmarked: not counted
      dan: [2, 1, 5, 20], //    M 0 + L 1 = 1 of 3 + 2 = 5 → 20 % (s1, s2 ended before he joined)
      finn: [0, 0, 0, null], // no records → no percentage ("–")
    });
    expect(loaded.report.sessions.map((s) => s.id)).toEqual(['s1', 's2', 'lab1', 'sG2', 's3', 's4']);
  });

  it('when per-session summaries are made, then expected / marked / unmarked and counts per acronym are the hand-counted ones', async () => {
    await setOptions(false, false);
    const { report } = await loadReport(courseId, activityId, {}, NOW);
    expect(report.sessionSummaries.map((s) => [s.sessionId, s.ended, s.expected, s.marked, s.unmarked, s.countsByAcronym])).toEqual([
      ['s1', true, 4, 3, 1, { P: 1, L: 1, A: 1 }], //      anna ben cara finn (dan not yet); finn unmarked; eve inactive
      ['s2', true, 2, 2, 0, { E: 1, P: 1 }], //            G1: anna (dan not yet) + cara, who left but has a record
      ['lab1', true, 5, 4, 1, { H: 1, P: 1, S: 1, M: 1 }], // everyone active; finn unmarked
      ['sG2', true, 1, 1, 0, { L: 1 }], //                 G2: ben
      ['s3', true, 5, 3, 2, { A: 1, P: 1, L: 1 }], //      cara and finn unmarked
      ['s4', false, 5, 0, 5, {}], //                       not ended, nobody marked
    ]);
    // Default P 1, L 2, E 3, A 4; Labs P 1, H 2, M 3, S 4 → by order, then by acronym
    expect(report.acronyms).toEqual(['P', 'H', 'L', 'E', 'M', 'A', 'S']);
  });

  it('when cells are read, then remarks, group sessions and the late joiner\'s sessions are as stored', async () => {
    await setOptions(false, false);
    const { report } = await loadReport(courseId, activityId, {}, NOW);
    const row = (id: string) => report.rows.find((r) => r.student.userId === id)!;
    expect(row('cara').cells[0]).toMatchObject({ remark: 'overslept', inAudience: true });
    expect(row('cara').cells[1]).toMatchObject({ statusId: `${activityId}-default-P`, inAudience: false });
    expect(row('anna').cells[3]).toEqual({ inAudience: false });
    expect(row('dan').cells.map((c) => c.inAudience)).toEqual([false, false, true, false, true, true]);
    expect(row('ben').countsByAcronym).toEqual({ L: 2, P: 2 }); // L s1 + L sG2; lab P + P s3: one P column for both sets
  });

  it('when "leave excused sessions out" is on, then E and S count in neither sum', async () => {
    await setOptions(false, true);
    const loaded = await loadReport(courseId, activityId, {}, NOW);
    expect(loaded.activity.options).toEqual({ countUnmarkedAsAuto: false, excludeExcused: true });
    expect(numbersOf(loaded)).toEqual({
      anna: [4, 3.5, 7, 50], // P 2 + H 1.5 + A 0 = 3.5 of 2 + 3 + 2 = 7 → 50 % (E left out)
      ben: [4, 7, 9, 77.78], // nothing excused
      cara: [3, 2, 4, 50], //   A 0 + P 2 = 2 of 2 + 2 = 4 → 50 % (S left out)
      dan: [2, 1, 5, 20],
      finn: [0, 0, 0, null],
    });
  });

  it('when "count unmarked past sessions as the automatic status" is on, then ended unmarked sessions count as A or M', async () => {
    await setOptions(true, false);
    const loaded = await loadReport(courseId, activityId, {}, NOW);
    expect(numbersOf(loaded)).toEqual({
      anna: [4, 4.5, 9, 50], // nothing unmarked
      ben: [4, 7, 9, 77.78], // nothing unmarked
      cara: [4, 2, 9, 22.22], // + s3 → A: 2 of 7 + 2 = 9 → 22.222… %
      dan: [2, 1, 5, 20], //    s1, s2 ended before he joined: not A for him; s4 has not ended
      finn: [3, 0, 7, 0], //    s1 → A 0, lab1 → M 0, s3 → A 0 = 0 of 2 + 3 + 2 = 7 → 0 %
    });
    await setOptions(false, false);
  });

  it('when the activity has its settings, then they come with the report', async () => {
    await ActivityModel.updateOne({ _id: activityId, courseId }, { $set: { reportThreshold: 80, 'grading.maxGrade': 10, 'grading.type': 'none' } });
    const loaded = await loadReport(courseId, activityId, {}, NOW);
    expect(loaded.activity).toMatchObject({ threshold: 80, maxGrade: 10, gradeType: 'none', timezone: 'Europe/Riga' });
    expect(loaded.groups.map((g) => g.name)).toEqual(['G1', 'G2']);
    await ActivityModel.updateOne({ _id: activityId, courseId }, { $set: { reportThreshold: 70, 'grading.maxGrade': 100, 'grading.type': 'points' } });
  });
});

describe('filters', () => {
  beforeAll(async () => {
    await setOptions(false, false);
  });

  it('when a date range is given, then only sessions starting in it count (to is exclusive)', async () => {
    const loaded = await loadReport(courseId, activityId, { from: new Date('2024-03-12T00:00:00Z'), to: new Date('2024-03-15T08:00:00Z') }, NOW);
    expect(loaded.report.sessions.map((s) => s.id)).toEqual(['lab1', 'sG2']);
    expect(numbersOf(loaded)).toEqual({
      anna: [1, 1.5, 3, 50], // H 1.5 of 3
      ben: [2, 4, 5, 80], //    lab P 3 + L 1 = 4 of 3 + 2 = 5 → 80 %
      cara: [1, 0, 3, 0], //    S 0 of 3
      dan: [1, 0, 3, 0], //     M 0 of 3
      finn: [0, 0, 0, null],
    });
  });

  it('when a group is chosen, then only its members and the sessions for everyone or for it are in the report', async () => {
    const loaded = await loadReport(courseId, activityId, { groupId: group.G1 }, NOW);
    expect(loaded.report.sessions.map((s) => s.id)).toEqual(['s1', 's2', 'lab1', 's3', 's4']);
    expect(numbersOf(loaded)).toEqual({ anna: [4, 4.5, 9, 50], dan: [2, 1, 5, 20] });
    // s2 for G1: anna only (dan had not joined); cara has left G1, so her record is not in this report
    expect(loaded.report.sessionSummaries[1]).toMatchObject({ sessionId: 's2', expected: 1, marked: 1, unmarked: 0, countsByAcronym: { E: 1 } });
  });

  it('when students are chosen, then only they are in the report; inactive ones only when asked for', async () => {
    const chosen = await loadReport(courseId, activityId, { userIds: ['ben', 'eve'] }, NOW);
    expect(Object.keys(numbersOf(chosen))).toEqual(['ben']);
    const withInactive = await loadReport(courseId, activityId, { userIds: ['ben', 'eve'], includeInactive: true }, NOW);
    expect(numbersOf(withInactive)).toEqual({
      ben: [4, 7, 9, 77.78],
      eve: [2, 3, 4, 75], // E 1 + P 2 = 3 of 2 + 2 = 4 → 75 %
    });
    expect(withInactive.report.rows.find((r) => r.student.userId === 'eve')?.student.active).toBe(false);
  });

  it('when inactive students are included, then they are counted in the session summaries too', async () => {
    const { report } = await loadReport(courseId, activityId, { includeInactive: true }, NOW);
    expect(report.rows).toHaveLength(6);
    // s1: anna ben cara finn eve = 5 expected; P L A E marked = 4
    expect(report.sessionSummaries[0]).toMatchObject({ sessionId: 's1', expected: 5, marked: 4, unmarked: 1, countsByAcronym: { P: 1, L: 1, A: 1, E: 1 } });
  });

  it('when the group belongs to another course, or does not exist, then it is not found', async () => {
    await expect(loadReport(courseId, activityId, { groupId: otherGroupId }, NOW)).rejects.toMatchObject({ kind: 'not_found' });
    await expect(loadReport(courseId, activityId, { groupId: 'no-such-group' }, NOW)).rejects.toBeInstanceOf(Refusal);
  });

  it('when the activity is asked for under another course, then it is not found', async () => {
    const other = await launchTeacher(h, 'rd-other');
    await expect(loadReport(other.courseId, activityId, {}, NOW)).rejects.toMatchObject({ kind: 'not_found' });
  });
});
