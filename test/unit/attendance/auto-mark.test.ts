import {
  autoMarkState, AutoMarkState, AutoMarkTiming, automaticStatus, insertedUserIds, selectDue, sessionEndsAt, studentsToMark,
} from '../../../src/attendance/auto-mark';

const at = (hhmm: string) => new Date(`2030-03-02T${hhmm}:00Z`);
/** A 90-minute session 10:00–11:30, created the week before unless said otherwise. */
const session = (over: Partial<AutoMarkTiming> = {}): AutoMarkTiming => ({
  startsAt: at('10:00'), durationMinutes: 90, createdAt: new Date('2030-02-23T09:00:00Z'), ...over,
});

describe('which sessions are due for automatic marking', () => {
  const cases: Array<[string, AutoMarkTiming, Date, AutoMarkState]> = [
    ['when the session has not started, then it is not ended', session(), at('09:00'), 'not_ended'],
    ['when the session is running, then it is not ended', session(), at('11:29'), 'not_ended'],
    ['when now is exactly the end, then it is due', session(), at('11:30'), 'due'],
    ['when the session ended hours ago, then it is due (catch-up)', session(), at('18:00'), 'due'],
    ['when it is already done, then it is done whatever the time', session({ doneAt: at('11:31') }), at('18:00'), 'done'],
    ['when it was created after it ended, then it is skipped', session({ createdAt: at('15:00') }), at('18:00'), 'created_after_end'],
    ['when it was created exactly at its end, then it is skipped', session({ createdAt: at('11:30') }), at('18:00'), 'created_after_end'],
    ['when it was created while running, then it is due', session({ createdAt: at('11:00') }), at('11:30'), 'due'],
    ['when its creation time is unknown (old document), then it is due', session({ createdAt: undefined }), at('12:00'), 'due'],
    ['when it was created today before its start and is running, then it is not ended yet', session({ createdAt: at('09:00') }), at('10:30'), 'not_ended'],
  ];
  it.each(cases)('%s', (_name, s, now, expected) => {
    expect(autoMarkState(s, now)).toBe(expected);
  });

  it('when the duration is given, then the end is start + duration', () => {
    expect(sessionEndsAt(session()).toISOString()).toBe('2030-03-02T11:30:00.000Z');
  });
});

describe('selecting one run\'s batch', () => {
  const s = (id: string, over: Partial<AutoMarkTiming>) => ({ id, ...session(over) });
  const candidates = [
    s('late-created', { createdAt: at('16:00') }),
    s('running', { startsAt: at('16:30') }),
    s('newest', { startsAt: at('14:00'), durationMinutes: 30 }),
    s('oldest', { startsAt: at('08:00'), durationMinutes: 60 }),
    s('done', { doneAt: at('12:00') }),
    s('middle', {}),
  ];

  it('when several have ended, then the due ones come oldest end first and the late-created ones are set apart', () => {
    const { due, createdAfterEnd } = selectDue(candidates, at('17:00'), 10);
    expect(due.map((x) => x.id)).toEqual(['oldest', 'middle', 'newest']);
    expect(createdAfterEnd.map((x) => x.id)).toEqual(['late-created']);
  });

  it('when more are due than the batch allows, then only the oldest ones are taken', () => {
    expect(selectDue(candidates, at('17:00'), 2).due.map((x) => x.id)).toEqual(['oldest', 'middle']);
    expect(selectDue(candidates, at('17:00'), 0).due).toEqual([]);
  });
});

describe('which students get the automatic status', () => {
  const cases: Array<[string, string[], string[], string[]]> = [
    ['when nobody is marked, then everyone in the audience', ['a', 'b', 'c'], [], ['a', 'b', 'c']],
    ['when some are marked, then only the others, in audience order', ['a', 'b', 'c', 'd'], ['b', 'd'], ['a', 'c']],
    ['when everyone is marked, then nobody', ['a', 'b'], ['a', 'b'], []],
    ['when records exist for people outside the audience, then they change nothing', ['a'], ['z'], ['a']],
    ['when the audience lists someone twice, then once', ['a', 'a', 'b'], [], ['a', 'b']],
    ['when the audience is empty, then nobody', [], ['a'], []],
  ];
  it.each(cases)('%s', (_name, audience, marked, expected) => {
    expect(studentsToMark(audience, new Set(marked))).toEqual(expected);
  });
});

describe('reading which upserts inserted', () => {
  it('when the database reports upserts by op index, then those ops\' students, in op order', () => {
    expect(insertedUserIds(['a', 'b', 'c', 'd'], { 3: 'id-d', 1: 'id-b' })).toEqual(['b', 'd']);
  });
  it('when nothing was inserted (all matched existing records), then nobody', () => {
    expect(insertedUserIds(['a', 'b'], {})).toEqual([]);
    expect(insertedUserIds(['a', 'b'], undefined)).toEqual([]);
  });
});

describe('the set\'s automatic status', () => {
  const statuses = [{ _id: 'P' }, { _id: 'A' }];
  it.each([
    ['when it names a status of the set, then that status', 'A', 'A'],
    ['when it is null, then none', null, null],
    ['when it names a status the set no longer has, then none', 'X', null],
  ] as const)('%s', (_name, autoStatusId, expected) => {
    expect(automaticStatus({ autoStatusId, statuses })).toBe(expected);
  });
});
