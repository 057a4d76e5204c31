import { changedCollections, defaultPauseMs, Pass, readUntilStable } from '../../../src/ops/stable-passes';

/** A pass as the database would give it at that moment: collection → content digest. */
const pass = (entries: Record<string, string>, id = ''): Pass & { id: string } => ({ id, digests: new Map(Object.entries(entries)) });

function scripted(states: Array<Record<string, string>>) {
  const discarded: string[] = [];
  const pauses: number[] = [];
  const compared: Array<[number, string[]]> = [];
  return {
    discarded, pauses, compared,
    opts: {
      read: async (n: number) => pass(states[Math.min(n, states.length) - 1] ?? {}, `p${n}`),
      discard: async (p: Pass & { id: string }) => { discarded.push(p.id); },
      maxPasses: 5,
      pauseMs: defaultPauseMs,
      sleep: async (ms: number) => { pauses.push(ms); },
      onCompared: (n: number, changed: string[]) => { compared.push([n, changed]); },
    },
  };
}

describe('reading until two consecutive passes agree', () => {
  it('when nothing changes, then the second pass is kept after one comparison and the first is thrown away', async () => {
    const s = scripted([{ 'db/a': '1', 'db/b': '2' }]);
    const result = await readUntilStable(s.opts);
    expect(result).toMatchObject({ stable: true, passes: 2, pass: { id: 'p2' } });
    expect(s.discarded).toEqual(['p1']);
    expect(s.compared).toEqual([[2, []]]);
  });

  it('when writes land during the first passes, then it reads again until two agree and keeps the newest', async () => {
    const s = scripted([{ 'db/a': '1' }, { 'db/a': '2' }, { 'db/a': '2', 'db/new': 'x' }, { 'db/a': '2', 'db/new': 'x' }]);
    const result = await readUntilStable(s.opts);
    expect(result).toMatchObject({ stable: true, passes: 4, pass: { id: 'p4' } });
    expect(s.compared).toEqual([[2, ['db/a']], [3, ['db/new']], [4, []]]);
    expect(s.discarded).toEqual(['p1', 'p2', 'p3']);
  });

  it('when a collection disappears between passes, then that counts as a change', () => {
    expect(changedCollections(pass({ 'db/a': '1', 'db/gone': '1' }), pass({ 'db/a': '1' }))).toEqual(['db/gone']);
  });

  it('when the data never settles, then after maxPasses the last pass is kept and marked not stable', async () => {
    const s = scripted([1, 2, 3, 4, 5, 6].map((v) => ({ 'db/a': String(v) })));
    const result = await readUntilStable(s.opts);
    expect(result).toMatchObject({ stable: false, passes: 5, pass: { id: 'p5' } });
    expect(s.discarded).toEqual(['p1', 'p2', 'p3', 'p4']);
  });

  it('when a later pass fails, then the kept pass is thrown away too and the error comes through', async () => {
    const s = scripted([{ 'db/a': '1' }]);
    const read = async (n: number) => { if (n === 2) throw new Error('server gone'); return pass({ 'db/a': '1' }, `p${n}`); };
    await expect(readUntilStable({ ...s.opts, read })).rejects.toThrow('server gone');
    expect(s.discarded).toEqual(['p1']);
  });

  it('waits longer before each further pass, at most 2 s, so a burst of writes can end', () => {
    expect([2, 3, 4, 5, 6, 10].map(defaultPauseMs)).toEqual([250, 500, 1000, 2000, 2000, 2000]);
  });
});
