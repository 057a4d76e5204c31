import { generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

/**
 * ltijs 5.9.9 makes each new platform's 4096-bit RSA key pair with crypto.generateKeyPairSync
 * (Utils/Auth.js, generatePlatformKeyPair, called by registerPlatform). That takes 0.5–7 s of CPU
 * on the event loop, so one registration (the CLI, the platforms file, dynamic registration from
 * a public page) stalled every other request of the instance, health checks included. This is
 * the same method with the generation moved to libuv's thread pool: same key size, same PEM
 * encodings, same kid and the same two Database.Replace calls, so stored keys stay compatible.
 */

interface LtijsDatabase {
  Get(encryptionKey: unknown, collection: string, query: Record<string, unknown>): Promise<unknown>;
  Replace(encryptionKey: unknown, collection: string, query: Record<string, unknown>, item: Record<string, unknown>, index: Record<string, unknown>): Promise<unknown>;
}

type GeneratePlatformKeyPair = (encryptionKey: unknown, database: LtijsDatabase, platformUrl: string, clientId: string) => Promise<string>;

const generateRsaPair = promisify(generateKeyPair);

export const generatePlatformKeyPairAsync: GeneratePlatformKeyPair = async (encryptionKey, database, platformUrl, clientId) => {
  let kid = randomBytes(16).toString('hex');
  while (await database.Get(false, 'publickey', { kid })) kid = randomBytes(16).toString('hex');
  const { publicKey, privateKey } = await generateRsaPair('rsa', {
    modulusLength: 4096,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  const query = { platformUrl, clientId };
  const index = { kid, platformUrl, clientId };
  await database.Replace(encryptionKey, 'publickey', query, { key: publicKey, kid }, index);
  await database.Replace(encryptionKey, 'privatekey', query, { key: privateKey, kid }, index);
  return kid;
};

/** Replaces ltijs's static method (Provider calls `Auth.generatePlatformKeyPair(...)` at use time). */
export function useAsyncPlatformKeyGeneration(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Auth = require('ltijs/dist/Utils/Auth') as { generatePlatformKeyPair?: unknown };
  // An ltijs upgrade that moves this must be noticed, not silently block again.
  if (typeof Auth.generatePlatformKeyPair !== 'function') throw new Error('ltijs Utils/Auth.generatePlatformKeyPair not found: re-check src/lti/async-keygen.ts against the installed ltijs');
  Auth.generatePlatformKeyPair = generatePlatformKeyPairAsync;
}
