import { OpenEntry, toStudentNowCard } from '../../../src/courses/now-card.presenter';
import type { SessionRowView } from '../../../src/reports/student-view.presenter';

const row = (id: string, extra: Partial<SessionRowView> = {}): SessionRowView => ({
  id, when: `when ${id}`, description: `Session ${id}`, group: '', acronym: '', statusDescription: '', note: 'Not marked yet', remark: '', hint: '', recorded: false, ...extra,
});
const open = (id: string): OpenEntry => ({ id, when: `when ${id}`, description: `Session ${id}`, href: `/check-in/${id}`, held: false });

describe('the student "Now" card', () => {
  it('when a running session has a record, then its status shows and no check-in link, even while check-in is open', () => {
    const card = toStudentNowCard({ now: [row('a', { recorded: true, acronym: 'P', statusDescription: 'Present', hint: 'Self-recorded' })], upcoming: [] }, [open('a')]);
    expect(card).toEqual([expect.objectContaining({ state: 'recorded', acronym: 'P', statusDescription: 'Present', hint: 'Self-recorded' })]);
    expect(card[0]?.href).toBeUndefined();
  });

  it('when check-in is open and nothing is recorded, then it offers the form; without check-in it waits', () => {
    const card = toStudentNowCard({ now: [row('a'), row('b')], upcoming: [] }, [open('b')]);
    expect(card.map((c) => [c.description, c.state, c.href])).toEqual([['Session a', 'waiting', undefined], ['Session b', 'submit', '/check-in/b']]);
  });

  it('when check-in opens before the start, then that session is listed after the running ones, and later ones without check-in are not', () => {
    const card = toStudentNowCard({ now: [row('a')], upcoming: [row('early'), row('later')] }, [open('early'), open('unknown')]);
    expect(card.map((c) => `${c.description}:${c.state}`)).toEqual(['Session a:waiting', 'Session early:submit', 'Session unknown:submit']);
  });
});
