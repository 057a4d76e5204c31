import mongoose from 'mongoose';
import { AttendanceRecordModel } from '../../../src/attendance/attendance-record.model';
import { markedCounts } from '../../../src/attendance/attendance.service';
import { AuditEntryModel } from '../../../src/attendance/audit-entry.model';
import { subscribeAttendanceChanged } from '../../../src/grading/grade-hooks';
import { StatusSetModel } from '../../../src/status-sets/status-set.model';
import { startHarness, TestHarness } from '../../support/tool';
import { addSession, addStudents, auditOf, follow, formFromPage, launchTeacher, recordsOf, Student, takeForm, visibleText } from './take-helpers';

let h: TestHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const CLASS: Student[] = [
  { id: 's-anna', givenName: 'Anna', familyName: 'Bērziņa' },
  { id: 's-janis', givenName: 'Jānis', familyName: 'Kalniņš' },
  { id: 's-liga', givenName: 'Līga', familyName: 'Ozola' },
  { id: 's-peteris', givenName: 'Pēteris', familyName: 'Zariņš' },
];

async function nothingSaved(sessionId: string): Promise<void> {
  expect(await AttendanceRecordModel.countDocuments({ sessionId })).toBe(0);
  expect(await AuditEntryModel.countDocuments({ sessionId })).toBe(0);
}

describe('a refused form saves nothing and says why', () => {
  it('when one row has a status of another set, then the whole form is refused with 400, the message names the student and the typed values stay', async () => {
    const t = await launchTeacher(h, 'save-foreign');
    await addStudents(t.courseId, CLASS);
    await StatusSetModel.create({
      _id: 'labs-set', courseId: t.courseId, activityId: t.activityId, name: 'Labs',
      statuses: [{ _id: 'labs-set-D', acronym: 'D', description: 'Done', points: 1, order: 1 }],
    });
    const sessionId = await addSession(t);
    const res = await t.post(sessionId, takeForm([
      { userId: 's-anna', statusId: t.status.P, remark: 'kept remark' },
      { userId: 's-janis', statusId: 'labs-set-D' },
    ]));
    expect(res.status).toBe(400);
    const text = visibleText(res.text);
    expect(text).toContain('Nothing was saved.');
    expect(text).toContain("Kalniņš, Jānis: the status is not in this session's status set.");
    expect(res.text).toContain('value="kept remark"');
    expect(formFromPage(res.text).s0).toBe(t.status.P);
    await nothingSaved(sessionId);
  });

  it('when a row names someone who is not in the course, then the form is refused and nothing is saved', async () => {
    const t = await launchTeacher(h, 'save-stranger');
    await addStudents(t.courseId, CLASS);
    const sessionId = await addSession(t);
    const res = await t.post(sessionId, takeForm([{ userId: 's-anna', statusId: t.status.P }, { userId: 'intruder-9', statusId: t.status.P }]));
    expect(res.status).toBe(400);
    expect(visibleText(res.text)).toContain('intruder-9: not a participant of this course.');
    await nothingSaved(sessionId);
  });

  it('when a remark has 501 characters, then the form is refused; 500 characters are accepted', async () => {
    const t = await launchTeacher(h, 'save-remark');
    await addStudents(t.courseId, CLASS);
    const sessionId = await addSession(t);
    const res = await t.post(sessionId, takeForm([{ userId: 's-anna', statusId: t.status.P }, { userId: 's-liga', statusId: t.status.L, remark: 'x'.repeat(501) }]));
    expect(res.status).toBe(400);
    expect(visibleText(res.text)).toContain('Ozola, Līga: the remark is longer than 500 characters.');
    expect(res.text).toMatch(/id="r2"[^>]*aria-invalid="true"/);
    await nothingSaved(sessionId);
    const ok = await t.post(sessionId, takeForm([{ userId: 's-liga', statusId: t.status.L, remark: 'x'.repeat(500) }]));
    expect(ok.status).toBe(303);
  });

  it('when a remark is typed for an unmarked student, or the form is incomplete, then it is refused', async () => {
    const t = await launchTeacher(h, 'save-incomplete');
    await addStudents(t.courseId, CLASS);
    const sessionId = await addSession(t);
    const remarkOnly = await t.post(sessionId, takeForm([{ userId: 's-anna', remark: 'phoned in sick' }]));
    expect(remarkOnly.status).toBe(400);
    expect(visibleText(remarkOnly.text)).toContain('Bērziņa, Anna: choose a status to keep the remark.');
    const incomplete = await t.post(sessionId, { count: '2', u0: 's-anna', s0: t.status.P });
    expect(incomplete.status).toBe(400);
    expect(visibleText(incomplete.text)).toContain('The form arrived incomplete.');
    const duplicate = await t.post(sessionId, takeForm([{ userId: 's-anna', statusId: t.status.P }, { userId: 's-anna', statusId: t.status.A }]));
    expect(duplicate.status).toBe(400);
    await nothingSaved(sessionId);
  });
});

