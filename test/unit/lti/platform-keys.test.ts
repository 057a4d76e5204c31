import { KEY_SET_TTL_MS, MIN_REFETCH_INTERVAL_MS } from '../../../src/lti/platform-key-policy';
import { PlatformKeyCache } from '../../../src/lti/platform-keys';

const URL_A = 'https://lms.example/jwks';

/** A cache over a fake LMS: `body` is what GET answers, `fetches` counts the GETs, `release` lets a held GET answer. */
function setup(initial: unknown = { keys: [{ kid: 'k1', n: '1' }] }) {
  const lms = { body: initial, fetches: 0, fail: undefined as Error | undefined, hold: undefined as Promise<void> | undefined };
  let now = 0;
  const cache = new PlatformKeyCache({
    async fetchKeySet() {
      lms.fetches += 1;
      if (lms.hold) await lms.hold;
      if (lms.fail) throw lms.fail;
      return lms.body;
    },
    toPem: async (jwk) => `PEM(${String(jwk.kid)},${String(jwk.n)})`,
    now: () => now,
  });
  return { cache, lms, advance: (ms: number) => void (now += ms) };
}

describe('the platform key cache', () => {
  it('when many lookups arrive before the first fetch answers, then the LMS is asked once and all get the key', async () => {
    const { cache, lms } = setup();
    let release = (): void => undefined;
    lms.hold = new Promise<void>((r) => (release = r));
    const lookups = Array.from({ length: 20 }, () => cache.keyFor(URL_A, 'k1'));
    expect(cache.waitingFor(URL_A)).toBe(20);
    release();
    expect(await Promise.all(lookups)).toEqual(Array(20).fill('PEM(k1,1)'));
    expect(lms.fetches).toBe(1);
    expect(cache.waitingFor(URL_A)).toBe(0);
  });

  it('when the set is fresh, then no lookup asks again; once it expired, the next one does', async () => {
    const { cache, lms, advance } = setup();
    await cache.keyFor(URL_A, 'k1');
    advance(KEY_SET_TTL_MS - 1);
    await cache.keyFor(URL_A, 'k1');
    expect(lms.fetches).toBe(1);
    advance(1);
    await cache.keyFor(URL_A, 'k1');
    expect(lms.fetches).toBe(2);
  });

  it('when a kid is unknown, then it refetches once per window and answers KEY_NOT_FOUND as ltijs did', async () => {
    const { cache, lms, advance } = setup();
    await cache.keyFor(URL_A, 'k1');
    await expect(cache.keyFor(URL_A, 'made-up')).rejects.toThrow('KEY_NOT_FOUND'); // within 10 s of the first fetch: no refetch
    expect(lms.fetches).toBe(1);
    advance(MIN_REFETCH_INTERVAL_MS);
    for (const kid of ['made-up-1', 'made-up-2', 'made-up-3']) await expect(cache.keyFor(URL_A, kid)).rejects.toThrow('KEY_NOT_FOUND');
    expect(lms.fetches).toBe(2);
  });

  it('when the LMS published a new kid, then the refetch finds it', async () => {
    const { cache, lms, advance } = setup();
    await cache.keyFor(URL_A, 'k1');
    lms.body = { keys: [{ kid: 'k1', n: '1' }, { kid: 'k2', n: '2' }] };
    advance(MIN_REFETCH_INTERVAL_MS);
    expect(await cache.keyFor(URL_A, 'k2')).toBe('PEM(k2,2)');
  });

  it('when the answer has no keys array, then KEYSET_NOT_FOUND and nothing is kept (the next lookup asks again)', async () => {
    const { cache, lms } = setup({ nokeys: true });
    await expect(cache.keyFor(URL_A, 'k1')).rejects.toThrow('KEYSET_NOT_FOUND');
    lms.body = { keys: [{ kid: 'k1', n: '1' }] };
    expect(await cache.keyFor(URL_A, 'k1')).toBe('PEM(k1,1)');
    expect(lms.fetches).toBe(2);
  });

  it('when the fetch fails, then its error reaches the caller unchanged', async () => {
    const { cache, lms } = setup();
    lms.fail = new Error('Response code 503 (Service Unavailable)');
    await expect(cache.keyFor(URL_A, 'k1')).rejects.toThrow('Response code 503 (Service Unavailable)');
  });

  it('when two keys share a kid, then the first is used, as ltijs (keyset.find) did', async () => {
    const { cache } = setup({ keys: [{ kid: 'k1', n: 'first' }, { kid: 'k1', n: 'second' }] });
    expect(await cache.keyFor(URL_A, 'k1')).toBe('PEM(k1,first)');
  });

  it('kids are compared exactly: a numeric kid is not the string kid', async () => {
    const { cache } = setup({ keys: [{ kid: '5', n: '1' }] });
    await expect(cache.keyFor(URL_A, 5)).rejects.toThrow('KEY_NOT_FOUND');
  });

  describe('after a signature failed with a cached key', () => {
    it('when the LMS now has another key under that kid, then it says so (and the caller verifies once more)', async () => {
      const { cache, lms, advance } = setup();
      const pem = await cache.keyFor(URL_A, 'k1');
      lms.body = { keys: [{ kid: 'k1', n: 'new' }] };
      advance(MIN_REFETCH_INTERVAL_MS);
      expect(await cache.changedAfterBadSignature(URL_A, 'k1', pem)).toBe(true);
      expect(await cache.keyFor(URL_A, 'k1')).toBe('PEM(k1,new)');
    });

    it('when the key is unchanged, or the last fetch is under 10 s old, then no second verification is offered', async () => {
      const { cache, lms, advance } = setup();
      const pem = await cache.keyFor(URL_A, 'k1');
      expect(await cache.changedAfterBadSignature(URL_A, 'k1', pem)).toBe(false);
      expect(lms.fetches).toBe(1);
      advance(MIN_REFETCH_INTERVAL_MS);
      expect(await cache.changedAfterBadSignature(URL_A, 'k1', pem)).toBe(false);
      expect(lms.fetches).toBe(2);
    });
  });
});
