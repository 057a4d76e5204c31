import { translator } from '../../../src/i18n/i18n';
import { keepMineForm, statusSetConflictFields } from '../../../src/status-sets/status-set-conflict.presenter';
import type { RawStatusRow, RawStatusSetForm } from '../../../src/status-sets/status-sets.schema';

const row = (id: string, acronym: string, over: Partial<RawStatusRow> = {}): RawStatusRow => ({
  id, acronym, description: `${acronym} text`, points: '1', order: '', visible: true, excused: false, pickMode: 'never', pickMinutes: '', ...over,
});
/** The empty row the page always ends with. */
const BLANK = row('', '', { description: '', points: '' });
const form = (statuses: RawStatusRow[], autoStatus = 'none', name = 'Set'): RawStatusSetForm => ({ name, autoStatus, statuses });
const t = translator('en');

describe('a stale status-set page', () => {
  it('when only some fields differ, then the conflict lists those per status, plus name and automatic status', () => {
    const theirs = form([row('p', 'P', { points: '3' }), row('l', 'L')], '1');
    const mine = form([row('p', 'P'), row('l', 'L', { description: 'Came late' }), BLANK], '1');
    expect(statusSetConflictFields(theirs, mine, t).map((f) => [f.label, f.theirs, f.mine])).toEqual([
      ['Set name', 'Set', 'Set'],
      ['P: Points', '3', '1'],
      ['L: Description', 'L text', 'Came late'],
      ['Automatic for unmarked', 'L', 'L'],
    ]);
  });

  it('when keeping mine, then a status added meanwhile stays, one deleted meanwhile comes back as a new row, and the automatic status follows its row', () => {
    const theirs = form([row('p', 'P'), row('r', 'R')], 'none');
    const mine = form([row('p', 'P', { points: '5' }), row('e', 'E'), BLANK], '1');
    const kept = keepMineForm(theirs, mine);
    expect(kept.statuses.map((r) => [r.id, r.acronym, r.points])).toEqual([['p', 'P', '5'], ['', 'E', '1'], ['r', 'R', '1']]);
    expect(kept.autoStatus).toBe('1');
  });
});
