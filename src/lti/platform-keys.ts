import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../shared/logger';
import { DEFAULT_KEY_POLICY, decideKeyLookup, type KeyPolicy } from './platform-key-policy';

/**
 * The LMS's id_token signing keys, cached per JWKS URL. ltijs 5.9.9 (Utils/Auth.js,
 * validateToken, case 'JWK_SET') GETs the platform's JWKS and converts the JWK to PEM for every
 * launch: 300 students launching in a lecture hall were 300 requests to the LMS. Here the set is
 * fetched once (concurrent lookups join one fetch), kept for KEY_SET_TTL_MS, refetched when a
 * token names a kid it lacks or a cached key fails to verify, at most once per
 * MIN_REFETCH_INTERVAL_MS (platform-key-policy.ts); each kid's PEM is made once per fetched set.
 *
 * The fetch is ltijs's own (its `got` instance: same User-Agent, redirects and retries, no
 * address restrictions, as before) plus a per-attempt timeout: with single flight a hung LMS
 * would otherwise hold every launch of that platform, where before it held one each.
 * Failures are ltijs's: KEYSET_NOT_FOUND, KEY_NOT_FOUND, got's errors, rasha's errors, so
 * ltijs-errors.ts maps them as before. No fetch result that failed is kept.
 */

/** Per attempt (got retries a GET twice on network errors and 5xx, as ltijs's fetch did). */
export const JWKS_FETCH_TIMEOUT_MS = 10_000;

type Jwk = Record<string, unknown>;

export interface PlatformKeyDeps {
  /** The JWKS document, parsed. */
  fetchKeySet(url: string): Promise<unknown>;
  /** A JWK as the PEM jsonwebtoken verifies with (ltijs: rasha's Jwk.export). */
  toPem(jwk: Jwk): Promise<string>;
  /** Milliseconds of a monotonic clock. */
  now(): number;
  policy?: KeyPolicy;
}

interface KeySet {
  fetchedAt: number;
  /** By kid; the first key of a kid wins, as ltijs's keyset.find did. */
  jwks: Map<unknown, Jwk>;
  pems: Map<unknown, Promise<string>>;
}

interface UrlState { set?: KeySet; lastFetchStartedAt?: number; inFlight?: Promise<KeySet>; waiting: number }

export class PlatformKeyCache {
  private readonly urls = new Map<string, UrlState>();
  log: Logger | undefined;

  constructor(private readonly deps: PlatformKeyDeps) {}

  /** Tests move time on; the default is performance.now(). */
  useClock(now: () => number): void {
    this.deps.now = now;
  }

  /** Forgets every set (tests; a key change that must not wait). */
  clear(): void {
    this.urls.clear();
  }

  /** Lookups of `url` now waiting for its fetch (observability; tests check single flight with it). */
  waitingFor(url: string): number {
    return this.urls.get(url)?.waiting ?? 0;
  }

  /** The PEM of `kid` from the JWKS at `url`, or ltijs's error for the missing key or set. */
  async keyFor(url: string, kid: unknown): Promise<string> {
    const state = this.stateOf(url);
    const decision = this.decide(state, state.set?.jwks.has(kid) ?? false);
    if (decision === 'refuse') throw new Error('KEY_NOT_FOUND');
    const set = decision === 'use' && state.set ? state.set : await this.fetchJoined(url, state, state.set ? 'unknown kid or expired set' : 'first use');
    return pemOf(set, kid, this.deps.toPem);
  }

  /**
   * A token did not verify with `pem`, the cached key of `kid`: if the policy allows, ask the LMS
   * again. True when the key of `kid` is now another one, or gone (a second verification then
   * gives the right answer); false when nothing changed or no refetch is allowed yet.
   */
  async changedAfterBadSignature(url: string, kid: unknown, pem: string): Promise<boolean> {
    const state = this.stateOf(url);
    if (this.decide(state, false) !== 'fetch') return false;
    const set = await this.fetchJoined(url, state, 'signature failed with the cached key');
    if (!set.jwks.has(kid)) return true;
    return (await pemOf(set, kid, this.deps.toPem).catch(() => undefined)) !== pem;
  }

  private stateOf(url: string): UrlState {
    let state = this.urls.get(url);
    if (!state) this.urls.set(url, (state = { waiting: 0 }));
    return state;
  }

  private decide(state: UrlState, hasKid: boolean) {
    const view = { fetchedAt: state.set?.fetchedAt, lastFetchStartedAt: state.lastFetchStartedAt, fetching: state.inFlight !== undefined, hasKid };
    return decideKeyLookup(view, this.deps.now(), this.deps.policy ?? DEFAULT_KEY_POLICY);
  }

  /** Starts a fetch of `url` unless one is running, and waits for it. */
  private async fetchJoined(url: string, state: UrlState, reason: string): Promise<KeySet> {
    state.inFlight ??= this.fetch(url, state, reason);
    state.waiting += 1;
    try {
      return await state.inFlight;
    } finally {
      state.waiting -= 1;
    }
  }

