import { createSecretKey, KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';

/**
 * ltijs signs (at launch) and verifies (on every request) the ltik with our key as a string.
 * jsonwebtoken 9 first tries to read such a string as a PEM public/private key, which OpenSSL 3
 * takes ~0.7 ms to refuse before it falls back to an HMAC secret: on every authenticated request.
 * For exactly our key we hand it the KeyObject it ends up with anyway; every other key (the
 * platforms' keys for id_tokens and service tokens) passes through untouched.
 */
type Jwt = { verify: (token: unknown, key: unknown, ...rest: unknown[]) => unknown; sign: (payload: unknown, key: unknown, ...rest: unknown[]) => unknown };

const secrets = new Map<string, KeyObject>();
let installed = false;

export function useKeyObjectForLtik(key: string): void {
  secrets.set(key, createSecretKey(Buffer.from(key)));
  if (installed) return;
  installed = true;
  // ltijs's own copy of jsonwebtoken, whichever node_modules it resolves to.
  const jwt = createRequire(require.resolve('ltijs'))('jsonwebtoken') as Jwt;
  const { verify, sign } = jwt;
  const swap = (k: unknown) => (typeof k === 'string' ? (secrets.get(k) ?? k) : k);
  jwt.verify = (token, k, ...rest) => verify(token, swap(k), ...rest);
  jwt.sign = (payload, k, ...rest) => sign(payload, swap(k), ...rest);
}
