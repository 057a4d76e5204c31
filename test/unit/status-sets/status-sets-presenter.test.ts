import { translator } from '../../../src/i18n/i18n';
import type { LaunchContext } from '../../../src/lti/launch-context';
import { statusLabel, toEditView } from '../../../src/status-sets/status-sets.presenter';
import type { StatusSetData } from '../../../src/status-sets/status-sets.service';

const launch: LaunchContext = {
  ltik: 'LTIK', issuer: 'i', clientId: 'c', deploymentId: 'd', userId: 'u', courseId: 'course', activityId: 'act',
  role: 'teacher', locale: 'en', userName: 'T', messageType: 'LtiResourceLinkRequest',
};

const set: StatusSetData = {
  id: 'set-1', name: 'Lectures', isDefault: false, autoStatusId: 'a',
  statuses: [
    { _id: 'p', acronym: 'P', description: 'Present', points: 2, order: 1, visible: true, excused: false, studentPick: { mode: 'always' } },
    { _id: 'e', acronym: 'E', description: 'Excused', points: 1, order: 2, visible: true, excused: true, studentPick: { mode: 'never' } },
    { _id: 'a', acronym: 'A', description: 'Absent', points: 0, order: 3, visible: true, excused: false, studentPick: { mode: 'within', minutes: 10 } },
  ],
};

describe('status-set view models', () => {
  it('when points have decimals, then the chip shows them the way the language writes numbers', () => {
    expect(statusLabel({ acronym: 'L', description: 'Late', points: 1.5 }, 'en')).toBe('L Late 1.5');
    expect(statusLabel({ acronym: 'L', description: 'Kavēja', points: 1.5 }, 'lv')).toBe('L Kavēja 1,5');
  });

  it('when the edit page opens, then each status is a row, the automatic one is chosen and one blank row follows', () => {
    const view = toEditView({ set, usage: { p: 3, a: 0 } }, launch, translator('en'));
    expect(view.rows.map((r) => [r.index, r.acronym, r.isNew])).toEqual([[0, 'P', false], [1, 'E', false], [2, 'A', false], [3, '', true]]);
    expect(view.autoStatus).toBe('2');
    expect(view.rows[0]?.usage).toBe('Used by 3 records');
    expect(view.rows[2]?.usage).toBe('Not used');
    expect(view.rows[2]?.pickMinutes).toBe('10');
    expect(view.rows[0]?.deleteAction).toBe('/activity/act/teacher/status-sets/set-1/statuses/p/delete');
    expect(view.deleteSetAction).toBe('/activity/act/teacher/status-sets/set-1/delete');
  });

  it('when a status is flagged excused, then its row has the Excused box ticked; others and the blank row do not', () => {
    const view = toEditView({ set, usage: {} }, launch, translator('en'));
    expect(view.rows.map((r) => [r.acronym, r.excused])).toEqual([['P', false], ['E', true], ['A', false], ['', false]]);
  });

  it('when the set is the default one, then it offers no delete', () => {
    expect(toEditView({ set: { ...set, isDefault: true }, usage: {} }, launch, translator('en')).deleteSetAction).toBeUndefined();
  });
});
