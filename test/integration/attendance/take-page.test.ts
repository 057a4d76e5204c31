import { AttendanceRecordModel } from '../../../src/attendance/attendance-record.model';
import { AuditEntryModel } from '../../../src/attendance/audit-entry.model';
import { StatusSetModel } from '../../../src/status-sets/status-set.model';
import { startHarness, TestHarness } from '../../support/tool';
import {
  addGroup, addSession, addStudents, auditOf, follow, formFromPage, launchTeacher, recordsOf, rowNames, Student, takeForm, visibleText,
} from './take-helpers';

let h: TestHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const CLASS: Student[] = [
  { id: 's-zane', givenName: 'Zane', familyName: 'Čakste' },
  { id: 's-anna', givenName: 'Anna', familyName: 'Bērziņa' },
  { id: 's-liga', givenName: 'Līga', familyName: 'Ozola' },
  { id: 's-janis', givenName: 'Jānis', familyName: 'Kalniņš' },
  { id: 's-gone', givenName: 'Ivars', familyName: 'Aizgājis', active: false },
];

describe('the take page lists the session audience', () => {
  it('when a session is for all students, then every active student is listed by last name (or first name with sort=first) and all are unmarked', async () => {
    const t = await launchTeacher(h, 'take-list');
    await addStudents(t.courseId, CLASS);
    const sessionId = await addSession(t);
    const page = await t.get(sessionId);
    expect(page.status).toBe(200);
    expect(rowNames(page.text)).toEqual(['Bērziņa, Anna', 'Čakste, Zane', 'Kalniņš, Jānis', 'Ozola, Līga']);
    const text = visibleText(page.text);
    expect(text).toContain('Take attendance');
    expect(text).toContain('Mon, 2 Mar 2099, 10:00–11:30 · All students');
    expect(text).toContain('4 still unmarked');
    expect(text).not.toContain('Aizgājis'); // inactive, no record
    expect(text).not.toContain('Terry'); // the teacher is not taken
    expect(page.text.match(/take-row--unmarked/g)).toHaveLength(4);
    expect(page.text.match(/badge badge--warn take-flag">Unmarked</g)).toHaveLength(4);

    const byFirst = await t.get(sessionId, 'sort=first');
    expect(rowNames(byFirst.text)).toEqual(['Anna Bērziņa', 'Jānis Kalniņš', 'Līga Ozola', 'Zane Čakste']);
    expect(byFirst.text).toContain('name="sort" value="first"');
  });

  it('when a session is for a group, then only the active members of that group are listed', async () => {
    const t = await launchTeacher(h, 'take-group');
    await addStudents(t.courseId, CLASS);
    const groupId = await addGroup(t.courseId, 'Lab A', ['s-anna', 's-liga', 's-gone']);
    const sessionId = await addSession(t, { kind: 'group', groupId });
    const page = await t.get(sessionId);
    expect(rowNames(page.text)).toEqual(['Bērziņa, Anna', 'Ozola, Līga']);
    expect(visibleText(page.text)).toContain('Group Lab A');
  });

  it('when the Latvian launch opens the page, then it is in Latvian with Latvian collation', async () => {
    const t = await launchTeacher(h, 'take-lv', { locale: 'lv' });
    await addStudents(t.courseId, [...CLASS, { id: 's-cits', givenName: 'Cits', familyName: 'Cīrulis' }]);
    const page = await t.get(await addSession(t));
    expect(rowNames(page.text)).toEqual(['Bērziņa, Anna', 'Cīrulis, Cits', 'Čakste, Zane', 'Kalniņš, Jānis', 'Ozola, Līga']);
    expect(visibleText(page.text)).toContain('Vēl neatzīmēti: 5');
  });
});

describe('saving attendance', () => {
  it('when the teacher marks students and saves, then one record per marked student is created and coming back shows them', async () => {
    const t = await launchTeacher(h, 'take-save');
    await addStudents(t.courseId, CLASS);
    const sessionId = await addSession(t);
    const before = Date.now();
    const res = await t.post(sessionId, takeForm([
      { userId: 's-anna', statusId: t.status.P },
      { userId: 's-zane', statusId: t.status.L, remark: '  Bus was late ' },
      { userId: 's-janis' },
      { userId: 's-liga', statusId: t.status.A },
    ]));
    expect(res.status).toBe(303);
    const page = await follow(t, res);
    expect(visibleText(page.text)).toContain('Attendance saved: 3 changes.');
    expect(visibleText(page.text)).toContain('1 still unmarked');

    const records = await recordsOf(sessionId);
    expect(records.map((r) => [r.userId, r.statusId, r.remark, r.source, r.updatedBy])).toEqual([
      ['s-anna', t.status.P, '', 'teacher', t.userId],
      ['s-liga', t.status.A, '', 'teacher', t.userId],
      ['s-zane', t.status.L, 'Bus was late', 'teacher', t.userId],
    ]);
    expect(records.every((r) => typeof r._id === 'string' && r.courseId === t.courseId && r.statusSetId === `${t.activityId}-default`)).toBe(true);

    const audit = await auditOf(sessionId);
    expect(audit).toHaveLength(3);
    const zane = audit.find((a) => a.userId === 's-zane');
    expect(zane).toMatchObject({ actorId: t.userId, source: 'teacher', from: { statusId: null, remark: '' }, to: { statusId: t.status.L, remark: 'Bus was late' } });
    expect(zane?.at.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(zane?.at.getTime()).toBeLessThanOrEqual(Date.now() + 1000);

    // Coming back later: the same page with the saved marks, the remaining one highlighted.
    const again = await t.get(sessionId);
    const form = formFromPage(again.text);
    expect(form).toMatchObject({ count: '4', u0: 's-anna', s0: t.status.P, u1: 's-zane', s1: t.status.L, r1: 'Bus was late', u2: 's-janis', s2: '', u3: 's-liga', s3: t.status.A });
    expect(again.text.match(/take-row--unmarked/g)).toHaveLength(1);
  });

  it('when the same form is submitted twice, then the second save writes nothing and adds no audit entries', async () => {
    const t = await launchTeacher(h, 'take-idem');
    await addStudents(t.courseId, CLASS);
    const sessionId = await addSession(t);
    const form = takeForm([{ userId: 's-anna', statusId: t.status.P, remark: 'front row' }, { userId: 's-zane', statusId: t.status.E }]);
    await t.post(sessionId, form);
    const firstRecords = await recordsOf(sessionId);
    const auditCount = await AuditEntryModel.countDocuments({ sessionId });
    await new Promise((r) => setTimeout(r, 20)); // a write would move updatedAt

    const again = await t.post(sessionId, form);
    expect(again.headers.location).toContain('saved=0');
    expect(visibleText((await follow(t, again)).text)).toContain('Attendance saved. Nothing had changed.');
    // What the page shows, posted back unchanged, is no change either.
    const page = await t.get(sessionId);
    const unchanged = await t.post(sessionId, formFromPage(page.text));
    expect(unchanged.headers.location).toContain('saved=0');

    expect(await recordsOf(sessionId)).toEqual(firstRecords);
    expect(await AuditEntryModel.countDocuments({ sessionId })).toBe(auditCount);
  });

  it('when marks and remarks are changed later, then only the changed rows get audit entries with from → to, and the history shows who and when', async () => {
    const t = await launchTeacher(h, 'take-audit');
    await addStudents(t.courseId, CLASS);
    const sessionId = await addSession(t);
    await t.post(sessionId, takeForm([{ userId: 's-anna', statusId: t.status.P }, { userId: 's-zane', statusId: t.status.P }, { userId: 's-liga', statusId: t.status.P }]));
    const res = await t.post(sessionId, takeForm([
      { userId: 's-anna', statusId: t.status.L, remark: 'came at 10:20' },
      { userId: 's-zane', statusId: t.status.P, remark: 'left early' },
      { userId: 's-liga', statusId: t.status.P },
    ]));
    expect(res.headers.location).toContain('saved=2');
    const second = (await auditOf(sessionId)).slice(3);
    expect(second.map((a) => [a.userId, a.from, a.to])).toEqual(expect.arrayContaining([
      ['s-anna', { statusId: t.status.P, remark: '' }, { statusId: t.status.L, remark: 'came at 10:20' }],
      ['s-zane', { statusId: t.status.P, remark: '' }, { statusId: t.status.P, remark: 'left early' }],
    ]));
    expect(second).toHaveLength(2);

    const history = await t.history(sessionId, 's-anna');
    expect(history.status).toBe(200);
    const text = visibleText(history.text);
    expect(text).toContain('Change history: Anna Bērziņa');
    expect(text).toContain('Terry Teacher');
    expect(text).toMatch(/P → .*L/);
    expect(text).toMatch(/unmarked → .*P/);
    expect(text).toMatch(/\(no remark\) → .*came at 10:20/);
    // The time is shown in the activity's zone (Europe/Riga), not the server's.
    const at = (await AuditEntryModel.findOne({ sessionId, userId: 's-anna' }).sort({ at: -1 }).lean())?.at ?? new Date();
    const riga = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Riga', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(at);
    expect(text).toContain(riga);

    const all = visibleText((await t.history(sessionId)).text);
    expect(all).toContain('Change history of this session');
    expect(all).toContain('Čakste');
    // The take page links every marked student's history.
    expect((await t.get(sessionId)).text).toContain(`/take/history/s-anna?ltik=`);
  });
});

describe('records outside the audience, check-ins and hidden statuses', () => {
  it('when a student left the group or became inactive, then their records are kept and shown in a separate block', async () => {
    const t = await launchTeacher(h, 'take-former');
    await addStudents(t.courseId, CLASS);
    const groupId = await addGroup(t.courseId, 'Lab B', ['s-anna', 's-liga', 's-zane']);
    const sessionId = await addSession(t, { kind: 'group', groupId });
    await t.post(sessionId, takeForm([{ userId: 's-anna', statusId: t.status.P }, { userId: 's-liga', statusId: t.status.L, remark: 'traffic' }, { userId: 's-zane', statusId: t.status.A }]));
    const { GroupModel } = await import('../../../src/groups/group.model');
    const { MemberModel } = await import('../../../src/roster/member.model');
    await GroupModel.updateOne({ _id: groupId }, { $pull: { memberIds: 's-liga' } });
    await MemberModel.updateOne({ courseId: t.courseId, userId: 's-zane' }, { $set: { active: false } });

    const page = await t.get(sessionId);
    expect(rowNames(page.text)).toEqual(['Bērziņa, Anna']);
    const text = visibleText(page.text);
    expect(text).toContain("No longer in this session's audience");
    expect(text).toMatch(/Ozola, Līga .*L · Late .*traffic .*Left the session's group/);
    expect(text).toMatch(/Čakste, Zane .*A · Absent .*Inactive in the course/);
    expect(await AttendanceRecordModel.countDocuments({ sessionId })).toBe(3);

    // Saving the page again leaves their records alone.
    await t.post(sessionId, formFromPage(page.text));
    expect((await recordsOf(sessionId)).map((r) => r.statusId)).toEqual([t.status.P, t.status.L, t.status.A]);
  });

  it('when a student checked in themselves, then the page says "Self-recorded" beside the teacher remark, and a teacher status change makes the record the teacher\'s', async () => {
    const t = await launchTeacher(h, 'take-self');
    await addStudents(t.courseId, CLASS);
    const sessionId = await addSession(t);
    await AttendanceRecordModel.create({
      courseId: t.courseId, activityId: t.activityId, sessionId, userId: 's-liga', statusSetId: `${t.activityId}-default`, statusId: t.status.P,
      source: 'self', updatedBy: 's-liga', selfRecordedAt: new Date(),
    });
    const page = await t.get(sessionId);
    expect(page.text).toMatch(/name="r3" value=""[^>]*><span class="badge badge--ok take-self">Self-recorded</);
    expect(page.text.match(/take-self/g)).toHaveLength(1);
    expect(visibleText(page.text)).toContain('3 still unmarked');

    // A remark only: still a check-in.
    const form = formFromPage(page.text);
    await t.post(sessionId, { ...form, r3: 'checked by phone' });
    expect(await AttendanceRecordModel.findOne({ sessionId, userId: 's-liga' }).lean()).toMatchObject({ source: 'self', remark: 'checked by phone', statusId: t.status.P });
    // The teacher overrides the status (on the page as it is now): the teacher's record, the check-in still noted.
    await t.post(sessionId, { ...formFromPage((await t.get(sessionId)).text), s3: t.status.L });
    expect(await AttendanceRecordModel.findOne({ sessionId, userId: 's-liga' }).lean()).toMatchObject({ source: 'teacher', statusId: t.status.L, updatedBy: t.userId });
    expect((await t.get(sessionId)).text).toContain('Self-recorded');
  });

  it('when a status is hidden, then it is not offered for new marks but a record that has it keeps it shown and selected', async () => {
    const t = await launchTeacher(h, 'take-hidden');
    await addStudents(t.courseId, CLASS);
    const sessionId = await addSession(t);
    await t.post(sessionId, takeForm([{ userId: 's-anna', statusId: t.status.E }]));
    await StatusSetModel.updateOne({ _id: `${t.activityId}-default`, 'statuses._id': t.status.E }, { $set: { 'statuses.$.visible': false } });

    const page = await t.get(sessionId);
    expect(page.text.match(new RegExp(`value="${t.status.E}"`, 'g'))).toHaveLength(1); // only Anna's row, checked
    expect(formFromPage(page.text).s0).toBe(t.status.E);
    expect(page.text).not.toContain(`name="setAll" value="${t.status.E}"`);
    // Saving it unchanged is fine; giving it to someone else is refused.
    expect((await t.post(sessionId, formFromPage(page.text))).status).toBe(303);
    const refused = await t.post(sessionId, { ...formFromPage(page.text), s1: t.status.E });
    expect(refused.status).toBe(400);
    expect(visibleText(refused.text)).toContain('Čakste, Zane: the status is hidden and can no longer be given.');
    expect(await AttendanceRecordModel.countDocuments({ sessionId })).toBe(1);
  });
});

describe('who may take attendance', () => {
  it('when a student opens or posts the take page, then they are refused with 403', async () => {
    const t = await launchTeacher(h, 'take-guard');
    await addStudents(t.courseId, CLASS);
    const sessionId = await addSession(t);
    const student = await h.lms.launch({ role: 'Learner', context: { id: 'take-guard' }, resourceLink: { id: 'rl1' }, user: { id: 's-anna' } });
    const get = await student.agent.get(`${t.takePath(sessionId)}?ltik=${encodeURIComponent(student.ltik ?? '')}`);
    expect(get.status).toBe(403);
    const post = await student.agent.post(t.takePath(sessionId)).type('form').send({ ltik: student.ltik, ...takeForm([{ userId: 's-anna', statusId: t.status.P }]) });
    expect(post.status).toBe(403);
    const history = await student.agent.get(`${t.takePath(sessionId)}/history?ltik=${encodeURIComponent(student.ltik ?? '')}`);
    expect(history.status).toBe(403);
    expect(await AttendanceRecordModel.countDocuments({ sessionId })).toBe(0);
  });

  it("when a teacher uses another course's session id, then the page, the save and the history answer 404 and nothing is written", async () => {
    const a = await launchTeacher(h, 'take-course-a');
    const b = await launchTeacher(h, 'take-course-b');
    await addStudents(b.courseId, CLASS);
    const bSession = await addSession(b);
    expect((await a.get(bSession)).status).toBe(404);
    expect((await a.post(bSession, takeForm([{ userId: 's-anna', statusId: b.status.P }]))).status).toBe(404);
    expect((await a.history(bSession)).status).toBe(404);
    expect((await a.history(bSession, 's-anna')).status).toBe(404);
    expect(await AttendanceRecordModel.countDocuments({ sessionId: bSession })).toBe(0);
    expect((await a.get('no-such-session')).status).toBe(404);
  });
});
