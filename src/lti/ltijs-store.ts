import { createRequire } from 'node:module';
import type { Collection, Db } from 'mongodb';
import type { Logger } from '../shared/logger';
import { LaunchTokenCache } from './launch-token-cache';
import { claimsToStore } from './verified-claims';

/**
 * ltijs's database, given to it as a plugin (`setup(key, { plugin })`): its own Database class
 * for everything, except the four collections every launch and every request touch. ltijs
 * looks those up by fields that only non-unique indexes cover (idtoken by issuer, client,
 * deployment and user; contexttoken by context id and user; nonce; state). A server that
 * ignores such indexes (the offline stand-in) then scans every stored launch on every request,
 * so the cost of each page grew with a semester's launches. Here each of those documents has
 * a deterministic `_id` made of exactly those fields, so every read and write is a point
 * look-up on any server, and the idtoken and contexttoken reads are also answered from a
 * short-lived in-process cache (launch-token-cache.ts). The documents keep ltijs's fields, so
 * ltijs's own queries (an older instance during a rolling upgrade) still find them.
 *
 * Documents an older release wrote (ObjectId `_id`) are given their keyed `_id` at start-up;
 * an idtoken or contexttoken a not-yet-upgraded instance writes meanwhile is still found by
 * the old query when the point look-up misses.
 */

/** The collections ltijs names by model; mongoose pluralises them. */
const COLLECTIONS = { idtoken: 'idtokens', contexttoken: 'contexttokens', nonce: 'nonces', state: 'states' } as const;
type Keyed = keyof typeof COLLECTIONS;

type Query = Record<string, unknown>;

/** The fields ltijs queries each keyed collection by, in key order. */
const KEY_FIELDS: Record<Keyed, readonly string[]> = {
  idtoken: ['iss', 'clientId', 'deploymentId', 'user'],
  contexttoken: ['contextId', 'user'],
  nonce: ['nonce'],
  state: ['state'],
};

/** The `_id` of a document of a keyed collection, or undefined when the query is not exactly its key. */
export function keyedId(collection: string, query: Query | undefined): string | undefined {
  if (!(collection in KEY_FIELDS) || !query) return undefined;
  const fields = KEY_FIELDS[collection as Keyed];
  const names = Object.keys(query);
  if (names.length !== fields.length || !fields.every((f) => typeof query[f] === 'string')) return undefined;
  const values = fields.map((f) => query[f] as string);
  return values.length === 1 ? (values[0] as string) : JSON.stringify(values);
}

/**
 * What mongoose stored for ltijs: undefined values dropped (the driver would write null) and
 * contexttoken `roles` cast to an array of strings ([] when missing), as its schema does.
 */
function storedShape(collection: Keyed, item: Query): Query {
  const doc = JSON.parse(JSON.stringify(item)) as Query;
  if (collection === 'contexttoken') {
    const roles = doc.roles;
    doc.roles = Array.isArray(roles) ? roles.map(String) : roles === undefined || roles === null ? [] : [String(roles)];
  }
  return doc;
}

/** A stored document as ltijs's Get returns it: without `_id` and `__v`. */
function asReturned(doc: Query): Query {
  const { _id, __v, ...rest } = doc;
  void _id;
  void __v;
  return rest;
}

interface LtijsDatabaseClass {
  new (config: { url: string; connection: Record<string, unknown> }): LtijsDatabaseInstance;
}
interface LtijsDatabaseInstance {
  db: { db?: Db };
  setup(): Promise<boolean>;
  Get(key: unknown, collection: string, query?: Query): Promise<unknown>;
  Insert(key: unknown, collection: string, item: Query, index?: Query): Promise<boolean>;
  Replace(key: unknown, collection: string, query: Query, item: Query, index?: Query): Promise<boolean>;
  Modify(key: unknown, collection: string, query: Query, modification: Query): Promise<boolean>;
  Delete(collection: string, query: Query): Promise<boolean>;
}

export interface LaunchStoreOptions {
  url: string;
  connection: Record<string, unknown>;
  log: Logger;
  /** How long a cached idtoken/contexttoken answers requests (default 5 min). */
  cacheTtlMs?: number;
  /** At most this many cached documents (default 20,000: two per active student). */
  cacheMaxEntries?: number;
  now?: () => number;
}

export interface LaunchStore extends LtijsDatabaseInstance {
  readonly cache: LaunchTokenCache;
}

let current: LaunchStore | undefined;

