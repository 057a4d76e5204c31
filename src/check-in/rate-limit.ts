/**
 * A per-key sliding-window counter kept in this process's memory, for the public QR endpoint
 * (no launch, so no student to count against: the client IP is the key). With several app
 * instances each keeps its own count, so the effective limit is per instance; that is enough to
 * stop guessing and floods, which is the point. Time is passed in.
 */
export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(private readonly limit: number, private readonly windowMs: number, private readonly maxKeys = 50_000) {}

  private recent(key: string, nowMs: number): number[] {
    const list = (this.hits.get(key) ?? []).filter((at) => at > nowMs - this.windowMs);
    if (list.length === 0) this.hits.delete(key);
    else this.hits.set(key, list);
    return list;
  }

  /** True when the key is already at its limit (the caller refuses without counting). */
  blocked(key: string, nowMs: number): boolean {
    return this.limit > 0 && this.recent(key, nowMs).length >= this.limit;
  }

  hit(key: string, nowMs: number): void {
    if (this.limit <= 0) return;
    if (this.hits.size >= this.maxKeys) this.sweep(nowMs);
    const list = this.recent(key, nowMs);
    list.push(nowMs);
    this.hits.set(key, list);
  }

  /** When the key may try again (the oldest counted hit leaves the window), or undefined. */
  retryAtMs(key: string, nowMs: number): number | undefined {
    const list = this.recent(key, nowMs);
    return list.length >= this.limit && list[0] !== undefined ? list[0] + this.windowMs : undefined;
  }

  private sweep(nowMs: number): void {
    for (const key of [...this.hits.keys()]) this.recent(key, nowMs);
    // Still full (a flood of distinct keys): forget the oldest half rather than grow without bound.
    if (this.hits.size >= this.maxKeys) [...this.hits.keys()].slice(0, Math.floor(this.maxKeys / 2)).forEach((k) => this.hits.delete(k));
  }
}
