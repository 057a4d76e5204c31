import { randomUUID } from 'node:crypto';
import { AttendanceSessionModel } from '../../../src/sessions/attendance-session.model';
import { startHarness, TestHarness } from '../../support/tool';
import { follow, hiddenValue, launchTeacher, TeacherPages, visibleText } from './helpers';

/**
 * Two tabs (two teachers' launches) editing one session: a save from a form rendered before
 * another save is refused with a conflict page (409) instead of silently overwriting it.
 */
let h: TestHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const form = (t: TeacherPages, over: Record<string, string> = {}) => ({
  date: '2027-03-30', startTime: '10:00', durationMinutes: '90', description: 'Lecture 1', audience: 'all', statusSetId: `${t.activityId}-default`, ...over,
});

/** An old-style document: written before versions existed (no version field). */
async function legacySession(t: TeacherPages): Promise<string> {
  const _id = randomUUID();
  await AttendanceSessionModel.create({
    _id, courseId: t.courseId, activityId: t.activityId, startsAt: new Date('2027-03-30T07:00:00Z'), durationMinutes: 90,
    timezone: 'Europe/Riga', description: 'Lecture 1', audience: { kind: 'all' }, statusSetId: `${t.activityId}-default`, createdBy: 'teacher-a',
  });
  return _id;
}

async function twoTabs(context: string, opts: { locale?: string } = {}) {
  const a = await launchTeacher(h, context, { userId: 'teacher-a', ...opts });
  const b = await launchTeacher(h, context, { userId: 'teacher-b' });
  return { a, b };
}

describe('two tabs editing one session', () => {
  it('when B saves a new start time after A opened the form, then A\'s save is refused (409) with both values side by side and nothing is written; "keep mine" then saves', async () => {
    const { a, b } = await twoTabs('sc-two-tabs');
    const id = await legacySession(a);
    expect((await AttendanceSessionModel.findById(id).lean())?.version).toBeUndefined();
    const pageA = await a.get(`/sessions/${id}/edit`);
    const pageB = await b.get(`/sessions/${id}/edit`);
    const versionA = hiddenValue(pageA.text, 'version');

    // B moves the session (its first save works as before).
    expect((await b.post(`/sessions/${id}/edit`, form(b, { startTime: '12:15', version: hiddenValue(pageB.text, 'version') }))).status).toBe(303);
    const afterB = await AttendanceSessionModel.findById(id).lean();

    // A, still on the old page, changes only the description.
    const conflict = await a.post(`/sessions/${id}/edit`, form(a, { description: 'Bring a laptop', version: versionA }));
    expect(conflict.status).toBe(409);
    const text = visibleText(conflict.text);
    expect(text).toContain('Someone else saved a change while you were editing');
    expect(text).toContain('Test User teacher-b');
    expect(text).toMatch(/Start time differs 12:15 10:00/); // saved now, then A's
    expect(text).toMatch(/Description differs Lecture 1 Bring a laptop/);
    expect(conflict.text).toMatch(/<tr class="conflict-row conflict-row--changed"[^>]*>\s*<th[^>]*>Start time/);
    expect(await AttendanceSessionModel.findById(id).lean()).toEqual(afterB); // nothing written
    expect(versionA).toBe('0'); // a document without a version counts as version 0

    // Take theirs: a link back to the form, which shows B's values.
    expect(conflict.text).toContain(`/sessions/${id}/edit?ltik=`);
    // Keep mine: the same page holds A's values with the NEW version.
    expect(conflict.text).toContain('Bring a laptop</textarea>');
    const newVersion = hiddenValue(conflict.text, 'version');
    expect(newVersion).toBe('1');
    const kept = await a.post(`/sessions/${id}/edit`, form(a, { description: 'Bring a laptop', version: newVersion }));
    expect(kept.status).toBe(303);
    const saved = await AttendanceSessionModel.findById(id).lean();
    expect(saved).toMatchObject({ description: 'Bring a laptop', startsAt: new Date('2027-03-30T07:00:00Z'), version: 2 });
    expect(saved?.lastEdit).toMatchObject({ by: 'teacher-a' });
  });

  it('when a bulk duration change happened after the form was opened, then the save is refused (409) and shows the new duration', async () => {
    const { a, b } = await twoTabs('sc-bulk');
    const id = await legacySession(a);
    const version = hiddenValue((await a.get(`/sessions/${id}/edit`)).text, 'version');
    await follow(b, await b.post('/sessions/bulk', { action: 'duration', minutes: '45', ids: [id], view: 'all', by: 'week', group: 'all' }));
    const res = await a.post(`/sessions/${id}/edit`, form(a, { description: 'Mine', version }));
    expect(res.status).toBe(409);
    expect(visibleText(res.text)).toMatch(/Duration \(minutes\) differs 45 90/);
    expect(await AttendanceSessionModel.findById(id).lean()).toMatchObject({ description: 'Lecture 1', durationMinutes: 45 });
  });

  it('when the form is still current, then saving works at once and each save moves the version on', async () => {
    const { a } = await twoTabs('sc-current');
    const id = await legacySession(a);
    const first = await a.post(`/sessions/${id}/edit`, form(a, { description: 'One', version: hiddenValue((await a.get(`/sessions/${id}/edit`)).text, 'version') }));
    expect(first.status).toBe(303);
    const second = await a.post(`/sessions/${id}/edit`, form(a, { description: 'Two', version: hiddenValue((await a.get(`/sessions/${id}/edit`)).text, 'version') }));
    expect(second.status).toBe(303);
    expect(await AttendanceSessionModel.findById(id).lean()).toMatchObject({ description: 'Two', version: 2 });
  });

  it('when the launch is in Latvian, then the conflict page is in Latvian', async () => {
    const { a, b } = await twoTabs('sc-lv', { locale: 'lv' });
    const id = await legacySession(a);
    await b.post(`/sessions/${id}/edit`, form(b, { description: 'B', version: '0' }));
    const res = await a.post(`/sessions/${id}/edit`, form(a, { description: 'A', version: '0' }));
    expect(res.status).toBe(409);
    expect(visibleText(res.text)).toContain('Kamēr jūs labojāt, kāds cits saglabāja izmaiņas');
  });
});
