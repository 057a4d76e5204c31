import { randomUUID } from 'node:crypto';
import { AttendanceRecordModel } from '../../../src/attendance/attendance-record.model';
import { ActivityModel } from '../../../src/courses/activity.model';
import { MemberModel } from '../../../src/roster/member.model';
import { AttendanceSessionModel } from '../../../src/sessions/attendance-session.model';
import { withLtik } from '../../../src/shared/links';
import { addGroup, launchTeacher, TakeCourse, visibleText } from '../attendance/take-helpers';
import { startHarness, TestHarness } from '../../support/tool';

/**
 * Issue #14 defect 9: report headers of sessions at the same time, and the key to every mark style.
 * "now" = 2026-03-20 12:00 UTC, zone Europe/Riga (UTC+2). Sessions (all start 08:00 UTC = 10:00 local):
 *   S0 03-02 all "Intro"                      S1 03-04 G1 "Lab"      S2 03-04 G2 "Lab"   (same time, same text)
 *   S3 03-09 all ""                           S4 03-09 all ""                            (same time, no text)
 *   S5 03-11 all "A very long description of the fourth lecture"    S6 03-25 all "Future" (upcoming)
 * Marks: Anna P (teacher) S0, P self S1, A auto S3, L with remark S5; Pēteris joined 03-10 but has P in S0.
 */

const NOW = new Date('2026-03-20T12:00:00Z');
const LONG = 'A very long description of the fourth lecture';
let h: TestHarness;

interface Seeded { t: TakeCourse; path: string }

async function seed(contextId: string): Promise<Seeded> {
  const t = await launchTeacher(h, contextId);
  const { courseId, activityId, status: S } = t;
  const member = (userId: string, givenName: string, familyName: string, createdAt: Date) => ({
    courseId, userId, givenName, familyName, name: `${givenName} ${familyName}`, role: 'student', active: true, ltiRoles: ['Learner'], createdAt,
  });
  await MemberModel.insertMany([member('anna', 'Anna', 'Bērziņa', new Date('2026-01-01T00:00:00Z')), member('peteris', 'Pēteris', 'Zariņš', new Date('2026-03-10T00:00:00Z'))]);
  const g1 = await addGroup(courseId, 'G1', ['anna']);
  const g2 = await addGroup(courseId, 'G2', ['peteris']);
  const plan: Array<[string, string, string?]> = [
    ['2026-03-02', 'Intro'], ['2026-03-04', 'Lab', g1], ['2026-03-04', 'Lab', g2], ['2026-03-09', ''], ['2026-03-09', ''], ['2026-03-11', LONG], ['2026-03-25', 'Future'],
  ];
  // Sessions at the same time are ordered by id: a numbered prefix keeps the expected order stable.
  const ids = plan.map((_, i) => `${i}-${randomUUID()}`);
  await AttendanceSessionModel.insertMany(plan.map(([day, description, groupId], i) => ({
    _id: ids[i], courseId, activityId, startsAt: new Date(`${day}T08:00:00Z`), durationMinutes: 90, timezone: 'Europe/Riga', description,
    audience: groupId ? { kind: 'group', groupId } : { kind: 'all' }, statusSetId: `${activityId}-default`, createdBy: 'teacher',
  })));
  const rec = (s: number, userId: string, statusId: string, extra: Record<string, unknown> = {}) => ({
    courseId, activityId, sessionId: ids[s], userId, statusSetId: `${activityId}-default`, statusId, remark: '', source: 'teacher', ...extra,
  });
  await AttendanceRecordModel.insertMany([
    rec(0, 'anna', S.P), rec(0, 'peteris', S.P),
    rec(1, 'anna', S.P, { source: 'self', selfRecordedAt: new Date('2026-03-04T08:05:00Z') }),
    rec(3, 'anna', S.A, { source: 'auto' }),
    rec(5, 'anna', S.L, { remark: 'Bus was late' }),
  ]);
  return { t, path: withLtik(`/activity/${activityId}/teacher/report`, t.ltik) };
}

const decode = (s: string) => s.replace(/&#34;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The first header row's session headers as a sighted teacher reads them (the aria-hidden short label included). */
function sessionHeaders(html: string): Array<{ text: string; title: string; spoken: string }> {
  return [...html.matchAll(/<th scope="col" class="session" title="([^"]*)">([\s\S]*?)<\/th>/g)].map((m) => {
    const inner = m[2] ?? '';
    return {
      title: decode(m[1] ?? ''),
      text: visibleText(inner.replace(/<span class="visually-hidden">[\s\S]*?<\/span>/g, '')).trim(),
      spoken: visibleText(inner.replace(/<span[^>]*aria-hidden="true"[^>]*>[\s\S]*?<\/span>/g, '')).trim(),
    };
  });
}

function legend(html: string): Array<{ kind: string; sample: string; classes: string; text: string }> {
  const list = /<ul class="report-legend"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? '';
  return [...list.matchAll(/<li class="report-legend__item" data-kind="([^"]+)"><span class="report-legend__sample([^"]*)"[^>]*>([^<]*)<\/span> <span>([^<]*)<\/span><\/li>/g)]
    .map((m) => ({ kind: m[1] ?? '', classes: (m[2] ?? '').trim(), sample: decode(m[3] ?? ''), text: decode(m[4] ?? '') }));
}

