import { planSave } from '../../../src/attendance/take-plan';
import type { CurrentRecord, PostedRow, RowValue } from '../../../src/attendance/take-rules';

const rec = (userId: string, statusId: string, remark = ''): CurrentRecord => ({ userId, statusId, remark, source: 'teacher' });
const v = (statusId: string, remark = ''): RowValue => ({ statusId, remark });
/** A row as the page posts it: what it shows now, and what it showed when rendered. */
const row = (userId: string, statusId: string, remark: string, shown: RowValue | null, extra: Partial<PostedRow> = {}): PostedRow => ({ index: 0, userId, statusId, remark, shown, ...extra });

describe('planSave', () => {
  const current = new Map([['a', rec('a', 'P')], ['b', rec('b', 'L', 'bus')]]);

  it('when rows are posted as they were shown, then nothing is written, whatever is stored now', () => {
    const plan = planSave([row('a', 'P', '', v('P')), row('c', '', '', null)], current);
    expect(plan).toEqual({ writes: [], conflicts: [] });
  });

  it('when the teacher changed a row that is still as shown, then it is written against the shown value', () => {
    const plan = planSave([row('a', 'L', 'late', v('P')), row('c', 'A', '', null)], current);
    expect(plan.writes).toEqual([
      { index: 0, userId: 'a', expected: v('P'), to: v('L', 'late'), statusChanged: true },
      { index: 0, userId: 'c', expected: null, to: v('A'), statusChanged: true },
    ]);
    expect(plan.conflicts).toEqual([]);
  });

  it('when a remark alone changes, then statusChanged is false', () => {
    expect(planSave([row('b', 'L', 'train', v('L', 'bus'))], current).writes[0]).toMatchObject({ statusChanged: false, to: v('L', 'train') });
  });

  it('when a row changed elsewhere since it was shown, then it is a conflict, never a write; "edited" tells the teacher\'s change from an untouched row', () => {
    const plan = planSave([row('b', 'A', '', v('L')), row('a', 'E', '', v('E'))], current);
    expect(plan.writes).toEqual([]);
    expect(plan.conflicts).toEqual([
      { userId: 'b', mine: v('A'), edited: true },
      { userId: 'a', mine: v('E'), edited: false },
    ]);
  });

  it('when a first mark meets a record made meanwhile, then it is a conflict; when it already is what this page wants, nothing happens', () => {
    const plan = planSave([row('a', 'L', '', null), row('b', 'L', 'bus', null)], current);
    expect(plan).toEqual({ writes: [], conflicts: [{ userId: 'a', mine: v('L'), edited: true }] });
  });

  it('when the page showed no mark and the teacher left the row alone, then a mark made meanwhile is simply new', () => {
    expect(planSave([row('a', '', '', null)], current)).toEqual({ writes: [], conflicts: [] });
  });

  it('when "keep theirs" was chosen, then the row is not written even if its inputs differ', () => {
    expect(planSave([row('a', 'L', 'mine', v('P'), { choice: 'theirs' })], current)).toEqual({ writes: [], conflicts: [] });
  });

  it('when a form does not say what it showed (a script), then the stored value counts as shown', () => {
    const plan = planSave([{ index: 3, userId: 'a', statusId: 'L', remark: '' }], current);
    expect(plan.writes).toEqual([{ index: 3, userId: 'a', expected: v('P'), to: v('L'), statusChanged: true }]);
  });
});
