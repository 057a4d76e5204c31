import { sessionHeads, shorten } from '../../../src/reports/report-grid';
import type { ReportSession } from '../../../src/reports/report';

const at = (iso: string, description: string, groupId?: string): ReportSession => ({
  id: `${iso}-${description}-${groupId ?? 'all'}`, startsAt: new Date(iso), durationMinutes: 90, description,
  audience: groupId ? { kind: 'group', groupId } : { kind: 'all' }, statusSetId: 'set',
});
const f = { locale: 'en' as const, zone: 'Europe/Riga' };

describe('report grid headers', () => {
  it('when a description is longer than 24 characters, then it is cut to 24 with "…", never inside a surrogate pair', () => {
    expect(shorten('Short one')).toBe('Short one');
    expect(shorten('123456789012345678901234')).toBe('123456789012345678901234');
    expect(shorten('1234567890123456789012345')).toBe('12345678901234567890123…');
    expect(Array.from(shorten('😀'.repeat(30)))).toHaveLength(24);
  });

  it('when sessions share date, time and description, then the group names tell them apart, and #n where the audience is the same too', () => {
    const sessions = [at('2026-12-03T07:00:00Z', 'Lab', 'g1'), at('2026-12-03T07:00:00Z', 'Lab', 'g2'), at('2026-12-03T07:00:00Z', 'Lab', 'g2'), at('2026-12-04T07:00:00Z', '')];
    const heads = sessionHeads(sessions, ['G1', 'G2', 'G2', 'All students'], f);
    expect(heads.map((h) => `${h.day} ${h.time} ${h.label}`)).toEqual(['03.12. 09:00 Lab · G1', '03.12. 09:00 Lab · G2 · #1', '03.12. 09:00 Lab · G2 · #2', '04.12. 09:00 ']);
    expect(heads[1]?.labelFull).toBe('Lab · G2 · #1');
  });
});
