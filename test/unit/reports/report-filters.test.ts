import { parseReportQuery, reportQueryString, startOfLocalDay, DEFAULT_QUERY } from '../../../src/reports/report-filters';

const RIGA = 'Europe/Riga';
const NOW = new Date('2026-03-20T12:00:00Z');
const parse = (raw: Record<string, unknown>, zone = RIGA) => parseReportQuery(raw, zone, NOW);

describe('report filters: dates in the activity time zone', () => {
  it.each([
    // [from, to, from instant, to instant (exclusive: the next local midnight)]
    ['2026-03-02', '2026-03-09', '2026-03-01T22:00:00.000Z', '2026-03-09T22:00:00.000Z'],
    // Riga springs forward on Sun 29 March: that day has 23 hours, and midnight after it is UTC+3.
    ['2026-03-29', '2026-03-29', '2026-03-28T22:00:00.000Z', '2026-03-29T21:00:00.000Z'],
    // ... and falls back on Sun 25 October: 25 hours.
    ['2026-10-25', '2026-10-25', '2026-10-24T21:00:00.000Z', '2026-10-25T22:00:00.000Z'],
  ])('when from=%s and to=%s, then the range is [%s, %s)', (from, to, start, end) => {
    const p = parse({ from, to });
    expect(p.errors).toEqual({});
    expect(p.filters.from?.toISOString()).toBe(start);
    expect(p.filters.to?.toISOString()).toBe(end);
  });

  it('when only "from" is given, then the range is open-ended', () => {
    const p = parse({ from: '2026-03-02' });
    expect(p.filters).toEqual({ from: new Date('2026-03-01T22:00:00Z') });
  });

  it('when the zone differs, then the same day starts at another instant', () => {
    expect(parse({ from: '2026-03-02' }, 'America/New_York').filters.from?.toISOString()).toBe('2026-03-02T05:00:00.000Z');
  });

  it.each([
    [{ from: '2026-02-30' }, { from: 'reports.errors.bad_date' }],
    [{ to: '02.03.2026' }, { to: 'reports.errors.bad_date' }],
    [{ from: 'yesterday', to: '2026-13-01' }, { from: 'reports.errors.bad_date', to: 'reports.errors.bad_date' }],
    [{ from: '2026-03-10', to: '2026-03-09' }, { to: 'reports.errors.to_before_from' }],
  ])('when the dates are %j, then the errors are %j and the typed values are kept', (raw, errors) => {
    const p = parse(raw);
    expect(p.errors).toEqual(errors);
    expect(p.query.from).toBe((raw as { from?: string }).from ?? '');
    expect(p.query.to).toBe((raw as { to?: string }).to ?? '');
  });

  it('when from equals to, then it is one whole day and no error', () => {
    expect(parse({ from: '2026-03-09', to: '2026-03-09' }).errors).toEqual({});
  });

  it('startOfLocalDay refuses what is not a calendar day', () => {
    expect(startOfLocalDay('2026-02-29', RIGA)).toBeUndefined();
    expect(startOfLocalDay('2028-02-29', RIGA)?.toISO()).toBe('2028-02-29T00:00:00.000+02:00');
  });
});

describe('report filters: choices from our own links', () => {
  it('when nothing is given, then the defaults apply and nothing is reported as ignored', () => {
    const p = parse({});
    expect(p.query).toEqual(DEFAULT_QUERY);
    expect(p.filters).toEqual({});
    expect(p.ignored).toEqual([]);
  });

  it.each([
    [{ view: 'yearly' }, ['view']],
    [{ sort: 'email', dir: 'sideways' }, ['sort', 'dir']],
    [{ below: 'yes' }, ['below']],
  ])('when the address holds %j, then the default is used and %j is reported', (raw, ignored) => {
    const p = parse(raw);
    expect(p.ignored).toEqual(ignored);
    expect(p.errors).toEqual({});
    expect(p.query).toMatchObject({ view: 'all', sort: 'name', dir: 'asc', below: false });
  });

  it('when valid choices are given, then they are kept; a repeated parameter takes the first', () => {
    const p = parse({ view: ['month', 'week'], sort: 'percentage', dir: 'desc', below: '1', group: 'g-1' });
    expect(p.query).toEqual({ group: 'g-1', from: '', to: '', below: true, view: 'month', sort: 'percentage', dir: 'desc' });
    expect(p.filters).toEqual({ groupId: 'g-1' });
  });

  it('when group is "all" or empty, then no group filter is applied', () => {
    expect(parse({ group: 'all' }).filters).toEqual({});
    expect(parse({ group: '' }).query.group).toBe('');
  });

  it('when the view is "past", then sessions starting after now are left out, also when "to" is later', () => {
    expect(parse({ view: 'past' }).filters.to).toEqual(NOW);
    expect(parse({ view: 'past', to: '2026-12-31' }).filters.to).toEqual(NOW);
    expect(parse({ view: 'past', to: '2026-03-02' }).filters.to?.toISOString()).toBe('2026-03-02T22:00:00.000Z');
  });
});

describe('reportQueryString', () => {
  it('when values are defaults, then they are left out; a change overrides', () => {
    expect(reportQueryString(DEFAULT_QUERY)).toBe('');
    const q = { ...DEFAULT_QUERY, group: 'g 1', from: '2026-03-02', below: true, view: 'week' as const };
    expect(reportQueryString(q, { sort: 'percentage', dir: 'desc' })).toBe('group=g+1&from=2026-03-02&below=1&view=week&sort=percentage&dir=desc');
  });
});
