import { randomUUID } from 'node:crypto';
import { AttendanceRecordModel } from '../../../src/attendance/attendance-record.model';
import { AuditEntryModel } from '../../../src/attendance/audit-entry.model';
import { AttendanceSessionModel } from '../../../src/sessions/attendance-session.model';
import { startHarness, TestHarness } from '../../support/tool';
import {
  addSession, addStudents, auditOf, conflictTexts, Fields, follow, formFromPage, launchTeacher, recordsOf, rowIndex, Student, TakeCourse, takeForm, visibleText,
} from './take-helpers';

/**
 * Issue #13, "no silent overwrite": two pages (two tabs of one teacher, or two teachers) open
 * the same take page. A save writes only the rows changed on its page, each only if the record
 * is still what that page showed; rows changed elsewhere meanwhile come back highlighted with
 * both values, who changed them and when, and the teacher keeps either.
 */

let h: TestHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

// By last name: Bērziņa (0), Čakste (1), Ozola (2), Wilson (3).
const CLASS: Student[] = [
  { id: 's-anna', givenName: 'Anna', familyName: 'Bērziņa' },
  { id: 's-zane', givenName: 'Zane', familyName: 'Čakste' },
  { id: 's-liga', givenName: 'Līga', familyName: 'Ozola' },
  { id: 's-oliver', givenName: 'Oliver', familyName: 'Wilson' },
];

/** "10:42" as the page shows a change's time: in the activity's zone (Europe/Riga). */
const hhmm = (at: Date | undefined) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Riga', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at ?? new Date(0));

async function lastChange(sessionId: string, userId: string) {
  return AuditEntryModel.findOne({ sessionId, userId }).sort({ at: -1 }).lean();
}

/** The page's own form with some rows changed, as a teacher would post it. */
function edit(html: string, changes: Record<string, { s?: string; r?: string; c?: 'theirs' | 'mine' }>): Fields {
  const form = formFromPage(html);
  for (const [userId, change] of Object.entries(changes)) {
    const i = rowIndex(html, userId);
    if (change.s !== undefined) form[`s${i}`] = change.s;
    if (change.r !== undefined) form[`r${i}`] = change.r;
    if (change.c !== undefined) form[`c${i}`] = change.c;
  }
  return form;
}

/** Two teachers in one course; everyone already marked: Bērziņa P, Čakste P, Ozola L "bus", Wilson P. */
async function markedClass(contextId: string): Promise<{ t1: TakeCourse; t2: TakeCourse; sessionId: string }> {
  const t1 = await launchTeacher(h, contextId);
  const t2 = await launchTeacher(h, contextId, { userId: `janis-${contextId}`, name: ['Jānis', 'Ozols'] });
  await addStudents(t1.courseId, CLASS);
  const sessionId = await addSession(t1);
  const first = await t1.post(sessionId, takeForm([
    { userId: 's-anna', statusId: t1.status.P }, { userId: 's-zane', statusId: t1.status.P },
    { userId: 's-liga', statusId: t1.status.L, remark: 'bus' }, { userId: 's-oliver', statusId: t1.status.P },
  ]));
  expect(first.status).toBe(303);
  return { t1, t2, sessionId };
}

/** The measured case: both pages open; tab 2 changes Ozola L → P with a remark; tab 1 changes only Wilson. */
async function measuredCase(contextId: string) {
  const { t1, t2, sessionId } = await markedClass(contextId);
  const page1 = await t1.get(sessionId);
  const page2 = await t2.get(sessionId);
  const saved2 = await t2.post(sessionId, edit(page2.text, { 's-liga': { s: t2.status.P, r: 'came back at 10:40' } }));
  expect(saved2.status).toBe(303);
  const res = await t1.post(sessionId, edit(page1.text, { 's-oliver': { s: t1.status.E } }));
  return { t1, t2, sessionId, res };
}