/** Anna's row: each session cell's text and class. */
function annaCells(html: string): Array<{ text: string; c: string }> {
  const row = /<tr data-n[^>]*><th scope="row" class="col-name">Bērziņa, Anna[\s\S]*?<\/tr>/.exec(html)?.[0] ?? '';
  return [...row.matchAll(/<td([^>]*)>([^<]*)<\/td>/g)].slice(7).map((m) => ({ text: m[2] ?? '', c: /class="([^"]*)"/.exec(m[1] ?? '')?.[1] ?? '' }));
}

beforeAll(async () => {
  h = await startHarness({ now: () => NOW });
});
afterAll(async () => {
  await h?.close();
});

describe('report session headers and the key to the marks', () => {
  let d: Seeded;
  beforeAll(async () => {
    d = await seed('rep-marks');
  });

  it('when two sessions share date, time and description, then their headers differ (group name, or #1/#2 when the audience is the same too)', async () => {
    const res = await d.t.agent.get(d.path);
    expect(res.status).toBe(200);
    const heads = sessionHeaders(res.text);
    expect(heads.map((x) => x.text)).toEqual([
      '02.03. 10:00 Intro', '04.03. 10:00 Lab · G1', '04.03. 10:00 Lab · G2', '09.03. 10:00 #1', '09.03. 10:00 #2',
      '11.03. 10:00 A very long description…', '25.03. 10:00 Future',
    ]);
    expect(new Set(heads.map((x) => x.text)).size).toBe(heads.length);
  });

  it('when a description is longer than the header holds, then it is cut with "…" and the full text is in the title and for screen readers', async () => {
    const res = await d.t.agent.get(d.path);
    const long = sessionHeaders(res.text)[5]!;
    expect(long.text).toBe('11.03. 10:00 A very long description…');
    expect(Array.from('A very long description…')).toHaveLength(24);
    expect(long.title).toContain(LONG);
    expect(long.spoken).toBe(`11.03. 10:00 ${LONG}`);
  });

  it('when the grid shows self-recorded, automatic, remarked, before-joining, unmarked and empty cells, then the key lists each with its sample and grade meaning', async () => {
    const res = await d.t.agent.get(d.path);
    expect(annaCells(res.text)).toEqual([
      { text: 'P', c: '' }, { text: 'P*', c: '' }, { text: '', c: '' }, { text: 'A', c: 'a' }, { text: '?', c: 'u' }, { text: 'L', c: 'r' }, { text: '', c: '' },
    ]);
    const key = legend(res.text);
    expect(key.map((k) => k.kind)).toEqual(['teacher', 'self', 'auto', 'remark', 'outside', 'unmarked', 'empty']);
    const by = Object.fromEntries(key.map((k) => [k.kind, k]));
    expect(by.self).toMatchObject({ sample: 'P*', classes: '' });
    expect(by.self?.text).toMatch(/checked in themselves.*Counts like any other mark/);
    expect(by.auto).toMatchObject({ sample: 'P', classes: 'a' });
    expect(by.remark).toMatchObject({ classes: 'r' });
    // Pēteris joined on 03-10 but has a P on 03-02: grey italic, and it counts.
    expect(res.text).toMatch(/<td class="o" title="[^"]*">P<\/td>/);
    expect(by.outside).toMatchObject({ sample: 'P', classes: 'o' });
    expect(by.outside?.text).toMatch(/before they joined.*still counts for the grade/);
    expect(by.unmarked).toMatchObject({ sample: '?', classes: 'u' });
    expect(by.unmarked?.text).toContain('does not count');
    expect(visibleText(res.text)).toContain('Key to the marks');
  });

  it('when the activity counts unmarked as automatic, then "?" gets its own style and the key says it counts as A', async () => {
    await ActivityModel.updateOne({ _id: d.t.activityId }, { $set: { 'grading.countUnmarkedAsAuto': true } });
    try {
      const res = await d.t.agent.get(d.path);
      const key = legend(res.text);
      expect(key.map((k) => k.kind)).toContain('counted');
      expect(key.map((k) => k.kind)).not.toContain('unmarked');
      expect(key.find((k) => k.kind === 'counted')).toMatchObject({ sample: '?', classes: 'u ua' });
      expect(key.find((k) => k.kind === 'counted')?.text).toContain('(A)');
      expect(annaCells(res.text)[4]).toEqual({ text: '?', c: 'u ua' });
    } finally {
      await ActivityModel.updateOne({ _id: d.t.activityId }, { $set: { 'grading.countUnmarkedAsAuto': false } });
    }
  });

  it('when the page is in Latvian, then the key is Latvian', async () => {
    const lv = await launchTeacher(h, 'rep-marks', { locale: 'lv', userId: 'teacher-lv' });
    const res = await lv.agent.get(withLtik(`/activity/${lv.activityId}/teacher/report`, lv.ltik));
    expect(visibleText(res.text)).toContain('Atzīmju apzīmējumi');
    expect(legend(res.text).find((k) => k.kind === 'self')?.text).toContain('atzīmējās pats');
  });
});