describe('two teachers saving at once', () => {
  it('when both save first marks for the whole class concurrently, then each student has one record from one of the saves, one audit entry, and the other save reports that student as a conflict', async () => {
    const a = await launchTeacher(h, 'save-race', { userId: 'teacher-a', name: ['Alise', 'Ābele'] });
    const b = await launchTeacher(h, 'save-race', { userId: 'teacher-b', name: ['Boriss', 'Bērzs'] });
    const many: Student[] = Array.from({ length: 40 }, (_, i) => ({ id: `race-${i}`, givenName: `Student${i}`, familyName: `Family${i}` }));
    await addStudents(a.courseId, many);
    const sessionId = await addSession(a);
    // Both pages open first (everyone unmarked on both), then both mark everyone and save.
    const [pageA, pageB] = await Promise.all([a.get(sessionId), b.get(sessionId)]);
    const everyone = (html: string, statusId: string, remark: string) => {
      const form = formFromPage(html);
      for (let i = 0; i < many.length; i++) Object.assign(form, { [`s${i}`]: statusId, [`r${i}`]: remark });
      return form;
    };

    const [ra, rb] = await Promise.all([a.post(sessionId, everyone(pageA.text, a.status.P, 'by A')), b.post(sessionId, everyone(pageB.text, b.status.L, 'by B'))]);
    // Each save wrote the students it reached first; a save that lost any student says so (409).
    expect([303, 409]).toContain(ra.status);
    expect([303, 409]).toContain(rb.status);

    const records = await recordsOf(sessionId);
    expect(records).toHaveLength(many.length);
    for (const r of records) {
      // Whichever write came first, the record is that write as a whole, never a mix.
      const expected = r.updatedBy === 'teacher-a' ? [a.status.P, 'by A'] : [b.status.L, 'by B'];
      expect([r.statusId, r.remark]).toEqual(expected);
    }
    // One audit entry per student, by the teacher whose value the record holds, from "unmarked".
    const audit = await auditOf(sessionId);
    expect(audit).toHaveLength(many.length);
    for (const r of records) {
      const entries = audit.filter((e) => e.userId === r.userId);
      expect(entries.map((e) => [e.actorId, e.from?.statusId, e.to?.statusId])).toEqual([[r.updatedBy, null, r.statusId]]);
    }
    const lostByA = records.filter((r) => r.updatedBy === 'teacher-b').length;
    expect(ra.status).toBe(lostByA > 0 ? 409 : 303);
    expect(rb.status).toBe(lostByA < many.length ? 409 : 303);
  });
});

