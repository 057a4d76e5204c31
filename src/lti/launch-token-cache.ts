/**
 * A bounded, short-lived in-process copy of ltijs's two per-launch documents (idtoken,
 * contexttoken), so an authenticated request does not read them from the database again.
 * Pure: time is injected, no I/O.
 *
 * What keeps it correct:
 * - Every write by this instance (a launch, ltijs's Modify) replaces or drops the entry.
 * - A launch served by another instance is noticed when its ltik arrives: an ltik issued
 *   after the cached document was written (`noteLaunch`) drops the entry, so a relaunched tab
 *   never sees the older launch's data. Tabs of the older launch may see it for at most `ttlMs`.
 * - Entries expire after `ttlMs`, and there are never more than `maxEntries` (the oldest go).
 * The cache only answers requests whose ltik and cookie ltijs has already verified; the
 * deployment check and every other authorization still run on every request.
 */

export interface CachedToken {
  doc: Record<string, unknown>;
  /** When the document was written (its createdAt), ms. */
  writtenAtMs: number;
  expiresAtMs: number;
}

export interface LaunchTokenCacheOptions {
  ttlMs: number;
  maxEntries: number;
  now: () => number;
}

/** ltik `iat` is whole seconds, taken just after the documents were written. */
const IAT_RESOLUTION_MS = 1000;

export class LaunchTokenCache {
  private readonly entries = new Map<string, CachedToken>();

  constructor(private readonly opts: LaunchTokenCacheOptions) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): Record<string, unknown> | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAtMs <= this.opts.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.doc;
  }

  set(key: string, doc: Record<string, unknown>, writtenAtMs: number): void {
    this.entries.delete(key);
    this.entries.set(key, { doc, writtenAtMs, expiresAtMs: this.opts.now() + this.opts.ttlMs });
    // Map keeps insertion order: the first keys are the oldest entries.
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.opts.maxEntries) break;
      this.entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** An ltik issued at `iatSeconds` refers to these keys: drop entries written before that launch. */
  noteLaunch(keys: readonly string[], iatSeconds: number): void {
    const launchedAtMs = iatSeconds * 1000;
    for (const key of keys) {
      const entry = this.entries.get(key);
      if (entry && entry.writtenAtMs < launchedAtMs - IAT_RESOLUTION_MS) this.entries.delete(key);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
