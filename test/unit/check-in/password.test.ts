import { CODE_ALPHABET, charsFromBytes, codesEqual, generatePassword, normalizeCode } from '../../../src/check-in/password';

/** mulberry32: a tiny seeded generator, so the statistical test is repeatable. */
function seededRandomBytes(seed: number): (n: number) => Buffer {
  let state = seed >>> 0;
  const nextByte = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) & 255;
  };
  return (n) => Buffer.from(Array.from({ length: n }, nextByte));
}

describe('the code alphabet', () => {
  it('when listed, then it holds 25 distinct characters', () => {
    expect(new Set(CODE_ALPHABET).size).toBe(25);
    expect(CODE_ALPHABET).toHaveLength(25);
  });

  it.each(['0', 'O', '1', 'I', 'L', '5', 'S', '2', 'Z', '8', 'B'])('when checked for the look-alike %s, then it is absent', (c) => {
    expect(CODE_ALPHABET).not.toContain(c);
  });
});

describe('generating a password', () => {
  it('when no length is given, then it has 6 characters from the alphabet', () => {
    const password = generatePassword(seededRandomBytes(1));
    expect(password).toMatch(new RegExp(`^[${CODE_ALPHABET}]{6}$`));
  });

  it.each([6, 10, 32])('when length %i is asked, then it has that many characters', (length) => {
    expect(generatePassword(seededRandomBytes(length), length)).toHaveLength(length);
  });

  it.each([5, 33, 6.5])('when length %p is asked, then it refuses', (length) => {
    expect(() => generatePassword(seededRandomBytes(1), length)).toThrow(RangeError);
  });

  it('when the random source gives bytes 250-255, then they are skipped, not folded onto the first characters', () => {
    const chunks = [Buffer.from([250, 251, 252, 253, 254, 255]), Buffer.from([0, 1, 2, 3, 4, 249, 7])];
    const randomBytes = () => chunks.shift() ?? Buffer.from([0]);
    expect(generatePassword(randomBytes)).toBe('ACDEF9');
  });

  it('when every byte value is fed once, then every character comes out exactly 10 times (no modulo bias)', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    let fed = false;
    const out = charsFromBytes(() => (fed ? Buffer.alloc(0) : ((fed = true), all)), 250);
    const counts = new Map<string, number>();
    for (const c of out) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect([...counts.values()]).toEqual(Array(25).fill(10));
  });

  it('when 50 000 characters are drawn from a seeded source, then their spread passes a chi-square test', () => {
    const stream = seededRandomBytes(42);
    const drawn = Array.from({ length: 2500 }, () => generatePassword(stream, 20)).join('');
    const counts = new Map<string, number>();
    for (const c of drawn) counts.set(c, (counts.get(c) ?? 0) + 1);
    const expected = drawn.length / 25;
    const chiSquare = [...CODE_ALPHABET].reduce((sum, c) => sum + ((counts.get(c) ?? 0) - expected) ** 2 / expected, 0);
    // 24 degrees of freedom: p = 0.001 at 51.2.
    expect(chiSquare).toBeLessThan(51.2);
  });
});

describe('normalising a typed code', () => {
  it.each([
    ['  acd efg ', 'ACDEFG'],
    ['ACD-EFG', 'ACDEFG'],
    ['acd\u2013efg', 'ACDEFG'],
    ['a c\td-e', 'ACDE'],
    ['A\u0304bols', '\u0100BOLS'],
    ['istanbul', 'ISTANBUL'],
  ])('when %p is typed, then it becomes %p', (typed, normal) => {
    expect(normalizeCode(typed)).toBe(normal);
  });
});

describe('comparing codes', () => {
  it.each([
    ['ACDEFG', 'acd-efg', true],
    ['ACDEFG', 'ACDEFH', false],
    ['ACDEFG', 'ACDEF', false],
    ['ACDEFG', '', false],
  ])('when %p is compared with %p, then equal is %p', (a, b, equal) => {
    expect(codesEqual(a, b)).toBe(equal);
  });
});