describe('database work per save', () => {
  /** Operations our models send while `fn` runs (ltijs has its own mongoose and is not counted). */
  async function operations(fn: () => Promise<unknown>): Promise<string[]> {
    const seen: string[] = [];
    mongoose.set('debug', (collection: string, method: string) => { seen.push(`${collection}.${method}`); });
    try {
      await fn();
    } finally {
      mongoose.set('debug', false);
    }
    return seen;
  }

  async function saves(size: number): Promise<{ firstMarks: string[]; allConflicts: string[] }> {
    const t = await launchTeacher(h, `save-ops-${size}`);
    const students: Student[] = Array.from({ length: size }, (_, i) => ({ id: `ops-${i}`, givenName: `Given${i}`, familyName: `Family${i}` }));
    await addStudents(t.courseId, students);
    const sessionId = await addSession(t);
    const [page, stalePage] = [await t.get(sessionId), await t.get(sessionId)];
    const everyone = (html: string, statusId: string) => {
      const form = formFromPage(html);
      for (let i = 0; i < size; i++) form[`s${i}`] = statusId;
      return form;
    };
    const firstMarks = await operations(async () => expect((await t.post(sessionId, everyone(page.text, t.status.P))).status).toBe(303));
    // The stale page marks everyone L: every row is a conflict, and the page comes back explaining each.
    const allConflicts = await operations(async () => expect((await t.post(sessionId, everyone(stalePage.text, t.status.L))).status).toBe(409));
    return { firstMarks, allConflicts };
  }

  it('when 5 or 60 students are saved, then a save sends the same database operations, and so does a save where every row is a conflict', async () => {
    const small = await saves(5);
    const big = await saves(60);
    expect(big).toEqual(small);
    expect(small.firstMarks.filter((op) => op.startsWith('attendance_records.'))).toEqual(['attendance_records.find', 'attendance_records.bulkWrite']);
  });
});

describe('after a save', () => {
  it('when statuses change, then the grade hook gets exactly the students whose status changed, once per save', async () => {
    const t = await launchTeacher(h, 'save-hook');
    await addStudents(t.courseId, CLASS);
    const sessionId = await addSession(t);
    const calls: Array<[string, string, string[]]> = [];
    const unsubscribe = subscribeAttendanceChanged(async (courseId, activityId, userIds) => {
      calls.push([courseId, activityId, [...userIds].sort()]);
    });
    try {
      await t.post(sessionId, takeForm([{ userId: 's-anna', statusId: t.status.P }, { userId: 's-janis' }, { userId: 's-liga', statusId: t.status.A }]));
      expect(calls).toEqual([[t.courseId, t.activityId, ['s-anna', 's-liga']]]);
      // Same form again: nothing changed, no call. A remark alone does not change a grade.
      await t.post(sessionId, takeForm([{ userId: 's-anna', statusId: t.status.P }, { userId: 's-janis' }, { userId: 's-liga', statusId: t.status.A }]));
      await t.post(sessionId, takeForm([{ userId: 's-anna', statusId: t.status.P, remark: 'note' }, { userId: 's-liga', statusId: t.status.A }]));
      expect(calls).toHaveLength(1);
      await t.post(sessionId, takeForm([{ userId: 's-anna', statusId: t.status.P }, { userId: 's-janis', statusId: t.status.E }, { userId: 's-liga', statusId: t.status.L }]));
      expect(calls[1]).toEqual([t.courseId, t.activityId, ['s-janis', 's-liga']]);
    } finally {
      unsubscribe();
    }
  });

  it('when a grade listener fails, then the save still succeeds (the marks are kept)', async () => {
    const t = await launchTeacher(h, 'save-hook-fail');
    await addStudents(t.courseId, CLASS);
    const sessionId = await addSession(t);
    const unsubscribe = subscribeAttendanceChanged(() => {
      throw new Error('grading down');
    });
    try {
      const res = await t.post(sessionId, takeForm([{ userId: 's-anna', statusId: t.status.P }]));
      expect(res.status).toBe(303);
      expect(await AttendanceRecordModel.countDocuments({ sessionId })).toBe(1);
    } finally {
      unsubscribe();
    }
  });

  it('when the sessions list asks how many are marked, then it gets a count per session, 0 where attendance was not taken', async () => {
    const t = await launchTeacher(h, 'save-counts');
    await addStudents(t.courseId, CLASS);
    const taken = await addSession(t);
    const notTaken = await addSession(t);
    await t.post(taken, takeForm([{ userId: 's-anna', statusId: t.status.P }, { userId: 's-janis', statusId: t.status.A }, { userId: 's-liga' }]));
    const counts = await markedCounts(t.courseId, t.activityId, [taken, notTaken, 'unknown']);
    expect([...counts.entries()]).toEqual([[taken, 2], [notTaken, 0], ['unknown', 0]]);
    // Scoped: another activity's (or course's) question sees nothing.
    expect((await markedCounts(t.courseId, 'other-activity', [taken])).get(taken)).toBe(0);
    expect((await markedCounts('other-course', t.activityId, [taken])).get(taken)).toBe(0);
    expect((await markedCounts(t.courseId, t.activityId, [])).size).toBe(0);
  });
});

