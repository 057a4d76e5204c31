/**
 * "Consistent while the tool runs" without snapshots (the stand-in has neither transactions nor
 * snapshot reads): read everything, then read it all again, until two consecutive passes are
 * identical collection by collection (SHA-256 of every document and index). Identical passes mean
 * no document changed between its reading in the one pass and in the next, so all of them held
 * these values at one instant: the moment between the two passes. The only way around this is
 * a change undone within that time (ABA); every change the tool makes also moves an updatedAt
 * or adds an audit entry, so it cannot undo itself that way. Pure: reading is passed in.
 */

export interface Pass {
  /** "db/collection" → digest of its documents and indexes, as read in this pass. */
  digests: ReadonlyMap<string, string>;
}

export interface StablePassOptions<P extends Pass> {
  read(passNumber: number): Promise<P>;
  /** Throws away a pass that will not be kept (its files). */
  discard(pass: P): Promise<void>;
  maxPasses: number;
  /** Wait before pass n (n ≥ 2): lets a burst of writes end. */
  pauseMs(passNumber: number): number;
  sleep(ms: number): Promise<void>;
  /** After each pass from the second: which collections differ from the pass before. */
  onCompared?(passNumber: number, changed: string[]): void;
}

export interface StableResult<P extends Pass> {
  pass: P;
  /** The last two passes were identical. False: maxPasses were read without that happening. */
  stable: boolean;
  passes: number;
}

/** Keys whose digest differs, including collections that appeared or disappeared. */
export function changedCollections(before: Pass, after: Pass): string[] {
  const keys = new Set([...before.digests.keys(), ...after.digests.keys()]);
  return [...keys].filter((k) => before.digests.get(k) !== after.digests.get(k)).sort();
}

/** Pause before pass n: 250 ms doubling, at most 2 s (10 passes read in about 15 s plus the reading). */
export function defaultPauseMs(passNumber: number): number {
  return Math.min(2000, 250 * 2 ** Math.max(0, passNumber - 2));
}

export async function readUntilStable<P extends Pass>(opts: StablePassOptions<P>): Promise<StableResult<P>> {
  if (opts.maxPasses < 2) throw new Error('at least two passes are needed to compare');
  let previous = await opts.read(1);
  for (let n = 2; n <= opts.maxPasses; n++) {
    await opts.sleep(opts.pauseMs(n));
    let current: P;
    try {
      current = await opts.read(n);
    } catch (err) {
      await opts.discard(previous);
      throw err;
    }
    const changed = changedCollections(previous, current);
    opts.onCompared?.(n, changed);
    await opts.discard(previous);
    if (changed.length === 0) return { pass: current, stable: true, passes: n };
    previous = current;
  }
  return { pass: previous, stable: false, passes: opts.maxPasses };
}