describe('two pages open on the same session', () => {
  it('when tab 2 changed Ozola and tab 1 saves a change to Wilson only, then Ozola keeps P and the remark, Wilson is saved, and tab 1 hears of 1 change and 1 conflict with both values, who and when', async () => {
    const { t1, t2, sessionId, res } = await measuredCase('cf-measured');
    expect(res.status).toBe(409);
    const text = visibleText(res.text);
    expect(text).toContain('Attendance saved: 1 change. 1 conflict:');

    const liga = await AttendanceRecordModel.findOne({ sessionId, userId: 's-liga' }).lean();
    expect(liga).toMatchObject({ statusId: t1.status.P, remark: 'came back at 10:40', updatedBy: t2.userId });
    expect(await AttendanceRecordModel.findOne({ sessionId, userId: 's-oliver' }).lean()).toMatchObject({ statusId: t1.status.E, updatedBy: t1.userId });
    // Tab 1 wrote one audit entry (Wilson's), none for Ozola.
    const byTab1 = (await auditOf(sessionId)).slice(4).filter((e) => e.actorId === t1.userId);
    expect(byTab1.map((e) => [e.userId, e.from?.statusId, e.to?.statusId])).toEqual([['s-oliver', t1.status.P, t1.status.E]]);

    const conflicts = conflictTexts(res.text);
    expect(conflicts).toHaveLength(1);
    const at = (await lastChange(sessionId, 's-liga'))?.at;
    expect(conflicts[0]).toContain(`Changed by Jānis Ozols at ${hhmm(at)} to P · Present, remark “came back at 10:40”.`);
    expect(conflicts[0]).toContain('This page showed L · Late, remark “bus”.');
    expect(res.text).toMatch(/<tr class="take-row[^"]*take-row--conflict/);
    // The form now carries what is stored, and "keep theirs" is chosen until the teacher says otherwise.
    const form = formFromPage(res.text);
    const i = rowIndex(res.text, 's-liga');
    expect(JSON.parse(form[`w${i}`] ?? '')).toEqual([t1.status.P, 'came back at 10:40']);
    expect(form[`c${i}`]).toBe('theirs');
  });

  it('when tab 1 then saves again keeping theirs, then nothing is written and no conflict is reported again', async () => {
    const { t1, t2, sessionId, res } = await measuredCase('cf-keep');
    expect(res.status).toBe(409);
    const before = await recordsOf(sessionId);
    await new Promise((r) => setTimeout(r, 20)); // a write would move updatedAt
    const again = await t1.post(sessionId, formFromPage(res.text));
    expect(again.status).toBe(303);
    expect(visibleText((await follow(t1, again)).text)).toContain('Attendance saved. Nothing had changed.');
    expect(await recordsOf(sessionId)).toEqual(before);
    expect(await AttendanceRecordModel.findOne({ sessionId, userId: 's-liga' }).lean()).toMatchObject({ statusId: t2.status.P, remark: 'came back at 10:40' });
  });

  it('when tab 1 then saves again choosing "use mine", then its value replaces theirs, with an audit entry from theirs to mine', async () => {
    const { t1, t2, sessionId, res } = await measuredCase('cf-mine');
    const mine = await t1.post(sessionId, edit(res.text, { 's-liga': { c: 'mine' } }));
    expect(mine.status).toBe(303);
    expect(String(mine.headers.location)).toContain('saved=1');
    expect(await AttendanceRecordModel.findOne({ sessionId, userId: 's-liga' }).lean()).toMatchObject({ statusId: t1.status.L, remark: 'bus', updatedBy: t1.userId });
    expect(await lastChange(sessionId, 's-liga')).toMatchObject({
      actorId: t1.userId, from: { statusId: t2.status.P, remark: 'came back at 10:40' }, to: { statusId: t1.status.L, remark: 'bus' },
    });
  });

  it('when both pages change the same student, then the later save keeps the earlier change, says "you chose", and "use mine" then saves the later choice', async () => {
    const { t1, t2, sessionId } = await markedClass('cf-both');
    const page1 = await t1.get(sessionId);
    const page2 = await t2.get(sessionId);
    expect((await t2.post(sessionId, edit(page2.text, { 's-liga': { s: t2.status.P, r: 'came back' } }))).status).toBe(303);
    const res = await t1.post(sessionId, edit(page1.text, { 's-liga': { s: t1.status.A, r: 'not seen' }, 's-anna': { r: 'front row' } }));
    expect(res.status).toBe(409);
    const text = visibleText(res.text);
    expect(text).toContain('Attendance saved: 1 change. 1 conflict:');
    const [conflict] = conflictTexts(res.text);
    expect(conflict).toContain(`Changed by Jānis Ozols at ${hhmm((await lastChange(sessionId, 's-liga'))?.at)} to P · Present, remark “came back”.`);
    expect(conflict).toContain('You chose A · Absent, remark “not seen”.');
    // What the teacher typed is still in the row.
    const form = formFromPage(res.text);
    const i = rowIndex(res.text, 's-liga');
    expect([form[`s${i}`], form[`r${i}`]]).toEqual([t1.status.A, 'not seen']);
    expect(await AttendanceRecordModel.findOne({ sessionId, userId: 's-liga' }).lean()).toMatchObject({ statusId: t1.status.P, remark: 'came back' });
    expect(await AttendanceRecordModel.findOne({ sessionId, userId: 's-anna' }).lean()).toMatchObject({ remark: 'front row' });

    const mine = await t1.post(sessionId, edit(res.text, { 's-liga': { c: 'mine' } }));
    expect(mine.status).toBe(303);
    expect(await AttendanceRecordModel.findOne({ sessionId, userId: 's-liga' }).lean()).toMatchObject({ statusId: t1.status.A, remark: 'not seen', updatedBy: t1.userId });
  });

  it('when two tabs of one teacher give a student a first mark at the same moment, then one record and one audit entry exist and the other tab gets the conflict', async () => {
    const a = await launchTeacher(h, 'cf-first');
    const b = await launchTeacher(h, 'cf-first');
    await addStudents(a.courseId, CLASS);
    const sessionId = await addSession(a);
    const [pageA, pageB] = await Promise.all([a.get(sessionId), b.get(sessionId)]);
    const [ra, rb] = await Promise.all([
      a.post(sessionId, edit(pageA.text, { 's-oliver': { s: a.status.P } })),
      b.post(sessionId, edit(pageB.text, { 's-oliver': { s: b.status.L, r: 'bus' } })),
    ]);
    expect([ra.status, rb.status].sort()).toEqual([303, 409]);
    const records = await recordsOf(sessionId);
    expect(records).toHaveLength(1);
    const audit = await auditOf(sessionId);
    expect(audit).toHaveLength(1);
    expect(audit[0]?.to).toEqual({ statusId: records[0]?.statusId, remark: records[0]?.remark });
    const loser = ra.status === 409 ? ra : rb;
    const [conflict] = conflictTexts(loser.text);
    expect(conflict).toContain(`Changed by you in another window at ${hhmm(audit[0]?.at)}`);
    expect(conflict).toMatch(/You chose (P · Present, no remark|L · Late, remark “bus”)\./);
    expect(visibleText(loser.text)).toContain('Nothing was saved. 1 conflict:');
  });

  it('when another change lands between the save reading the records and writing them, then it is still caught: neither the changed record nor the new first mark is overwritten', async () => {
    const { t1, sessionId } = await markedClass('cf-between');
    await AttendanceRecordModel.deleteOne({ sessionId, userId: 's-zane' }); // Čakste: unmarked on the page
    const page = await t1.get(sessionId);
    const collection = AttendanceRecordModel.collection;
    const realBulkWrite = collection.bulkWrite.bind(collection);
    const spy = jest.spyOn(collection, 'bulkWrite').mockImplementationOnce(async (ops, options) => {
      // Someone else, after this save has read the records and before it writes.
      await collection.updateOne({ sessionId, userId: 's-liga' }, { $set: { statusId: t1.status.E, remark: 'doctor', updatedBy: 'other' } });
      await collection.insertOne({
        _id: randomUUID() as never, courseId: t1.courseId, activityId: t1.activityId, sessionId, userId: 's-zane', statusSetId: `${t1.activityId}-default`,
        statusId: t1.status.A, remark: '', source: 'teacher', updatedBy: 'other', createdAt: new Date(), updatedAt: new Date(),
      });
      return realBulkWrite(ops, options);
    });
    try {
      const res = await t1.post(sessionId, edit(page.text, { 's-liga': { s: t1.status.P }, 's-zane': { s: t1.status.L }, 's-oliver': { r: 'left early' } }));
      expect(res.status).toBe(409);
      expect(visibleText(res.text)).toContain('Attendance saved: 1 change. 2 conflicts:');
      const texts = conflictTexts(res.text).join(' | ');
      expect(texts).toContain('Changed elsewhere to E · Excused, remark “doctor”.');
      expect(texts).toContain('Changed elsewhere to A · Absent.');
    } finally {
      spy.mockRestore();
    }
    expect(await AttendanceRecordModel.findOne({ sessionId, userId: 's-liga' }).lean()).toMatchObject({ statusId: t1.status.E, remark: 'doctor' });
    expect(await AttendanceRecordModel.findOne({ sessionId, userId: 's-zane' }).lean()).toMatchObject({ statusId: t1.status.A, updatedBy: 'other' });
    expect(await AttendanceRecordModel.findOne({ sessionId, userId: 's-oliver' }).lean()).toMatchObject({ remark: 'left early' });
    expect(await AttendanceRecordModel.countDocuments({ sessionId })).toBe(4);
  });

  it('when rows the teacher did not touch were changed elsewhere, then they are never written: records, audit and updatedAt stay as the other change left them', async () => {
    const { t1, t2, sessionId } = await markedClass('cf-untouched');
    await AttendanceRecordModel.deleteOne({ sessionId, userId: 's-zane' });
    const page1 = await t1.get(sessionId);
    const page2 = await t2.get(sessionId);
    // Tab 2: a remark only (Bērziņa), a status (Ozola), a first mark (Čakste).
    const saved2 = await t2.post(sessionId, edit(page2.text, { 's-anna': { r: 'phoned' }, 's-liga': { s: t2.status.A }, 's-zane': { s: t2.status.E } }));
    expect(saved2.status).toBe(303);
    const afterTab2 = await recordsOf(sessionId);
    const auditAfterTab2 = await AuditEntryModel.countDocuments({ sessionId });
    await new Promise((r) => setTimeout(r, 20));

    const res = await t1.post(sessionId, edit(page1.text, { 's-oliver': { s: t1.status.L } }));
    expect(res.status).toBe(409);
    expect(visibleText(res.text)).toContain('Attendance saved: 1 change. 2 conflicts:');
    const after = await recordsOf(sessionId);
    expect(after.filter((r) => r.userId !== 's-oliver')).toEqual(afterTab2.filter((r) => r.userId !== 's-oliver'));
    expect(await AuditEntryModel.countDocuments({ sessionId })).toBe(auditAfterTab2 + 1);
    // Čakste was unmarked on tab 1's page and left alone: simply shown with the new mark, not a conflict.
    const texts = conflictTexts(res.text);
    expect(texts).toHaveLength(2);
    expect(texts[0]).toContain('Bērziņa, Anna');
    expect(texts[1]).toContain('Ozola, Līga');
    expect(texts[0]).toContain('to P · Present, remark “phoned”.');
    expect(texts[0]).toContain('This page showed P · Present, no remark.');
    expect(formFromPage(res.text)[`s${rowIndex(res.text, 's-zane')}`]).toBe(t1.status.E);
  });

  it('when a student checks in while the page is open and the teacher marks that student, then the check-in stays and the message names it; "use mine" then overrides it', async () => {
    const t = await launchTeacher(h, 'cf-self');
    await addStudents(t.courseId, CLASS);
    const sessionId = randomUUID();
    await AttendanceSessionModel.create({
      _id: sessionId, courseId: t.courseId, activityId: t.activityId, startsAt: new Date(Date.now() - 5 * 60_000), durationMinutes: 90,
      timezone: 'Europe/Riga', description: 'Lecture', audience: { kind: 'all' }, statusSetId: `${t.activityId}-default`, createdBy: 'teacher',
    });
    const settings = await t.agent.post(`/activity/${t.activityId}/teacher/sessions/${sessionId}/self-marking`).type('form').send({
      ltik: t.ltik, enabled: '1', password: 'ACDEFG', statusMode: 'auto', lateAfterMinutes: '10', opensMinutesBefore: '0',
      allowedCidrs: '', rotateSeconds: '15', graceSeconds: '5', action: 'save',
    });
    expect(settings.status).toBe(303);
    const page = await t.get(sessionId);

    const student = await h.lms.launch({ role: 'Learner', context: { id: 'cf-self' }, resourceLink: { id: 'rl1' }, user: { id: 's-oliver', givenName: 'Oliver', familyName: 'Wilson' } });
    const checkIn = await student.agent.post(`/activity/${t.activityId}/student/sessions/${sessionId}/check-in`).type('form').send({ ltik: student.ltik, code: 'ACDEFG' });
    expect(checkIn.status).toBe(303);

    const res = await t.post(sessionId, edit(page.text, { 's-oliver': { s: t.status.A }, 's-anna': { s: t.status.P } }));
    expect(res.status).toBe(409);
    const [conflict] = conflictTexts(res.text);
    expect(conflict).toContain(`The student checked in at ${hhmm((await lastChange(sessionId, 's-oliver'))?.at)}: P · Present.`);
    expect(conflict).toContain('You chose A · Absent.');
    expect(await AttendanceRecordModel.findOne({ sessionId, userId: 's-oliver' }).lean()).toMatchObject({ statusId: t.status.P, source: 'self' });
    expect(await AttendanceRecordModel.findOne({ sessionId, userId: 's-anna' }).lean()).toMatchObject({ statusId: t.status.P, source: 'teacher' });

    expect((await t.post(sessionId, edit(res.text, { 's-oliver': { c: 'mine' } }))).status).toBe(303);
    const oliver = await AttendanceRecordModel.findOne({ sessionId, userId: 's-oliver' }).lean();
    expect(oliver).toMatchObject({ statusId: t.status.A, source: 'teacher' });
    expect(oliver?.selfRecordedAt).toBeInstanceOf(Date);
  });

  it('when automatic marking marks a student the teacher then marks on a stale page, then the automatic mark stays and the message says so', async () => {
    const { t1, t2, sessionId } = await markedClass('cf-auto');
    await AttendanceRecordModel.deleteOne({ sessionId, userId: 's-zane' });
    const page1 = await t1.get(sessionId);
    const auto = await t2.agent.post(`${t2.takePath(sessionId)}/auto-mark`).type('form').send({ ltik: t2.ltik });
    expect(auto.status).toBe(303);
    const res = await t1.post(sessionId, edit(page1.text, { 's-zane': { s: t1.status.P } }));
    expect(res.status).toBe(409);
    const [conflict] = conflictTexts(res.text);
    expect(conflict).toContain(`Marked automatically at ${hhmm((await lastChange(sessionId, 's-zane'))?.at)}: A · Absent.`);
    expect(conflict).toContain('You chose P · Present.');
    expect(await AttendanceRecordModel.findOne({ sessionId, userId: 's-zane' }).lean()).toMatchObject({ statusId: t1.status.A, source: 'auto' });
  });

  it('when "Everyone: P" is pressed on a stale page and saved, then everyone else gets P and the student changed meanwhile is a conflict', async () => {
    const { t1, t2, sessionId } = await markedClass('cf-bulk');
    await AttendanceRecordModel.updateMany({ sessionId }, { $set: { statusId: t1.status.A } });
    const page1 = await t1.get(sessionId);
    const page2 = await t2.get(sessionId);
    expect((await t2.post(sessionId, edit(page2.text, { 's-liga': { s: t2.status.L, r: 'train' } }))).status).toBe(303);

    const preview = await t1.post(sessionId, { ...formFromPage(page1.text), setAll: t1.status.P });
    expect(preview.status).toBe(200);
    expect(visibleText(preview.text)).toContain('Not saved yet: 4 students set to P · Present.');
    const res = await t1.post(sessionId, formFromPage(preview.text));
    expect(res.status).toBe(409);
    expect(visibleText(res.text)).toContain('Attendance saved: 3 changes. 1 conflict:');
    expect(conflictTexts(res.text)[0]).toContain('to L · Late, remark “train”.');
    expect(conflictTexts(res.text)[0]).toContain('You chose P · Present, remark “bus”.');
    const records = await recordsOf(sessionId);
    expect(records.map((r) => [r.userId, r.statusId])).toEqual([
      ['s-anna', t1.status.P], ['s-liga', t1.status.L], ['s-oliver', t1.status.P], ['s-zane', t1.status.P],
    ]);
  });

  it('when a save is refused for bad input, then the form comes back with the values it showed, so a change made meanwhile is still caught after the fix', async () => {
    const { t1, t2, sessionId } = await markedClass('cf-refused');
    const page1 = await t1.get(sessionId);
    const page2 = await t2.get(sessionId);
    const refused = await t1.post(sessionId, edit(page1.text, { 's-anna': { r: 'x'.repeat(501) } }));
    expect(refused.status).toBe(400);
    expect(visibleText(refused.text)).toContain('Bērziņa, Anna: the remark is longer than 500 characters.');
    expect((await t2.post(sessionId, edit(page2.text, { 's-liga': { s: t2.status.A } }))).status).toBe(303);

    const fixed = await t1.post(sessionId, edit(refused.text, { 's-anna': { r: 'short' } }));
    expect(fixed.status).toBe(409);
    expect(await AttendanceRecordModel.findOne({ sessionId, userId: 's-liga' }).lean()).toMatchObject({ statusId: t1.status.A });
    expect(await AttendanceRecordModel.findOne({ sessionId, userId: 's-anna' }).lean()).toMatchObject({ remark: 'short' });
  });

  it('when the values a row showed arrive broken, or only some rows carry them, then the form is refused and nothing is saved', async () => {
    const { t1, sessionId } = await markedClass('cf-broken');
    const page = await t1.get(sessionId);
    const auditBefore = await AuditEntryModel.countDocuments({ sessionId });
    const broken = await t1.post(sessionId, { ...edit(page.text, { 's-anna': { s: t1.status.L } }), w0: 'not json' });
    expect(broken.status).toBe(400);
    expect(visibleText(broken.text)).toContain('The form arrived incomplete. Reload the page and try again.');
    const partial = edit(page.text, { 's-anna': { s: t1.status.L } });
    delete partial.w1;
    expect((await t1.post(sessionId, partial)).status).toBe(400);
    expect(await AuditEntryModel.countDocuments({ sessionId })).toBe(auditBefore);
  });
});