describe('set all / set all unmarked without JavaScript', () => {
  it('when "Everyone: P" is pressed, then the page comes back with every student on P, not saved yet', async () => {
    const t = await launchTeacher(h, 'bulk-all');
    await addStudents(t.courseId, CLASS);
    const sessionId = await addSession(t);
    const res = await t.post(sessionId, takeForm([{ userId: 's-anna', statusId: t.status.A, remark: 'kept' }, { userId: 's-janis' }, { userId: 's-liga' }, { userId: 's-peteris' }], { setAll: t.status.P }));
    expect(res.status).toBe(200);
    expect(visibleText(res.text)).toContain('Not saved yet: 4 students set to P · Present.');
    const form = formFromPage(res.text);
    expect([form.s0, form.s1, form.s2, form.s3]).toEqual([t.status.P, t.status.P, t.status.P, t.status.P]);
    expect(form.r0).toBe('kept');
    expect(visibleText(res.text)).toContain('Everyone is marked');
    await nothingSaved(sessionId);
    // Saving that page saves it.
    expect((await t.post(sessionId, form)).status).toBe(303);
    expect(await AttendanceRecordModel.countDocuments({ sessionId, statusId: t.status.P })).toBe(4);
  });

  it('when "Only the unmarked: A" is pressed, then only unmarked rows get A; a status that is not offered is refused', async () => {
    const t = await launchTeacher(h, 'bulk-unmarked');
    await addStudents(t.courseId, CLASS);
    const sessionId = await addSession(t);
    const rows = [{ userId: 's-anna', statusId: t.status.L }, { userId: 's-janis' }, { userId: 's-liga', statusId: t.status.P }, { userId: 's-peteris' }];
    const res = await t.post(sessionId, takeForm(rows, { setUnmarked: t.status.A }));
    expect(res.status).toBe(200);
    expect(visibleText(res.text)).toContain('Not saved yet: 2 unmarked students set to A · Absent.');
    const form = formFromPage(res.text);
    expect([form.s0, form.s1, form.s2, form.s3]).toEqual([t.status.L, t.status.A, t.status.P, t.status.A]);
    const refused = await t.post(sessionId, takeForm(rows, { setAll: 'labs-set-D' }));
    expect(refused.status).toBe(400);
    expect(visibleText(refused.text)).toContain('That status cannot be set for everyone');
    await nothingSaved(sessionId);
  });

  it('when the page is saved, then the redirect keeps the chosen order and the confirmation is shown', async () => {
    const t = await launchTeacher(h, 'bulk-sort');
    await addStudents(t.courseId, CLASS);
    const sessionId = await addSession(t);
    const res = await t.post(sessionId, takeForm([{ userId: 's-anna', statusId: t.status.P }], { sort: 'first' }));
    expect(res.headers.location).toMatch(/sort=first&saved=1/);
    const page = await follow(t, res);
    expect(page.text).toContain('name="sort" value="first"');
    expect(visibleText(page.text)).toContain('Attendance saved: 1 change.');
  });
});
