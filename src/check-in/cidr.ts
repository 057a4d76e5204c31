/**
 * The optional "only from these networks" rule of self check-in, e.g. the campus Wi-Fi.
 * Built on node's BlockList (used here as an allow list) so address parsing is node's, not ours.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';

export const MAX_CIDRS = 50;

export interface CidrProblem {
  /** Position in the submitted list, so the form can point at the line. -1 = the list itself. */
  index: number;
  entry: string;
  messageKey: string;
}

export interface ParsedCidrs {
  blockList: BlockList;
  /** Normalised entries ("10.0.0.7" becomes "10.0.0.7/32"); empty = every address is allowed. */
  cidrs: string[];
}

export type CidrParse = ({ ok: true } & ParsedCidrs) | { ok: false; problems: CidrProblem[] };

type Family = 'ipv4' | 'ipv6';

function familyOf(address: string): Family | undefined {
  if (isIPv4(address)) return 'ipv4';
  // Zone ids ("fe80::1%eth0") pass isIPv6 but mean nothing across machines.
  if (isIPv6(address) && !address.includes('%')) return 'ipv6';
  return undefined;
}

function parseOne(entry: string): { address: string; prefix: number; family: Family } | string {
  const [address = '', prefixText, extra] = entry.split('/');
  const family = familyOf(address);
  if (!family || extra !== undefined) return 'check_in.errors.bad_cidr';
  const max = family === 'ipv4' ? 32 : 128;
  if (prefixText === undefined) return { address, prefix: max, family };
  // Digits only: Number('') is 0 and Number('0x10') is 16, neither is what a teacher meant.
  if (!/^\d{1,3}$/.test(prefixText)) return 'check_in.errors.bad_cidr';
  const prefix = Number(prefixText);
  if (prefix > max) return 'check_in.errors.bad_cidr';
  return { address, prefix, family };
}

/**
 * Blank lines are skipped. Every bad entry is reported at once. Host bits after the prefix
 * ("10.0.0.5/8") are accepted and ignored, as BlockList and most routers do.
 */
export function parseCidrList(list: readonly string[]): CidrParse {
  const problems: CidrProblem[] = [];
  const blockList = new BlockList();
  const cidrs: string[] = [];
  const entries = list.map((raw, index) => ({ entry: raw.trim(), index })).filter((e) => e.entry !== '');
  if (entries.length > MAX_CIDRS) {
    problems.push({ index: -1, entry: '', messageKey: 'check_in.errors.too_many_cidrs' });
  }
  for (const { entry, index } of entries) {
    const parsed = parseOne(entry);
    if (typeof parsed === 'string') {
      problems.push({ index, entry, messageKey: parsed });
      continue;
    }
    blockList.addSubnet(parsed.address, parsed.prefix, parsed.family);
    cidrs.push(`${parsed.address.toLowerCase()}/${parsed.prefix}`);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, blockList, cidrs };
}

/**
 * Behind a dual-stack socket an IPv4 client shows up as "::ffff:10.0.0.5" (or, rarely,
 * "::ffff:a00:5"); the teacher wrote an IPv4 network, so compare the IPv4 address.
 */
export function unmapIPv4(ip: string): string {
  const dotted = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (dotted?.[1] && isIPv4(dotted[1])) return dotted[1];
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(ip);
  if (hex?.[1] && hex[2]) {
    const high = parseInt(hex[1], 16);
    const low = parseInt(hex[2], 16);
    return [high >> 8, high & 255, low >> 8, low & 255].join('.');
  }
  return ip;
}

/** No networks configured = everyone may check in; an unknown or unparsable address may not. */
export function ipAllowed(ip: string | undefined, parsed: ParsedCidrs): boolean {
  if (parsed.cidrs.length === 0) return true;
  if (ip === undefined) return false;
  const address = unmapIPv4(ip.trim());
  const family = familyOf(address);
  return family !== undefined && parsed.blockList.check(address, family);
}
