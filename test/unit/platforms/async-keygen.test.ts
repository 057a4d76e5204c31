import { createPrivateKey, createPublicKey } from 'node:crypto';
import { generatePlatformKeyPairAsync, useAsyncPlatformKeyGeneration } from '../../../src/lti/async-keygen';

/** ltijs's Database as its key generation uses it: Get (kid taken?) and Replace (store a key). */
function fakeDatabase(takenKids: string[] = []) {
  const replaced: Array<{ encryptionKey: unknown; collection: string; query: unknown; item: { key: string; kid: string }; index: unknown }> = [];
  const gets: string[] = [];
  return {
    replaced,
    gets,
    async Get(_enc: unknown, collection: string, query: { kid: string }) {
      gets.push(`${collection}:${query.kid}`);
      return gets.length <= takenKids.length ? [{ kid: query.kid }] : false;
    },
    async Replace(encryptionKey: unknown, collection: string, query: unknown, item: { key: string; kid: string }, index: unknown) {
      replaced.push({ encryptionKey, collection, query, item, index });
      return true;
    },
  };
}

describe('platform key generation without blocking the event loop', () => {
  it('when a platform is registered, then its key pair is a 4096-bit RSA pair in the PEM encodings ltijs stores, saved with the same calls', async () => {
    const db = fakeDatabase(['taken']);
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    const kid = await generatePlatformKeyPairAsync('enc-key', db, 'https://lms.example', 'client-1');
    clearInterval(ticker);

    expect(kid).toMatch(/^[0-9a-f]{32}$/);
    expect(db.gets).toHaveLength(2); // the first random kid was taken, so a second was drawn
    expect(db.replaced.map((r) => [r.encryptionKey, r.collection, r.query, r.index, r.item.kid])).toEqual([
      ['enc-key', 'publickey', { platformUrl: 'https://lms.example', clientId: 'client-1' }, { kid, platformUrl: 'https://lms.example', clientId: 'client-1' }, kid],
      ['enc-key', 'privatekey', { platformUrl: 'https://lms.example', clientId: 'client-1' }, { kid, platformUrl: 'https://lms.example', clientId: 'client-1' }, kid],
    ]);
    const [pub, priv] = db.replaced.map((r) => r.item.key);
    expect(pub).toMatch(/^-----BEGIN PUBLIC KEY-----/); // spki
    expect(priv).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/); // pkcs1
    expect(createPublicKey(pub ?? '').asymmetricKeyDetails?.modulusLength).toBe(4096);
    expect(createPrivateKey(priv ?? '').asymmetricKeyDetails?.modulusLength).toBe(4096);
    // Timers kept firing while the key was made (a synchronous generation would allow none).
    expect(ticks).toBeGreaterThan(0);
  });

  it("when the adapter is set up, then ltijs's own key generation is the asynchronous one", () => {
    useAsyncPlatformKeyGeneration();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Auth = require('ltijs/dist/Utils/Auth') as { generatePlatformKeyPair: unknown };
    expect(Auth.generatePlatformKeyPair).toBe(generatePlatformKeyPairAsync);
  });
});
