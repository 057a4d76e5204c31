import { createSecretKey, KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';
import { noteVerifiedLtik } from './ltijs-store';

/**
 * ltijs signs (at launch) and verifies (on every request) the ltik with our key as a string.
 * Two things are added at that one place, for exactly our key (every other key — the platforms'
 * keys for id_tokens and service tokens — passes through untouched):
 * - jsonwebtoken 9 first tries to read such a string as a PEM public/private key, which OpenSSL 3
 *   takes ~0.7 ms to refuse before it falls back to an HMAC secret, on every authenticated
 *   request: we hand it the KeyObject it ends up with anyway.
 * - ltijs issues ltiks without an expiry and verifies them without a maximum age, so a link
 *   copied once kept working for ever (and across restarts). Verification now demands an `iat`
 *   no older than `maxAgeSeconds`; an older ltik fails with jsonwebtoken's 'maxAge exceeded',
 *   which the adapter turns into the friendly "open the activity again" page.
 * - A verified ltik tells the launch-document cache which launch it belongs to (ltijs-store.ts).
 */
type Jwt = { verify: (token: unknown, key: unknown, ...rest: unknown[]) => unknown; sign: (payload: unknown, key: unknown, ...rest: unknown[]) => unknown };

interface OwnKey { object: KeyObject; maxAgeSeconds: number }
const ownKeys = new Map<string, OwnKey>();
let installed = false;

/** jsonwebtoken's message for a token older than maxAge. */
export const LTIK_TOO_OLD_MESSAGE = 'maxAge exceeded';

export function useKeyObjectForLtik(key: string, maxAgeSeconds: number): void {
  ownKeys.set(key, { object: createSecretKey(Buffer.from(key)), maxAgeSeconds });
  if (installed) return;
  installed = true;
  // ltijs's own copy of jsonwebtoken, whichever node_modules it resolves to.
  const jwt = createRequire(require.resolve('ltijs'))('jsonwebtoken') as Jwt;
  const { verify, sign } = jwt;
  const own = (k: unknown) => (typeof k === 'string' ? ownKeys.get(k) : undefined);
  jwt.verify = (token, k, ...rest) => {
    const mine = own(k);
    if (!mine) return verify(token, k, ...rest);
    // ltijs passes no options for the ltik; a caller that does keeps them, with our maximum age.
    const options = (typeof rest[0] === 'object' && rest[0] !== null ? rest[0] : {}) as Record<string, unknown>;
    const tail = typeof rest[0] === 'object' && rest[0] !== null ? rest.slice(1) : rest;
    const payload = verify(token, mine.object, { ...options, maxAge: mine.maxAgeSeconds }, ...tail);
    noteVerifiedLtik(payload);
    return payload;
  };
  jwt.sign = (payload, k, ...rest) => sign(payload, own(k)?.object ?? k, ...rest);
}
