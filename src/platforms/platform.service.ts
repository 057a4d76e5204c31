import { readFile } from 'node:fs/promises';
import { PlatformModel } from './platform.model';
import { LMS_KINDS, type LmsKind, parsePlatformInput, parsePlatformsFile, PlatformInput, PlatformInputError, PlatformRegistration } from './platform.schema';

export { PlatformInputError, parsePlatformInput, parsePlatformsFile };

/** What the LTI adapter must do when a registration changes (ltijs keeps its own copy). */
export interface LtiPlatformStore {
  upsert(platform: PlatformRegistration): Promise<void>;
  remove(issuer: string, clientId: string): Promise<void>;
}

export type PlatformSource = 'file' | 'cli' | 'admin' | 'dynamic';

export interface PlatformRecord extends PlatformRegistration {
  source: PlatformSource;
}

export function createPlatformService(store: LtiPlatformStore, onChange: () => void = () => undefined) {
  async function upsertPlatform(input: unknown, source: PlatformSource): Promise<PlatformRecord> {
    const saved = await save(parsePlatformInput(input), source);
    onChange();
    return saved;
  }

  /**
   * Many registrations at once (e.g. every LTI block of an Open edX course): a list as
   * parsePlatformsFile reads it, validated as a whole first, so one wrong entry saves nothing.
   */
  async function upsertPlatforms(list: unknown, source: PlatformSource, label = 'input'): Promise<PlatformRecord[]> {
    const platforms = parsePlatformsFile(list, label, { requireEntries: true });
    const out: PlatformRecord[] = [];
    try {
      for (const platform of platforms) out.push(await save(platform, source));
    } finally {
      if (out.length > 0) onChange();
    }
    return out;
  }

  async function save(platform: PlatformRegistration, source: PlatformSource): Promise<PlatformRecord> {
    // ltijs first: if its key generation fails we have not recorded a half registration.
    await store.upsert(platform);
    const { lms, ...rest } = platform;
    await PlatformModel.updateOne(
      { issuer: platform.issuer, clientId: platform.clientId },
      // Saving without an LMS kind forgets an earlier one: the entry as given is the registration.
      lms === undefined ? { $set: { ...rest, source }, $unset: { lms: 1 } } : { $set: { ...rest, lms, source } },
      { upsert: true },
    );
    return { ...platform, source };
  }

  async function removePlatform(issuer: string, clientId: string): Promise<boolean> {
    const res = await PlatformModel.deleteOne({ issuer, clientId });
    await store.remove(issuer, clientId);
    onChange();
    return res.deletedCount > 0;
  }

  async function listPlatforms(): Promise<PlatformRecord[]> {
    const docs = await PlatformModel.find().sort({ issuer: 1, clientId: 1 }).lean();
    return docs.map(toRecord);
  }

  async function findPlatform(issuer: string, clientId: string): Promise<PlatformRecord | undefined> {
    const doc = await PlatformModel.findOne({ issuer, clientId }).lean();
    return doc ? toRecord(doc) : undefined;
  }

  /** Loads the static registrations file, validating all entries before writing any. */
  async function loadPlatformsFile(path: string): Promise<PlatformRecord[]> {
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(path, 'utf8'));
    } catch (err) {
      throw new PlatformInputError([`${path}: ${(err as Error).message}`]);
    }
    const out: PlatformRecord[] = [];
    for (const entry of parsePlatformsFile(raw, path)) out.push(await upsertPlatform(entry, 'file'));
    return out;
  }

  return { upsertPlatform, upsertPlatforms, removePlatform, listPlatforms, findPlatform, loadPlatformsFile };
}

export type PlatformService = ReturnType<typeof createPlatformService>;
export type { PlatformInput };

/** The LMS kind the admin gave a registration, if any (one indexed lookup; deep-linking pages only). */
export async function registeredLmsKind(issuer: string, clientId: string): Promise<LmsKind | undefined> {
  const doc = await PlatformModel.findOne({ issuer, clientId }, { lms: 1 }).lean();
  return LMS_KINDS.find((k) => k === doc?.lms);
}

function toRecord(doc: {
  issuer: string; clientId: string; name: string; authUrl: string; tokenUrl: string; jwksUrl: string;
  deploymentIds: string[]; status?: string | null; source: string; lms?: string | null;
}): PlatformRecord {
  const lms = LMS_KINDS.find((k) => k === doc.lms);
  return {
    ...(lms ? { lms: lms satisfies LmsKind } : {}),
    issuer: doc.issuer,
    clientId: doc.clientId,
    name: doc.name,
    authUrl: doc.authUrl,
    tokenUrl: doc.tokenUrl,
    jwksUrl: doc.jwksUrl,
    deploymentIds: [...doc.deploymentIds],
    status: doc.status === 'pending' ? 'pending' : 'active',
    source: doc.source as PlatformSource,
  };
}
