/**
 * Registration links, the pure half. LTI Dynamic Registration makes the tool fetch a URL it is
 * handed, so /register only starts for someone holding a link an administrator created
 * (`npm run platform -- registration-link`): `<PUBLIC_URL>/register?rt=<token>`. The LMS appends
 * its own `openid_configuration` and `registration_token` to whatever URL it is given, so the
 * link survives the trip. Only the token's SHA-256 is stored (a database dump holds no usable link).
 */
import { createHash, randomBytes } from 'node:crypto';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
const UNIT_MS = { m: MINUTE_MS, h: 60 * MINUTE_MS, d: DAY_MS } as const;
const MIN_EXPIRY_MS = 10 * MINUTE_MS;
const MAX_EXPIRY_MS = 90 * DAY_MS;
export const MAX_LINK_USES = 100;
/** How an administrator makes a link; the pages that need one show it. */
export const LINK_COMMAND = 'npm run platform -- registration-link';

export interface LinkOptions {
  expiresInMs: number;
  uses: number;
}

export const DEFAULT_LINK_OPTIONS: LinkOptions = { expiresInMs: 7 * DAY_MS, uses: 1 };

/** One wrong option: `field` names it (the CLI's `--expires`, the admin API's `expires`). */
export interface LinkOptionIssue {
  field: 'expires' | 'uses';
  message: string;
}

export class LinkOptionsError extends Error {
  /** As the CLI prints them: `--expires must be …`. */
  readonly problems: string[];
  constructor(readonly issues: LinkOptionIssue[]) {
    const problems = issues.map((i) => `--${i.field} ${i.message}`);
    super(problems.join('\n'));
    this.problems = problems;
    this.name = 'LinkOptionsError';
  }
}

function parseDuration(raw: unknown): number | undefined {
  if (typeof raw !== 'string') return undefined;
  const m = /^(\d{1,4})([mhd])$/i.exec(raw.trim());
  if (!m?.[1] || !m[2]) return undefined;
  const ms = Number(m[1]) * UNIT_MS[m[2].toLowerCase() as keyof typeof UNIT_MS];
  return ms >= MIN_EXPIRY_MS && ms <= MAX_EXPIRY_MS ? ms : undefined;
}

/** The CLI's digits, or the admin API's JSON number. */
function parseUses(raw: unknown): number | undefined {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d{1,3}$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= MAX_LINK_USES ? n : undefined;
}

/**
 * The options of a new link, every problem reported at once: the CLI's `--expires` and `--uses`
 * (strings) and the admin API's body `{ "expires": "12h", "uses": 5 }` go through this one check.
 */
export function parseLinkOptions(raw: { expires?: unknown; uses?: unknown }): LinkOptions {
  const issues: LinkOptionIssue[] = [];
  const expiresInMs = raw.expires === undefined ? DEFAULT_LINK_OPTIONS.expiresInMs : parseDuration(raw.expires);
  if (expiresInMs === undefined) issues.push({ field: 'expires', message: 'must be a duration like 30m, 12h or 7d, from 10 minutes to 90 days' });
  const uses = raw.uses === undefined ? DEFAULT_LINK_OPTIONS.uses : parseUses(raw.uses);
  if (uses === undefined) issues.push({ field: 'uses', message: `must be a whole number from 1 to ${MAX_LINK_USES}` });
  if (issues.length > 0 || expiresInMs === undefined || uses === undefined) throw new LinkOptionsError(issues);
  return { expiresInMs, uses };
}

/** Said with a new link while /register is off (the CLI prints it; the admin API returns it as `note`). */
export const LINK_OFF_NOTE = 'DYNREG_ENABLED is false, so /register is off; the link works once it is turned on.';

/** 32 random bytes, base64url: 43 characters, safe in a query string without escaping. */
export function newLinkToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashLinkToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function registrationLinkUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/register?rt=${token}`;
}

/** The `rt` parameter; undefined when the page was opened without a link. */
export function readLinkToken(query: Record<string, unknown>): string | undefined {
  const rt = typeof query.rt === 'string' ? query.rt.trim() : '';
  return rt === '' ? undefined : rt;
}

/** Whether `rt` has the shape of a link token (anything else is not even looked up). */
export function looksLikeLinkToken(rt: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(rt);
}

export type LinkState = 'usable' | 'expired' | 'used_up';

export function linkState(link: { usesLeft: number; expiresAt: Date }, now: Date): LinkState {
  if (link.expiresAt.getTime() <= now.getTime()) return 'expired';
  return link.usesLeft > 0 ? 'usable' : 'used_up';
}
