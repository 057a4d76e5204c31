import { canonicalTimeZone, isValidTimeZone, localToUtc, utcToLocal } from '../../../src/sessions/local-time';

const RIGA = 'Europe/Riga';

describe('localToUtc: a local date and time in a zone becomes one UTC instant', () => {
  it.each([
    ['winter (EET, +02:00)', '2026-01-15', '10:00', RIGA, '2026-01-15T08:00:00.000Z'],
    ['summer (EEST, +03:00)', '2026-07-15', '10:00', RIGA, '2026-07-15T07:00:00.000Z'],
    ['the evening before the spring change', '2026-03-28', '23:30', RIGA, '2026-03-28T21:30:00.000Z'],
    ['UTC itself', '2026-03-29', '03:30', 'UTC', '2026-03-29T03:30:00.000Z'],
    ['New York summer', '2026-07-01', '09:15', 'America/New_York', '2026-07-01T13:15:00.000Z'],
  ])('when it is %s, then the offset of that day is used', (_name, date, time, zone, expected) => {
    const r = localToUtc(date, time, zone);
    expect(r.ok && r.instant.toISOString()).toBe(expected);
    expect(r.ok && r.dst).toBeUndefined();
  });

  it('when the time falls into the spring-forward gap (03:30 on 2026-03-29 in Riga), then it moves forward to 04:30 and says so', () => {
    const r = localToUtc('2026-03-29', '03:30', RIGA);
    expect(r).toEqual({ ok: true, instant: new Date('2026-03-29T01:30:00.000Z'), dst: 'gap', localDate: '2026-03-29', localTime: '04:30' });
  });

  it('when the time is repeated by the fall-back overlap (03:30 on 2026-10-25 in Riga), then the earlier instant (EEST) is taken and reported', () => {
    const r = localToUtc('2026-10-25', '03:30', RIGA);
    expect(r).toEqual({ ok: true, instant: new Date('2026-10-25T00:30:00.000Z'), dst: 'overlap', localDate: '2026-10-25', localTime: '03:30' });
    expect(utcToLocal(new Date('2026-10-25T01:30:00.000Z'), RIGA).time).toBe('03:30'); // the later one exists too
  });

  it('when the time falls into New York\'s gap (02:30 on 2026-03-08), then it becomes 03:30 EDT', () => {
    const r = localToUtc('2026-03-08', '02:30', 'America/New_York');
    expect(r.ok && [r.instant.toISOString(), r.localTime, r.dst]).toEqual(['2026-03-08T07:30:00.000Z', '03:30', 'gap']);
  });

  it.each([
    ['a day that does not exist', '2026-02-30', '10:00', RIGA, 'bad_date'],
    ['a badly written date', '30.03.2026', '10:00', RIGA, 'bad_date'],
    ['hour 24', '2026-03-30', '24:00', RIGA, 'bad_time'],
    ['a time without minutes', '2026-03-30', '10', RIGA, 'bad_time'],
    ['an unknown zone', '2026-03-30', '10:00', 'Mars/Olympus_Mons', 'bad_zone'],
    ['an empty zone', '2026-03-30', '10:00', '', 'bad_zone'],
  ])('when given %s, then it is refused', (_name, date, time, zone, error) => {
    expect(localToUtc(date, time, zone)).toEqual({ ok: false, error });
  });
});

describe('utcToLocal: an instant is shown in the zone', () => {
  it('when an instant is read in Riga, then date, time and ISO weekday are local (Sunday 23:30 UTC is Monday in Riga)', () => {
    expect(utcToLocal(new Date('2026-03-29T21:30:00Z'), RIGA)).toEqual({ date: '2026-03-30', time: '00:30', weekday: 1 });
  });

  it('when a local time goes there and back, then it is unchanged on ordinary days', () => {
    for (const date of ['2026-01-05', '2026-03-30', '2026-10-26', '2026-12-31']) {
      const r = localToUtc(date, '10:00', RIGA);
      expect(r.ok && utcToLocal(r.instant, RIGA)).toMatchObject({ date, time: '10:00' });
    }
  });
});

describe('time zone names', () => {
  it.each([
    ['Europe/Riga', 'Europe/Riga'],
    ['europe/riga', 'Europe/Riga'],
    [' UTC ', 'UTC'],
    ['America/New_York', 'America/New_York'],
    ['Mars/Olympus_Mons', undefined],
    ['+02:00', undefined],
    ['', undefined],
  ])('when %p is given, then its canonical name is %p', (input, expected) => {
    expect(canonicalTimeZone(input)).toBe(expected);
    expect(isValidTimeZone(input.trim())).toBe(expected !== undefined);
  });
});
