import { readFile } from 'node:fs/promises';
import { PlatformModel } from './platform.model';
import { parsePlatformInput, parsePlatformsFile, PlatformInput, PlatformInputError, PlatformRegistration } from './platform.schema';

export { PlatformInputError, parsePlatformInput };

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
    const platform = parsePlatformInput(input);
    // ltijs first: if its key generation fails we have not recorded a half registration.
    await store.upsert(platform);
    await PlatformModel.updateOne(
      { issuer: platform.issuer, clientId: platform.clientId },
      { $set: { ...platform, source } },
      { upsert: true },
    );
    onChange();
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

  return { upsertPlatform, removePlatform, listPlatforms, findPlatform, loadPlatformsFile };
}

export type PlatformService = ReturnType<typeof createPlatformService>;
export type { PlatformInput };

function toRecord(doc: {
  issuer: string; clientId: string; name: string; authUrl: string; tokenUrl: string; jwksUrl: string;
  deploymentIds: string[]; status?: string | null; source: string;
}): PlatformRecord {
  return {
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
