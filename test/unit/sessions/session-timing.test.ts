import { earliestStartNotEnded, isRunning, isUpcoming, timingOf } from '../../../src/sessions/session-timing';
import { filterSessions } from '../../../src/sessions/sessions.presenter';

const now = new Date('2026-04-01T10:00:00Z');
const session = (startsAt: string, durationMinutes = 60) => ({ startsAt: new Date(startsAt), durationMinutes, audience: { kind: 'all' as const } });

describe('where a session stands at a given instant', () => {
  it.each<[string, string, number, 'later' | 'now' | 'past']>([
    ['it starts later', '2026-04-01T10:01:00Z', 60, 'later'],
    ['it starts this very minute', '2026-04-01T10:00:00Z', 60, 'now'],
    ['it started and has not ended', '2026-04-01T09:30:00Z', 60, 'now'],
    ['it ends this very minute', '2026-04-01T09:00:00Z', 60, 'past'],
    ['it ended', '2026-03-31T09:00:00Z', 60, 'past'],
  ])('when %s, then it is %s', (_what, startsAt, minutes, expected) => {
    expect(timingOf(session(startsAt, minutes), now)).toBe(expected);
  });

  it('when a session is running, then it is upcoming too, and the Sessions list agrees', () => {
    const running = session('2026-04-01T09:30:00Z');
    expect(isRunning(running, now)).toBe(true);
    expect(isUpcoming(running, now)).toBe(true);
    expect(filterSessions([running], { view: 'upcoming', group: 'all' }, now)).toEqual([running]);
  });

  it('when the longest allowed meeting started just after the bound, then it is still running', () => {
    const bound = earliestStartNotEnded(now);
    expect(isRunning({ startsAt: new Date(bound.getTime() + 1), durationMinutes: 1440 }, now)).toBe(true);
    expect(isRunning({ startsAt: bound, durationMinutes: 1440 }, now)).toBe(false);
  });
});
