import { StatusSetModel } from '../../../src/status-sets/status-set.model';
import { startHarness, TestHarness } from '../../support/tool';
import { hiddenValue, visibleText } from '../sessions/helpers';
import { defaultSet, editForm, launchIntoCourse } from './status-set-pages';

/** Two tabs (two teachers' launches) editing one status set: a stale save gets a conflict page (409), never overwrites. */
let h: TestHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function twoTabs(context: string) {
  const a = await launchIntoCourse(h, context, { user: { id: 'teacher-a' } });
  const b = await launchIntoCourse(h, context, { user: { id: 'teacher-b' } });
  return { a, b };
}

describe('two tabs editing one status set', () => {
  it('when B changes P\'s points after A opened the page, then A\'s save is refused (409) with both values, nothing is written, and "keep mine" saves', async () => {
    const { a, b } = await twoTabs('ssc-points');
    const set = await defaultSet(a.activityId);
    expect(set.version).toBeUndefined(); // seeded before versions existed: counts as 0
    const pageA = await a.get(`${a.base}/${set._id}`);
    const pageB = await b.get(`${b.base}/${set._id}`);
    const versionA = hiddenValue(pageA.text, 'version');

    expect((await b.post(`${b.base}/${set._id}`, editForm(set, { P: { points: '3' } }, { fields: { version: hiddenValue(pageB.text, 'version') } }))).status).toBe(303);
    const afterB = await defaultSet(a.activityId);

    const conflict = await a.post(`${a.base}/${set._id}`, editForm(set, { L: { description: 'Came late' } }, { fields: { version: versionA } }));
    expect(conflict.status).toBe(409);
    const text = visibleText(conflict.text);
    expect(text).toContain('Someone else saved a change while you were editing');
    expect(text).toContain('Test User teacher-b');
    expect(text).toMatch(/P: Points differs 3 2/); // saved now (B), then A's
    expect(text).toMatch(/L: Description differs Late Came late/);
    expect((await defaultSet(a.activityId)).statuses).toEqual(afterB.statuses);
    expect(versionA).toBe('0');

    // Keep mine: the form below holds A's values and the new version.
    expect(conflict.text).toContain('value="Came late"');
    const version = hiddenValue(conflict.text, 'version');
    expect(version).toBe('1');
    const kept = await a.post(`${a.base}/${set._id}`, editForm(set, { L: { description: 'Came late' } }, { fields: { version } }));
    expect(kept.status).toBe(303);
    const saved = await defaultSet(a.activityId);
    expect(saved.statuses.map((s) => [s.acronym, s.description, s.points])).toEqual([['P', 'Present', 2], ['L', 'Came late', 1], ['E', 'Excused', 1], ['A', 'Absent', 0]]);
    expect(saved).toMatchObject({ version: 2, lastEdit: { by: 'teacher-a' } });
  });

  it('when B added a status after A opened the page, then A\'s conflict page keeps A\'s values and B\'s new status, and saving it keeps both', async () => {
    const { a, b } = await twoTabs('ssc-added');
    const set = await defaultSet(a.activityId);
    const versionA = hiddenValue((await a.get(`${a.base}/${set._id}`)).text, 'version');
    const remote = { id: '', acronym: 'R', description: 'Remote', points: '1', order: '', visible: '1', pickMode: 'never', pickMinutes: '' };
    expect((await b.post(`${b.base}/${set._id}`, editForm(set, {}, { rows: [remote], fields: { version: '0' } }))).status).toBe(303);

    const conflict = await a.post(`${a.base}/${set._id}`, editForm(set, { P: { points: '5' } }, { fields: { version: versionA } }));
    expect(conflict.status).toBe(409);
    expect(visibleText(conflict.text)).toMatch(/R differs R Remote 1 not in the set/);
    expect(conflict.text).toContain('value="Remote"');
    expect(conflict.text).toMatch(/name="statuses\.0\.points" value="5"/);
    // The browser posts the conflict page's form as it stands.
    const fields = formFields(conflict.text);
    expect((await a.post(`${a.base}/${set._id}`, fields)).status).toBe(303);
    const saved = await defaultSet(a.activityId);
    expect(saved.statuses.map((s) => [s.acronym, s.points])).toEqual([['P', 5], ['L', 1], ['E', 1], ['A', 0], ['R', 1]]);
  });

  it('when a status was deleted after the page was opened, then the stale save is a conflict (409), not an error, and nothing is written', async () => {
    const { a, b } = await twoTabs('ssc-deleted');
    const set = await defaultSet(a.activityId);
    const versionA = hiddenValue((await a.get(`${a.base}/${set._id}`)).text, 'version');
    expect((await b.post(`${b.base}/${set._id}/statuses/${set.statuses[2]?._id}/delete`)).status).toBe(303);
    const afterB = await StatusSetModel.findById(set._id).lean();
    const res = await a.post(`${a.base}/${set._id}`, editForm(set, { P: { description: 'Here' } }, { fields: { version: versionA } }));
    expect(res.status).toBe(409);
    expect(visibleText(res.text)).toMatch(/E differs not in the set E Excused 1/);
    expect(await StatusSetModel.findById(set._id).lean()).toEqual(afterB);
  });
});

/** The named fields of the page's status-set form, as a browser would post them (checked boxes only). */
function formFields(html: string): Record<string, string> {
  const form = /<form id="status-set-form"[\s\S]*?<\/form>/.exec(html)?.[0] ?? '';
  const out: Record<string, string> = {};
  for (const m of form.matchAll(/<input ([^>]*)>/g)) {
    const attrs = m[1] ?? '';
    const name = /name="([^"]+)"/.exec(attrs)?.[1];
    if (!name) continue;
    const type = /type="([^"]+)"/.exec(attrs)?.[1] ?? 'text';
    const value = /value="([^"]*)"/.exec(attrs)?.[1] ?? '';
    if ((type === 'checkbox' || type === 'radio') && !/ checked/.test(attrs)) continue;
    out[name] = value.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');
  }
  for (const m of form.matchAll(/<select[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
    out[m[1] ?? ''] = /<option value="([^"]*)" selected/.exec(m[2] ?? '')?.[1] ?? /<option value="([^"]*)"/.exec(m[2] ?? '')?.[1] ?? '';
  }
  delete out.ltik;
  return out;
}
