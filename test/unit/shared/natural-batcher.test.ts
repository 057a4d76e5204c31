import { NaturalBatcher, writeErrorsByIndex } from '../../../src/shared/natural-batcher';

/** A run whose batches the test releases by hand. */
function manualRun<O>(answer: (items: readonly number[]) => O[]) {
  const batches: number[][] = [];
  const releases: Array<() => void> = [];
  const run = (items: readonly number[]) => {
    batches.push([...items]);
    return new Promise<{ ok: true; value: O }[]>((resolve) => releases.push(() => resolve(answer(items).map((value) => ({ ok: true as const, value })))));
  };
  return { batches, releases, run };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('natural batching', () => {
  it('when idle, then the first item goes alone at once; items arriving meanwhile go together next', async () => {
    const m = manualRun((items) => items.map((x) => x * 10));
    const b = new NaturalBatcher(m.run);
    const first = b.submit(1);
    await tick();
    expect(m.batches).toEqual([[1]]);
    const later = [b.submit(2), b.submit(3), b.submit(4)];
    await tick();
    expect(m.batches).toEqual([[1]]); // they wait for the batch in flight
    m.releases[0]?.();
    expect(await first).toBe(10);
    await tick();
    expect(m.batches).toEqual([[1], [2, 3, 4]]);
    m.releases[1]?.();
    expect(await Promise.all(later)).toEqual([20, 30, 40]);
  });

  it('when more items wait than maxBatch, then they go in several commands, in order', async () => {
    const m = manualRun((items) => items.map((x) => x));
    const b = new NaturalBatcher(m.run, { maxBatch: 2 });
    const all = [1, 2, 3, 4, 5].map((x) => b.submit(x));
    await tick();
    m.releases[0]?.();
    await tick();
    m.releases[1]?.();
    await tick();
    m.releases[2]?.();
    expect(await Promise.all(all)).toEqual([1, 2, 3, 4, 5]);
    expect(m.batches).toEqual([[1], [2, 3], [4, 5]]);
  });

  it('when one item fails, then only its caller gets the error; when the command fails, every caller of that batch does', async () => {
    const b = new NaturalBatcher<number, number>(async (items) => items.map((x) => (x === 2 ? { ok: false as const, error: new Error('two') } : { ok: true as const, value: x })));
    const results = await Promise.allSettled([b.submit(1), b.submit(2), b.submit(3)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const failing = new NaturalBatcher<number, number>(async () => {
      throw new Error('database down');
    });
    await expect(Promise.all([failing.submit(1), failing.submit(2)])).rejects.toThrow('database down');
    // The batcher keeps working after a failed command.
    const after = new NaturalBatcher<number, number>(async (items) => items.map((x) => ({ ok: true as const, value: x })));
    expect(await after.submit(7)).toBe(7);
  });

  it('when the run throws synchronously, then the callers get the error and later batches still run', async () => {
    let calls = 0;
    const b = new NaturalBatcher<number, number>((items) => {
      calls++;
      if (calls === 1) throw new Error('sync');
      return Promise.resolve(items.map((x) => ({ ok: true as const, value: x })));
    });
    await expect(b.submit(1)).rejects.toThrow('sync');
    expect(await b.submit(2)).toBe(2);
  });

  it('reads the per-index write errors of a bulk write error', () => {
    const map = writeErrorsByIndex({ writeErrors: [{ index: 1, code: 11000 }, { index: 3, code: 2 }] });
    expect([...(map?.keys() ?? [])]).toEqual([1, 3]);
    expect(writeErrorsByIndex({ writeErrors: { index: 0, code: 11000 } })?.has(0)).toBe(true);
    expect(writeErrorsByIndex(new Error('network'))).toBeUndefined();
  });
});

describe('per-item outcomes of an unordered bulk write', () => {
  it('when some items are refused, then each gets its own outcome; when the command fails, it throws', async () => {
    const { itemOutcome, unorderedBulk } = await import('../../../src/shared/natural-batcher');
    const partial = await unorderedBulk(async () => {
      throw Object.assign(new Error('bulk'), { writeErrors: [{ index: 1, code: 11000 }, { index: 2, code: 2 }], result: { upsertedIds: { 0: 'a' } } });
    });
    expect(partial.result).toEqual({ upsertedIds: { 0: 'a' } });
    expect([0, 1, 2].map((i) => itemOutcome(partial.errorAt(i), 'written', 'duplicate'))).toEqual([
      { ok: true, value: 'written' }, { ok: true, value: 'duplicate' }, { ok: false, error: { index: 2, code: 2 } },
    ]);
    await expect(unorderedBulk(async () => { throw new Error('database away'); })).rejects.toThrow('database away');
  });
});