/** ltijs's registration collections (model names), read through platformGet. */
const PLATFORM_COLLECTIONS = new Set(['platform', 'platformStatus', 'publickey', 'privatekey']);
const PLATFORM_CACHE_MS = 3_000;
const platformAnswers = new Map<string, { answer: unknown; expiresAtMs: number }>();
let platformGeneration = 0;

function forgetPlatformsIfWritten(collection: string): void {
  if (!PLATFORM_COLLECTIONS.has(collection)) return;
  platformGeneration++;
  platformAnswers.clear();
}

const cacheKey = (collection: string, id: string) => `${collection}:${id}`;

/** The store ltijs runs on in this process (for the ltik hook and tests). */
export function currentLaunchStore(): LaunchStore | undefined {
  return current;
}

/**
 * ltijs verified an ltik (ltik-key.ts): a launch newer than a cached document of its keys
 * means that document is stale.
 */
export function noteVerifiedLtik(payload: unknown): void {
  if (!current || typeof payload !== 'object' || payload === null) return;
  const p = payload as Query;
  const { platformUrl, clientId, deploymentId, contextId, user, iat } = p;
  if (typeof iat !== 'number') return;
  const id = keyedId('idtoken', { iss: platformUrl, clientId, deploymentId, user });
  const ctx = keyedId('contexttoken', { contextId, user });
  const keys = [id && cacheKey('idtoken', id), ctx && cacheKey('contexttoken', ctx)].filter((k): k is string => k !== undefined);
  current.cache.noteLaunch(keys, iat);
}

