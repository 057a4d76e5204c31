import { withLtik } from '../../../src/shared/links';
import { startHarness, TestHarness } from '../../support/tool';
import { addSession, addStudents, launchTeacher, recordsOf, takeForm, visibleText } from './take-helpers';

let h: TestHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('attendance in the sessions list', () => {
  it('when attendance has not been taken, then the row says so and links to the take page; after a save it shows the count', async () => {
    const t = await launchTeacher(h, 'list-att');
    await addStudents(t.courseId, [
      { id: 'la-1', givenName: 'Anna', familyName: 'Ābele' },
      { id: 'la-2', givenName: 'Jānis', familyName: 'Bērziņš' },
      { id: 'la-3', givenName: 'Līga', familyName: 'Celma' },
    ]);
    const sessionId = await addSession(t, { kind: 'all' }, 'Lecture one');
    const list = () => t.agent.get(withLtik(`/activity/${t.activityId}/teacher/sessions?view=all`, t.ltik));

    const before = await list();
    expect(visibleText(before.text)).toContain('Not taken');
    expect(before.text).toContain(`href="${withLtik(t.takePath(sessionId), t.ltik).replace(/&/g, '&amp;')}"`);
    expect(visibleText(before.text)).toContain('Take attendance');

    const saved = await t.post(sessionId, takeForm([{ userId: 'la-1', statusId: t.status.P }, { userId: 'la-2', statusId: t.status.L }]));
    expect(saved.status).toBe(303);
    const after = await list();
    expect(visibleText(after.text)).toContain('2 marked');
    expect(visibleText(after.text)).toContain('Edit attendance');
  });

  it('when a large lecture is saved with long remarks, then the form is accepted (no 413) and every record is written', async () => {
    const t = await launchTeacher(h, 'list-big');
    const students = Array.from({ length: 500 }, (_, i) => ({ id: `big-${i}`, givenName: `G${i}`, familyName: `F${i}` }));
    await addStudents(t.courseId, students);
    const sessionId = await addSession(t);
    const remark = 'Arrived with a note from the dean’s office; '.repeat(10).slice(0, 400);
    const res = await t.post(sessionId, takeForm(students.map((s) => ({ userId: s.id, statusId: t.status.P, remark }))));
    expect(res.status).toBe(303);
    expect(await recordsOf(sessionId)).toHaveLength(500);
  });
});
