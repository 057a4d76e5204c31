import { checkInWindow } from '../../../src/check-in/window';

const startsAt = new Date('2025-03-10T09:00:00Z');
const session = { startsAt, durationMinutes: 90 };
const at = (iso: string) => new Date(iso).getTime();

describe('the check-in window of a 9:00-10:30 meeting', () => {
  it.each<[number, string, string]>([
    [0, '2025-03-10T08:59:59.999Z', 'not_open'],
    [0, '2025-03-10T09:00:00.000Z', 'open'],
    [15, '2025-03-10T08:44:59.999Z', 'not_open'],
    [15, '2025-03-10T08:45:00.000Z', 'open'],
    [15, '2025-03-10T10:29:59.999Z', 'open'],
    [15, '2025-03-10T10:30:00.000Z', 'closed'],
    [0, '2025-03-10T12:00:00.000Z', 'closed'],
  ])('when it opens %i min before and it is %s, then it is %s', (before, now, state) => {
    expect(checkInWindow(session, before, at(now)).state).toBe(state);
  });

  it('when asked, then it tells when it opens and closes', () => {
    const window = checkInWindow(session, 15, at('2025-03-10T08:00:00Z'));
    expect(window.opensAt.toISOString()).toBe('2025-03-10T08:45:00.000Z');
    expect(window.closesAt.toISOString()).toBe('2025-03-10T10:30:00.000Z');
  });

  it('when the meeting lasts 0 minutes and opens on time, then it is never open', () => {
    const states = [-1, 0, 1].map((ms) => checkInWindow({ startsAt, durationMinutes: 0 }, 0, startsAt.getTime() + ms).state);
    expect(states).toEqual(['not_open', 'closed', 'closed']);
  });
});