  private fetch(url: string, state: UrlState, reason: string): Promise<KeySet> {
    const startedAt = this.deps.now();
    state.lastFetchStartedAt = startedAt;
    const run = (async () => {
      const body = await this.deps.fetchKeySet(url);
      // As ltijs: a JSON null fails here with a TypeError, a body without `keys` is KEYSET_NOT_FOUND.
      const keyset = (body as { keys?: unknown }).keys;
      if (!keyset || !Array.isArray(keyset)) throw new Error('KEYSET_NOT_FOUND');
      const jwks = new Map<unknown, Jwk>();
      for (const jwk of keyset as unknown[]) {
        if (jwk && typeof jwk === 'object' && !jwks.has((jwk as Jwk).kid)) jwks.set((jwk as Jwk).kid, jwk as Jwk);
      }
      // Fresh from when it was asked for: the LMS answered with a set at least that recent.
      const set: KeySet = { fetchedAt: startedAt, jwks, pems: new Map() };
      state.set = set;
      this.log?.debug({ jwksUrl: url, kids: [...jwks.keys()], reason }, 'fetched the platform signing keys');
      return set;
    })();
    const done = () => {
      if (state.inFlight === run) state.inFlight = undefined;
    };
    run.then(done, (err: unknown) => {
      done();
      this.log?.warn({ err, jwksUrl: url, reason }, 'could not fetch the platform signing keys');
    });
    return run;
  }
}

function pemOf(set: KeySet, kid: unknown, toPem: (jwk: Jwk) => Promise<string>): Promise<string> {
  const jwk = set.jwks.get(kid);
  if (!jwk) return Promise.reject(new Error('KEY_NOT_FOUND'));
  let pem = set.pems.get(kid);
  if (!pem) set.pems.set(kid, (pem = toPem(jwk)));
  return pem;
}

// ---------------------------------------------------------------- ltijs's own tools
const fromLtijs = createRequire(require.resolve('ltijs'));
interface GotLike { get(url: string, options: object): { json(): Promise<unknown> } }
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ltijsHttp = require('ltijs/dist/Utils/Http') as GotLike;
const rasha = fromLtijs('rasha') as { export(opts: { jwk: Jwk }): Promise<string> };
const jsonwebtoken = fromLtijs('jsonwebtoken') as { decode(token: string, options: { complete: true }): { header?: { kid?: unknown } } | null };

/** The process's cache (ltijs is a process-wide singleton too). */
export const platformKeys = new PlatformKeyCache({
  fetchKeySet: (url) => ltijsHttp.get(url, { timeout: { request: JWKS_FETCH_TIMEOUT_MS } }).json(),
  toPem: (jwk) => rasha.export({ jwk }),
  now: () => performance.now(),
});

// ---------------------------------------------------------------- the hook into ltijs
type ValidateToken = (...args: unknown[]) => Promise<unknown>;
type GetPlatform = (...args: unknown[]) => Promise<unknown>;
interface AuthConfig { method?: unknown; key?: unknown }
/** Where a validation took its key from (for the one retry after a bad signature). */
interface KeyUse { url: string; kid: unknown; pem: string }

let installed = false;

function headerKid(token: unknown): unknown {
  if (typeof token !== 'string') return undefined;
  try {
    return jsonwebtoken.decode(token, { complete: true })?.header?.kid;
  } catch {
    return undefined;
  }
}

/**
 * The platform as ltijs sees it, except that a JWK_SET configuration answers as RSA_KEY with the
 * cached key of the token's kid. A token without a kid gets the real configuration, so ltijs
 * refuses it (KID_NOT_FOUND) before any fetch, as before. Methods run on the real object (its
 * fields are private); the setter form platformAuthConfig(method, key) is untouched.
 */
function withCachedKeys(platform: object, kid: unknown, used: KeyUse[]): object {
  return new Proxy(platform, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (prop !== 'platformAuthConfig') return value.bind(target);
      return async (...args: unknown[]) => {
        const config = (await value.apply(target, args)) as AuthConfig | undefined;
        if (args.length > 0 || !config || config.method !== 'JWK_SET' || typeof config.key !== 'string' || !kid) return config;
        const pem = await platformKeys.keyFor(config.key, kid);
        used.push({ url: config.key, kid, pem });
        return { method: 'RSA_KEY', key: pem };
      };
    },
  });
}

/** Wraps ltijs's Auth.validateToken once per module registry (chains with verified-claims.ts). */
export function installPlatformKeyCache(logger: Logger): void {
  platformKeys.log = logger;
  if (installed) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Auth = require('ltijs/dist/Utils/Auth') as { validateToken?: ValidateToken };
  const original = Auth.validateToken;
  // An ltijs upgrade that moves this must be noticed, not silently fetch per launch again.
  if (typeof original !== 'function') throw new Error('ltijs Utils/Auth.validateToken not found: re-check src/lti/platform-keys.ts against the installed ltijs');
  installed = true;
  Auth.validateToken = async function validateTokenWithCachedKeys(this: unknown, ...args: unknown[]) {
    const getPlatform = args[3];
    if (typeof getPlatform !== 'function') return original.apply(this, args);
    const kid = headerKid(args[0]);
    const attempt = (used: KeyUse[]) => {
      const cachedGetPlatform: GetPlatform = async (...gp) => {
        const platform: unknown = await Reflect.apply(getPlatform, undefined, gp);
        return platform && typeof platform === 'object' ? withCachedKeys(platform, kid, used) : platform;
      };
      return original.apply(this, [args[0], args[1], args[2], cachedGetPlatform, ...args.slice(4)]);
    };
    const used: KeyUse[] = [];
    try {
      return await attempt(used);
    } catch (err) {
      // The LMS may have replaced the key behind a kid: one more try if it now has another one.
      const last = used[used.length - 1];
      if (!last || (err as Error | undefined)?.message !== 'invalid signature') throw err;
      if (!(await platformKeys.changedAfterBadSignature(last.url, last.kid, last.pem).catch(() => false))) throw err;
      return attempt([]);
    }
  };
}
