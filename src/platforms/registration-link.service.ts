import { randomBytes } from 'node:crypto';
import { hashLinkToken, LinkOptions, LinkState, linkState, looksLikeLinkToken, newLinkToken, registrationLinkUrl } from './registration-link';
import { RegistrationLinkModel } from './registration-link.model';

/** Registration links: created by the CLI, the admin API (and the demo), checked and spent by /register. */

export interface CreatedRegistrationLink {
  id: string;
  /** The secret token; shown once (in `url`), never stored. */
  rt: string;
  url: string;
  createdAt: Date;
  expiresAt: Date;
  uses: number;
  usesLeft: number;
}

export interface RegistrationLinkInfo {
  id: string;
  createdAt: Date;
  expiresAt: Date;
  uses: number;
  usesLeft: number;
  lastUsedAt?: Date;
  state: LinkState;
}

export function createRegistrationLinkService(deps: { publicUrl: string; now: () => Date }) {
  /** The filter that makes a link usable at this moment: known, not expired, a use left. */
  const usable = (rt: string) => ({ tokenHash: hashLinkToken(rt), usesLeft: { $gt: 0 }, expiresAt: { $gt: deps.now() } });

  async function create(opts: LinkOptions): Promise<CreatedRegistrationLink> {
    const rt = newLinkToken();
    const createdAt = deps.now();
    const expiresAt = new Date(createdAt.getTime() + opts.expiresInMs);
    const id = randomBytes(5).toString('hex');
    await RegistrationLinkModel.create({ _id: id, tokenHash: hashLinkToken(rt), createdAt, expiresAt, uses: opts.uses, usesLeft: opts.uses });
    return { id, rt, url: registrationLinkUrl(deps.publicUrl, rt), createdAt, expiresAt, uses: opts.uses, usesLeft: opts.uses };
  }

  /** Read-only: may this link start a registration? (Spends nothing.) */
  async function isUsable(rt: string): Promise<boolean> {
    if (!looksLikeLinkToken(rt)) return false;
    return (await RegistrationLinkModel.exists(usable(rt))) !== null;
  }

  /** Takes one use, atomically; false when the link is unknown, expired or used up. */
  async function consume(rt: string): Promise<boolean> {
    if (!looksLikeLinkToken(rt)) return false;
    const taken = await RegistrationLinkModel.findOneAndUpdate(usable(rt), { $inc: { usesLeft: -1 }, $set: { lastUsedAt: deps.now() } });
    return taken !== null;
  }

  async function list(): Promise<RegistrationLinkInfo[]> {
    const now = deps.now();
    const docs = await RegistrationLinkModel.find().sort({ createdAt: 1 }).lean();
    return docs.map((d) => ({
      id: d._id, createdAt: d.createdAt, expiresAt: d.expiresAt, uses: d.uses, usesLeft: d.usesLeft,
      lastUsedAt: d.lastUsedAt ?? undefined, state: linkState(d, now),
    }));
  }

  async function revoke(id: string): Promise<boolean> {
    return (await RegistrationLinkModel.deleteOne({ _id: id })).deletedCount > 0;
  }

  return { create, isUsable, consume, list, revoke };
}

export type RegistrationLinkService = ReturnType<typeof createRegistrationLinkService>;
