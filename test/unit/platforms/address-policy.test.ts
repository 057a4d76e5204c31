import { addressAllowed, AddressClass, classifyAddress, literalAddress } from '../../../src/platforms/address-policy';

describe('classifyAddress (where an outgoing registration request may connect)', () => {
  it.each<[string, AddressClass]>([
    // IPv4
    ['8.8.8.8', 'public'],
    ['93.184.216.34', 'public'],
    ['1.1.1.1', 'public'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.15.255.255', 'public'],
    ['172.32.0.1', 'public'],
    ['192.168.1.10', 'private'],
    ['100.64.0.1', 'private'],
    ['100.127.255.255', 'private'],
    ['100.128.0.1', 'public'],
    ['169.254.169.254', 'link_local'],
    ['169.254.0.1', 'link_local'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.0.170', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['198.51.100.7', 'reserved'],
    ['203.0.113.9', 'reserved'],
    // IPv6
    ['2001:4860:4860::8888', 'public'],
    ['2a00:1450:4001:81b::200e', 'public'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['fc00::1', 'private'],
    ['fd12:3456:789a::1', 'private'],
    ['fe80::1', 'link_local'],
    ['fe80::1%eth0', 'link_local'],
    ['febf::1', 'link_local'],
    ['fec0::1', 'private'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['2001::1', 'reserved'], // Teredo
    ['100::1', 'reserved'],
    ['64:ff9b:1::a00:1', 'reserved'],
    ['4000::1', 'reserved'],
    // IPv4 inside IPv6: judged by the IPv4 address it reaches
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:169.254.169.254', 'link_local'],
    ['::ffff:8.8.8.8', 'public'],
    ['::127.0.0.1', 'reserved'], // deprecated IPv4-compatible form
    ['64:ff9b::127.0.0.1', 'loopback'], // NAT64 well-known prefix
    ['64:ff9b::a9fe:a9fe', 'link_local'],
    ['64:ff9b::8.8.8.8', 'public'],
    ['2002:7f00:1::1', 'loopback'], // 6to4 of 127.0.0.1
    ['2002:0a00:0001::1', 'private'],
    ['2002:0808:0808::1', 'public'],
    ['[::1]', 'loopback'],
    // not addresses at all
    ['localhost', 'invalid'],
    ['127.1', 'invalid'],
    ['1.2.3.256', 'invalid'],
    ['1::2::3', 'invalid'],
    ['', 'invalid'],
  ])('%s is %s', (ip, expected) => {
    expect(classifyAddress(ip)).toBe(expected);
  });
});

describe('addressAllowed', () => {
  it('when the host is not on DYNREG_ALLOWED_HOSTS, then only public addresses may be reached', () => {
    expect(addressAllowed('8.8.8.8', false)).toBe(true);
    for (const ip of ['127.0.0.1', '10.0.0.1', '169.254.169.254', '::1', '::ffff:127.0.0.1', '0.0.0.0', '224.0.0.1', 'fd00::1', 'nonsense']) {
      expect([ip, addressAllowed(ip, false)]).toEqual([ip, false]);
    }
  });

  it('when the host is on DYNREG_ALLOWED_HOSTS, then loopback and private networks may be reached too, but never unspecified, link-local, multicast or broadcast', () => {
    for (const ip of ['127.0.0.1', '::1', '10.0.0.1', '192.168.1.2', '100.64.0.1', 'fd00::1', '8.8.8.8']) expect([ip, addressAllowed(ip, true)]).toEqual([ip, true]);
    for (const ip of ['0.0.0.0', '::', '169.254.169.254', 'fe80::1', '224.0.0.1', '255.255.255.255', 'nonsense']) expect([ip, addressAllowed(ip, true)]).toEqual([ip, false]);
  });
});

describe('literalAddress (a URL host that is an IP address, in the form WHATWG URLs normalise to)', () => {
  it.each([
    ['http://127.0.0.1:8080/x', '127.0.0.1'],
    ['http://2130706433/x', '127.0.0.1'],
    ['http://0x7f.1/x', '127.0.0.1'],
    ['http://[::1]/x', '::1'],
    ['http://[::ffff:127.0.0.1]/x', '::ffff:7f00:1'],
    ['https://lms.example.edu/x', undefined],
    ['http://localhost:3000/x', undefined],
  ])('%s → %s', (url, expected) => {
    expect(literalAddress(new URL(url))).toBe(expected);
  });
});
