import { startHarness, TestHarness } from '../../support/tool';
import { visibleText } from '../sessions/helpers';
import { defaultSet, editForm, launchIntoCourse, setsOf } from './status-set-pages';

/**
 * The status-set edit form reports every problem in one answer: a cell that is not a number,
 * a rule over the rows (a repeated acronym) and a name another set already has used to come
 * back in three rounds, one kind per save.
 */
let h: TestHarness;
beforeAll(async () => { h = await startHarness(); }, 60_000);
afterAll(async () => { await h?.close(); });

describe('a status-set form with several kinds of problems', () => {
  it('when points are not a number, an acronym is repeated and the name is taken, then all three are shown at once beside their fields and nothing is saved', async () => {
    const t = await launchIntoCourse(h, 'ss-all-problems');
    expect((await t.post(t.base, { name: 'Labs' })).status).toBe(303);
    const set = await defaultSet(t.activityId);
    const before = await setsOf(t.activityId);

    const form = editForm(set, { P: { points: 'two' }, L: { acronym: 'p' }, E: { description: 'Excused (typed)' } }, { fields: { name: 'LABS' } });
    const res = await t.post(`${t.base}/${set._id}`, form);

    expect(res.status).toBe(400);
    const text = visibleText(res.text);
    expect(text).toContain('Please correct the marked fields and try again.');
    // Each message sits beside its own field (the error paragraphs the inputs point at).
    expect(res.text).toMatch(/id="set-name-error">Another status set of this activity already has this name\.</);
    expect(res.text).toMatch(/id="s0-points-error">Enter a number\.</);
    expect(res.text).toMatch(/id="s1-acronym-error">Another status of this set has the same acronym\.</);
    expect(res.text.match(/aria-invalid="true"/g)).toHaveLength(3);
    // The teacher's values come back as typed.
    for (const typed of ['value="LABS"', 'name="statuses.0.points" value="two"', 'name="statuses.1.acronym" value="p"', 'value="Excused (typed)"']) {
      expect(res.text).toContain(typed);
    }
    expect(await setsOf(t.activityId)).toEqual(before);
  });

  it('when only the cells are wrong, then every row\'s problem is shown in one answer', async () => {
    const t = await launchIntoCourse(h, 'ss-all-cells');
    const set = await defaultSet(t.activityId);
    const form = editForm(set, { P: { points: '' }, L: { order: '1.5' }, E: { description: '' }, A: { pickMode: 'within', pickMinutes: '' } });
    const res = await t.post(`${t.base}/${set._id}`, form);
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/id="s0-points-error">/);
    expect(res.text).toMatch(/id="s1-order-error">/);
    expect(res.text).toMatch(/id="s2-description-error">/);
    expect(res.text).toMatch(/id="s3-pickMinutes-error">/);
    expect((await defaultSet(t.activityId)).statuses).toEqual(set.statuses);
  });
});
