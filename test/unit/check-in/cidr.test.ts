import { ipAllowed, parseCidrList, ParsedCidrs, unmapIPv4 } from '../../../src/check-in/cidr';

function parsed(list: string[]): ParsedCidrs {
  const result = parseCidrList(list);
  if (!result.ok) throw new Error(`unexpected problems: ${JSON.stringify(result.problems)}`);
  return result;
}

describe('allowed networks', () => {
  const campus = parsed(['10.0.0.0/8', '192.168.1.7', '2001:db8::/32']);

  it.each<[string | undefined, boolean]>([
    ['10.20.30.40', true],
    ['11.0.0.1', false],
    ['192.168.1.7', true],
    ['192.168.1.8', false],
    ['::ffff:10.0.0.5', true],
    ['::FFFF:10.0.0.5', true],
    ['::ffff:a00:5', true],
    ['::ffff:11.0.0.5', false],
    ['2001:db8:1::42', true],
    ['2001:db9::1', false],
    ['not an address', false],
    [undefined, false],
  ])('when the client is %p, then allowed is %p', (ip, allowed) => {
    expect(ipAllowed(ip, campus)).toBe(allowed);
  });

  it('when the list is empty (or only blank lines), then every address is allowed', () => {
    expect(ipAllowed('8.8.8.8', parsed([]))).toBe(true);
    expect(ipAllowed(undefined, parsed(['', '  ']))).toBe(true);
  });

  it('when entries are parsed, then they are normalised', () => {
    expect(parsed([' 10.0.0.0/8 ', '192.168.1.7', '2001:DB8::/32', '::1']).cidrs).toEqual([
      '10.0.0.0/8', '192.168.1.7/32', '2001:db8::/32', '::1/128',
    ]);
  });

  it('when an entry has host bits after the prefix, then they are ignored', () => {
    expect(ipAllowed('10.9.9.9', parsed(['10.0.0.5/8']))).toBe(true);
  });
});

describe('invalid network lists', () => {
  it('when several entries are bad, then each is reported with its line', () => {
    const result = parseCidrList(['10.0.0.0/8', '10.0.0.0/33', 'campus', '', '2001:db8::/129', '10.0.0.0/', '10.0.0.0/0x8', 'fe80::1%eth0', '1.2.3.4/8/9', '256.0.0.1']);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.index)).toEqual([1, 2, 4, 5, 6, 7, 8, 9]);
    expect(new Set(result.problems.map((p) => p.messageKey))).toEqual(new Set(['check_in.errors.bad_cidr']));
  });

  it('when there are 51 networks, then the list is too long', () => {
    const result = parseCidrList(Array.from({ length: 51 }, (_, i) => `10.${i}.0.0/16`));
    expect(result.ok ? [] : result.problems).toEqual([{ index: -1, entry: '', messageKey: 'check_in.errors.too_many_cidrs' }]);
    expect(parseCidrList(Array.from({ length: 50 }, (_, i) => `10.${i}.0.0/16`)).ok).toBe(true);
  });

  it('when an address is not mapped, then it is left alone', () => {
    expect(unmapIPv4('2001:db8::1')).toBe('2001:db8::1');
  });
});