export function createLaunchStore(opts: LaunchStoreOptions): LaunchStore {
  const Database = createRequire(require.resolve('ltijs'))('./dist/Utils/Database') as LtijsDatabaseClass;
  const now = opts.now ?? Date.now;
  const cache = new LaunchTokenCache({ ttlMs: opts.cacheTtlMs ?? 5 * 60_000, maxEntries: opts.cacheMaxEntries ?? 20_000, now });
  const cached = (collection: string): collection is 'idtoken' | 'contexttoken' => collection === 'idtoken' || collection === 'contexttoken';

  class KeyedStore extends Database {
    readonly cache = cache;

    private collection(name: Keyed): Collection<Query> {
      const db = this.db.db;
      if (!db) throw new Error('MongoNotConnectedError: ltijs database not connected');
      return db.collection<Query>(COLLECTIONS[name]);
    }

    override async setup(): Promise<boolean> {
      const ok = await super.setup();
      await this.adoptLegacyDocuments();
      return ok;
    }

    override async Get(key: unknown, collection: string, query?: Query): Promise<unknown> {
      if (!key && PLATFORM_COLLECTIONS.has(collection)) return this.platformGet(collection, query);
      const id = keyedId(collection, query);
      if (id === undefined || key) return super.Get(key, collection, query);
      const name = collection as Keyed;
      // A nonce is checked by its insert (below): one round trip, and atomic.
      if (name === 'nonce') return false;
      if (cached(name)) {
        const hit = cache.get(cacheKey(name, id));
        if (hit) return [hit];
      }
      let doc = await this.collection(name).findOne({ _id: id as never });
      // Written by an instance of an older release during a rolling upgrade.
      if (!doc && cached(name)) doc = await this.collection(name).findOne(query as Query);
      if (!doc) return false;
      const returned = asReturned(doc);
      if (cached(name)) cache.set(cacheKey(name, id), returned, writtenAt(doc));
      return [returned];
    }

    override async Insert(key: unknown, collection: string, item: Query, index?: Query): Promise<boolean> {
      forgetPlatformsIfWritten(collection);
      const id = keyedId(collection, pick(collection, item));
      if (id === undefined || key) return super.Insert(key, collection, item, index);
      // A second insert of the same nonce or state fails on `_id`: a replay loses, atomically.
      try {
        await this.collection(collection as Keyed).insertOne({ ...storedShape(collection as Keyed, item), _id: id as never, createdAt: new Date(now()) });
      } catch (err) {
        // ltijs's own words for a replayed id_token (it checked with a read before inserting).
        if (collection === 'nonce' && (err as { code?: unknown }).code === 11000) throw new Error('NONCE_ALREADY_RECEIVED');
        throw err;
      }
      return true;
    }

    /**
     * Registrations, their activation and keys change rarely, yet ltijs reads the registration
     * and its status twice per launch. Answers are kept for PLATFORM_CACHE_MS; any write to
     * those collections through this instance drops them all. Another instance's change shows
     * here within that time (the registry's own check, PLATFORMS_REFRESH_SECONDS, is apart).
     */
    private async platformGet(collection: string, query?: Query): Promise<unknown> {
      const k = `${collection}:${JSON.stringify(query ?? {})}`;
      const hit = platformAnswers.get(k);
      if (hit && hit.expiresAtMs > now()) return hit.answer;
      const generation = platformGeneration;
      const answer = super.Get(false, collection, query);
      const result = await answer;
      // A write that happened meanwhile may not be in it: not kept.
      if (generation === platformGeneration) platformAnswers.set(k, { answer: result, expiresAtMs: now() + PLATFORM_CACHE_MS });
      return result;
    }

    override async Replace(key: unknown, collection: string, query: Query, item: Query, index?: Query): Promise<boolean> {
      forgetPlatformsIfWritten(collection);
      const id = keyedId(collection, query);
      if (id === undefined || key) return super.Replace(key, collection, query, item, index);
      const name = collection as Keyed;
      const createdAt = new Date(now());
      const doc = { ...storedShape(name, item), ...claimsOf(name, query, createdAt), createdAt };
      await this.collection(name).replaceOne({ _id: id as never }, doc, { upsert: true });
      if (cached(name)) cache.set(cacheKey(name, id), asReturned(JSON.parse(JSON.stringify(doc)) as Query), createdAt.getTime());
      return true;
    }

    override async Modify(key: unknown, collection: string, query: Query, modification: Query): Promise<boolean> {
      forgetPlatformsIfWritten(collection);
      const id = keyedId(collection, query);
      if (id === undefined || key) return super.Modify(key, collection, query, modification);
      if (cached(collection)) cache.delete(cacheKey(collection, id));
      await this.collection(collection as Keyed).updateOne({ _id: id as never }, { $set: storedShapeOfFields(modification) });
      return true;
    }

    override async Delete(collection: string, query: Query): Promise<boolean> {
      forgetPlatformsIfWritten(collection);
      const id = keyedId(collection, query);
      if (id === undefined) return super.Delete(collection, query);
      if (cached(collection)) cache.delete(cacheKey(collection, id));
      await this.collection(collection as Keyed).deleteOne({ _id: id as never });
      return true;
    }

    /**
     * Gives documents an older release wrote their keyed `_id` (idempotent; several instances
     * may run it at once). A keyed document already there is newer and wins.
     */
    private async adoptLegacyDocuments(): Promise<void> {
      let adopted = 0;
      for (const name of Object.keys(COLLECTIONS) as Keyed[]) {
        const coll = this.collection(name);
        for await (const doc of coll.find({ _id: { $type: 'objectId' } as never })) {
          const id = keyedId(name, pick(name, doc));
          if (id !== undefined) {
            const { _id, __v, ...fields } = doc;
            void __v;
            await coll.updateOne({ _id: id as never }, { $setOnInsert: fields }, { upsert: true }).catch((err: unknown) => {
              if ((err as { code?: unknown }).code !== 11000) throw err;
            });
            await coll.deleteOne({ _id: _id as never });
            adopted++;
          }
        }
      }
      if (adopted > 0) opts.log.info({ adopted }, 'ltijs launch documents re-keyed for point look-ups');
    }
  }

  const store = new KeyedStore({ url: opts.url, connection: opts.connection }) as unknown as LaunchStore;
  current = store;
  return store;
}

/** The key fields of a document (Insert and the legacy adoption get documents, not queries). */
function pick(collection: string, doc: Query): Query | undefined {
  const fields = KEY_FIELDS[collection as Keyed];
  if (!fields) return undefined;
  return Object.fromEntries(fields.map((f) => [f, doc[f]]));
}

/** An idtoken carries the claims verified-claims.ts kept from the id_token ltijs just verified. */
function claimsOf(collection: Keyed, query: Query, at: Date): Query {
  if (collection !== 'idtoken') return {};
  const key = { issuer: String(query.iss), clientId: String(query.clientId), deploymentId: String(query.deploymentId), userId: String(query.user) };
  const claims = claimsToStore(key, at.getTime());
  return claims ? { verifiedClaims: claims } : {};
}

function storedShapeOfFields(modification: Query): Query {
  return JSON.parse(JSON.stringify(modification)) as Query;
}

function writtenAt(doc: Query): number {
  const at = doc.createdAt;
  return at instanceof Date ? at.getTime() : typeof at === 'string' ? Date.parse(at) : 0;
}
