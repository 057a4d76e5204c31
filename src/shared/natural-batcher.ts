import { isDuplicateKey } from './database-errors';

/**
 * Natural batching ("group commit") of database round trips. The first item goes at once, as
 * its own batch: an idle server adds no wait. Items that arrive while a batch is in flight wait
 * for it and then go together as the next batch, up to `maxBatch` items. In a lecture-hall burst
 * (150 check-ins in flight) one command then carries dozens of check-ins' writes, so the
 * per-command costs of the driver and the server (and the kernel's loopback writes) are shared.
 *
 * Guarantees: every caller's promise settles only after the command that carried its item was
 * answered (an acknowledged write is as durable as an unbatched one), with that item's own
 * result or error; a batch's reads start after every item in it was submitted, so a caller
 * never gets data older than its own request. `run` returns one result per item, in order.
 */

export type ItemResult<O> = { ok: true; value: O } | { ok: false; error: unknown };

export interface NaturalBatcherOptions {
  /** Most items per command (default 500). */
  maxBatch?: number;
  /** Commands in flight at once (default 1). */
  maxInFlight?: number;
}

interface Waiting<I, O> {
  item: I;
  resolve(value: O): void;
  reject(error: unknown): void;
}

export class NaturalBatcher<I, O> {
  private queue: Waiting<I, O>[] = [];
  private inFlight = 0;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;

  constructor(private readonly run: (items: readonly I[]) => Promise<ItemResult<O>[]>, opts: NaturalBatcherOptions = {}) {
    this.maxBatch = opts.maxBatch ?? 500;
    this.maxInFlight = opts.maxInFlight ?? 1;
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight++;
      Promise.resolve()
        .then(() => this.run(batch.map((w) => w.item)))
        .then(
          (results) => batch.forEach((w, i) => settle(w, results[i])),
          (error: unknown) => batch.forEach((w) => w.reject(error)),
        )
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
    }
  }
}

function settle<I, O>(w: Waiting<I, O>, result: ItemResult<O> | undefined): void {
  if (!result) w.reject(new Error('natural batcher: no result for an item'));
  else if (result.ok) w.resolve(result.value);
  else w.reject(result.error);
}

/** Per-index write errors of a driver bulk write error (insertMany/bulkWrite, unordered). */
export function writeErrorsByIndex(err: unknown): Map<number, unknown> | undefined {
  const writeErrors = (err as { writeErrors?: unknown })?.writeErrors;
  if (writeErrors === undefined) return undefined;
  const list = Array.isArray(writeErrors) ? writeErrors : [writeErrors];
  const byIndex = new Map<number, unknown>();
  for (const e of list) {
    const index = (e as { index?: unknown }).index;
    if (typeof index === 'number') byIndex.set(index, e);
  }
  return byIndex;
}

/**
 * An unordered bulk write of one batch, sorted per item: the write's result (the driver's error
 * carries it when only some items failed) and each item's own write error. Anything else (the
 * database away) is thrown: every caller of the batch gets it.
 */
export async function unorderedBulk<R>(write: () => Promise<R>): Promise<{ result: Partial<R>; errorAt(index: number): unknown }> {
  try {
    const result = await write();
    return { result, errorAt: () => undefined };
  } catch (err) {
    const failed = writeErrorsByIndex(err);
    if (!failed) throw err;
    return { result: ((err as { result?: Partial<R> }).result ?? {}) as Partial<R>, errorAt: (i) => failed.get(i) };
  }
}

/** One item's result: `written` without an error, `duplicate` when a unique index refused it (E11000), else its error. */
export function itemOutcome<O>(error: unknown, written: O, duplicate: O): ItemResult<O> {
  if (error === undefined) return { ok: true, value: written };
  return isDuplicateKey(error) ? { ok: true, value: duplicate } : { ok: false, error };
}
