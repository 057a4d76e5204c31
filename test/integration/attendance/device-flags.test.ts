import { randomUUID } from 'node:crypto';
import { AttendanceRecordModel } from '../../../src/attendance/attendance-record.model';
import { DeviceConflictModel } from '../../../src/check-in/device-conflict.model';
import { AttendanceSessionModel } from '../../../src/sessions/attendance-session.model';
import { startHarness, TestHarness } from '../../support/tool';
import { addSession, addStudents, launchTeacher, recordsOf, Student, TakeCourse, visibleText } from './take-helpers';

// The tool's own automatic-marking worker runs here every 200 ms (see the last test). This
// file's take-page sessions are in 2099, so it never touches them.
let h: TestHarness;
beforeAll(async () => {
  h = await startHarness({ autoMarkIntervalMs: 200 });
}, 60_000);
afterAll(async () => {
  await h?.close();
});

const CLASS: Student[] = [
  { id: 'df-anna', givenName: 'Anna', familyName: 'Bērziņa' },
  { id: 'df-zane', givenName: 'Zane', familyName: 'Čakste' },
  { id: 'df-janis', givenName: 'Jānis', familyName: 'Kalniņš' },
  { id: 'df-liga', givenName: 'Līga', familyName: 'Ozola' },
  { id: 'df-ivo', givenName: 'Ivo', familyName: 'Zeltiņš' },
];

async function checkIn(t: TakeCourse, sessionId: string, userId: string, deviceId?: string) {
  await AttendanceRecordModel.create({
    courseId: t.courseId, activityId: t.activityId, sessionId, userId, statusSetId: `${t.activityId}-default`, statusId: t.status.P,
    source: 'self', updatedBy: userId, selfRecordedAt: new Date(), ...(deviceId ? { deviceId } : {}),
  });
}

async function refused(t: TakeCourse, sessionId: string, userId: string, otherUserId: string, at: string) {
  await DeviceConflictModel.create({ _id: randomUUID(), courseId: t.courseId, activityId: t.activityId, sessionId, userId, otherUserId, deviceId: 'dev-1', at: new Date(at) });
}

/** The visible text of each student's row of the take form, by the name shown. */
function rowTexts(html: string): Map<string, string> {
  const rows = html.split('<tr class="take-row').slice(1).map((chunk) => chunk.slice(0, chunk.indexOf('</tr>')));
  return new Map(rows.map((row) => [/<span class="take-name__text">([^<]*)</.exec(row)?.[1] ?? '?', visibleText(`<${row}`)]));
}

describe('device flags on the take page (one device per student)', () => {
  it('when two students checked in on the same phone and a third was refused on it, then each row says so in words', async () => {
    const t = await launchTeacher(h, 'df-flags');
    await addStudents(t.courseId, CLASS);
    const id = await addSession(t); // 2 March 2099, 10:00 Riga time
    await checkIn(t, id, 'df-anna', 'dev-1');
    await checkIn(t, id, 'df-zane', 'dev-1');
    await checkIn(t, id, 'df-liga', 'dev-2'); // a phone of her own
    await checkIn(t, id, 'df-ivo'); // password in the LMS: no device
    await refused(t, id, 'df-janis', 'df-anna', '2099-03-02T08:05:00Z');
    await refused(t, id, 'df-janis', 'df-anna', '2099-03-02T08:07:00Z');

    const page = await t.get(id);
    expect(page.status).toBe(200);
    const rows = rowTexts(page.text);
    const anna = rows.get('Bērziņa, Anna') ?? '';
    expect(anna).toContain('Same phone as Zane Čakste');
    expect(anna.match(/Their phone was used to try to check in Jānis Kalniņš/g)).toHaveLength(1); // said once, however many tries
    expect(rows.get('Čakste, Zane')).toContain('Same phone as Anna Bērziņa');
    expect(rows.get('Čakste, Zane')).not.toContain('try to check in');
    const janis = rows.get('Kalniņš, Jānis') ?? '';
    expect(janis).toContain("Tried to check in on Anna Bērziņa's phone at 10:05");
    expect(janis).toContain("Tried to check in on Anna Bērziņa's phone at 10:07");
    expect(janis).toContain('Unmarked');
    for (const name of ['Ozola, Līga', 'Zeltiņš, Ivo']) expect(rows.get(name)).not.toMatch(/phone/i);
    expect(page.text.match(/take-device/g)).toHaveLength(5);
  });

  it('when three students share one phone, then each row names the other two', async () => {
    const t = await launchTeacher(h, 'df-three');
    await addStudents(t.courseId, CLASS);
    const id = await addSession(t);
    for (const userId of ['df-anna', 'df-zane', 'df-ivo']) await checkIn(t, id, userId, 'dev-9');
    const rows = rowTexts((await t.get(id)).text);
    expect(rows.get('Zeltiņš, Ivo')).toContain('Same phone as Anna Bērziņa, Zane Čakste');
    expect(rows.get('Bērziņa, Anna')).toContain('Same phone as Zane Čakste, Ivo Zeltiņš');
  });

  it('when the teacher works in Latvian, then the flags are Latvian', async () => {
    const t = await launchTeacher(h, 'df-lv', { locale: 'lv' });
    await addStudents(t.courseId, CLASS);
    const id = await addSession(t);
    await checkIn(t, id, 'df-anna', 'dev-1');
    await checkIn(t, id, 'df-zane', 'dev-1');
    await refused(t, id, 'df-janis', 'df-anna', '2099-03-02T08:05:00Z');
    const text = visibleText((await t.get(id)).text);
    expect(text).toContain('Tas pats tālrunis kā Zane Čakste');
    expect(text).toContain('Mēģināja atzīmēties ar tālruni, ar kuru jau atzīmējās Anna Bērziņa, plkst. 10:05');
    expect(text).toContain('Ar šī studenta tālruni mēģināja atzīmēties Jānis Kalniņš');
  });

  it('when nobody shares a phone, then no row is flagged', async () => {
    const t = await launchTeacher(h, 'df-none');
    await addStudents(t.courseId, CLASS);
    const id = await addSession(t);
    await checkIn(t, id, 'df-anna', 'dev-1');
    await checkIn(t, id, 'df-zane', 'dev-2');
    expect((await t.get(id)).text).not.toContain('take-device');
  });
});

describe('the tool starts its automatic-marking worker', () => {
  it('when started with a short interval, then a session that ended is marked by the running tool itself', async () => {
    const t = await launchTeacher(h, 'df-worker');
    await addStudents(t.courseId, CLASS.slice(0, 2));
    const id = randomUUID();
    const now = Date.now();
    await AttendanceSessionModel.create({
      _id: id, courseId: t.courseId, activityId: t.activityId, startsAt: new Date(now - 2 * 3_600_000), durationMinutes: 60, timezone: 'Europe/Riga',
      description: 'Ended an hour ago', audience: { kind: 'all' }, statusSetId: `${t.activityId}-default`, createdBy: 'teacher', createdAt: new Date(now - 86_400_000),
    });
    const deadline = Date.now() + 5000;
    while ((await recordsOf(id)).length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await recordsOf(id)).map((r) => [r.source, r.statusId])).toEqual([['auto', t.status.A], ['auto', t.status.A]]);
  });
});
