/**
 * Which IP addresses an outgoing registration request may connect to. /register fetches a URL a
 * stranger chose, so without this it reaches the tool's own network: loopback admin consoles,
 * databases, the cloud metadata service (169.254.169.254). The check runs on the address that
 * is actually connected to (lms-http.adapter.ts resolves once and connects to that address), so
 * a host name that resolves to an internal address, or changes its answer between two lookups
 * (DNS rebinding), is caught too.
 *
 * IPv4 inside IPv6 is judged by the IPv4 address it reaches: mapped (::ffff:a.b.c.d), NAT64's
 * well-known prefix (64:ff9b::/96) and 6to4 (2002::/16). Everything outside the special ranges
 * of IPv4, and outside global unicast (2000::/3) of IPv6, is public.
 */

export type AddressClass = 'public' | 'unspecified' | 'loopback' | 'private' | 'link_local' | 'multicast' | 'broadcast' | 'reserved' | 'invalid';

/** [network, prefix length, class]; the first match wins. */
const IPV4_RANGES: Array<[string, number, AddressClass]> = [
  ['0.0.0.0', 8, 'unspecified'], // "this network": 0.0.0.0 connects to the host itself on Linux
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'private'], // carrier-grade NAT, often the provider's internal network
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link_local'], // includes the cloud metadata service
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'], // IETF protocol assignments (NAT64 discovery, DS-Lite)
  ['192.0.2.0', 24, 'reserved'], // documentation
  ['192.88.99.0', 24, 'reserved'], // deprecated 6to4 relay anycast
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved'], // benchmarking
  ['198.51.100.0', 24, 'reserved'], // documentation
  ['203.0.113.0', 24, 'reserved'], // documentation
  ['224.0.0.0', 4, 'multicast'],
  ['255.255.255.255', 32, 'broadcast'],
  ['240.0.0.0', 4, 'reserved'],
];

/** Strict dotted decimal (what resolvers return and WHATWG URLs normalise to), as an unsigned number. */
function parseIPv4(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return undefined;
    n = n * 256 + Number(part);
  }
  return n;
}

const V4_NETWORKS = IPV4_RANGES.map(([net, len, cls]) => ({ net: parseIPv4(net) ?? 0, shift: 32 - len, cls }));

function classifyIPv4(n: number): AddressClass {
  for (const r of V4_NETWORKS) if (Math.floor(n / 2 ** r.shift) === Math.floor(r.net / 2 ** r.shift)) return r.cls;
  return 'public';
}

function hexWords(part: string): number[] | undefined {
  if (part === '') return [];
  const words = part.split(':').map((h) => (/^[0-9a-f]{1,4}$/i.test(h) ? parseInt(h, 16) : NaN));
  return words.some(Number.isNaN) ? undefined : words;
}

/** Eight 16-bit words; accepts `::`, a trailing dotted IPv4, brackets and a zone id. */
function parseIPv6(input: string): number[] | undefined {
  let s = input.startsWith('[') && input.endsWith(']') ? input.slice(1, -1) : input;
  if (s.includes('%')) s = s.slice(0, s.indexOf('%'));
  if (!s.includes(':')) return undefined;
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    const v4 = parseIPv4(s.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail = [Math.floor(v4 / 65536), v4 % 65536];
    s = s.slice(0, lastColon + 1);
    if (!s.endsWith('::')) s = s.slice(0, -1);
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const left = hexWords(halves[0] ?? '');
  const right = halves.length === 2 ? hexWords(halves[1] ?? '') : [];
  if (!left || !right) return undefined;
  const given = left.length + right.length + tail.length;
  if (halves.length === 2 ? given > 7 : given !== 8) return undefined;
  return [...left, ...new Array<number>(8 - given).fill(0), ...right, ...tail];
}

function classifyIPv6(w: number[]): AddressClass {
  const word = (i: number) => w[i] ?? 0;
  const zeros = (from: number, to: number) => w.slice(from, to).every((x) => x === 0);
  const v4At = (i: number) => word(i) * 65536 + word(i + 1);
  if (zeros(0, 8)) return 'unspecified';
  if (zeros(0, 7) && word(7) === 1) return 'loopback';
  if (zeros(0, 5) && word(5) === 0xffff) return classifyIPv4(v4At(6)); // IPv4-mapped
  if (word(0) === 0x64 && word(1) === 0xff9b && zeros(2, 6)) return classifyIPv4(v4At(6)); // NAT64 well-known prefix
  const w0 = word(0);
  if ((w0 & 0xfe00) === 0xfc00) return 'private'; // unique local fc00::/7
  if ((w0 & 0xffc0) === 0xfe80) return 'link_local';
  if ((w0 & 0xffc0) === 0xfec0) return 'private'; // deprecated site-local
  if ((w0 & 0xff00) === 0xff00) return 'multicast';
  if (w0 === 0x2002) return classifyIPv4(v4At(1)); // 6to4 carries the IPv4 address it reaches
  if (w0 === 0x2001 && (word(1) < 0x200 || word(1) === 0xdb8)) return 'reserved'; // Teredo, ORCHID…; documentation
  if (w0 === 0x3fff && word(1) < 0x1000) return 'reserved'; // documentation 3fff::/20
  return (w0 & 0xe000) === 0x2000 ? 'public' : 'reserved'; // only 2000::/3 is global unicast
}

export function classifyAddress(ip: string): AddressClass {
  const v4 = parseIPv4(ip);
  if (v4 !== undefined) return classifyIPv4(v4);
  const v6 = parseIPv6(ip);
  return v6 ? classifyIPv6(v6) : 'invalid';
}

/** Reachable only for hosts an administrator listed in DYNREG_ALLOWED_HOSTS (an LMS in the same network). */
const LISTED_ONLY: ReadonlySet<AddressClass> = new Set(['loopback', 'private', 'reserved']);

/**
 * May the tool connect to `ip`? Public addresses always; loopback and private networks only for
 * a listed host. Unspecified, link-local (the metadata service), multicast and broadcast never:
 * no LMS lives there.
 */
export function addressAllowed(ip: string, hostListed: boolean): boolean {
  const cls = classifyAddress(ip);
  return cls === 'public' || (hostListed && LISTED_ONLY.has(cls));
}

/** The URL's host when it is an IP address (no lookup happens for those), else undefined. */
export function literalAddress(url: URL): string | undefined {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return classifyAddress(host) === 'invalid' ? undefined : host;
}
