/**
 * Check-in passwords and the character set shared by every code a student may have to read
 * off a projector or type on a phone. Pure: randomness is passed in, so tests can seed it.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * 25 characters: upper-case letters without B I L O S Z, and the digits 3 4 6 7 9.
 * Dropped because they are easily confused with another character on a projector or when
 * typed: 0/O, 1/I/L, 2/Z, 5/S, 8/B. Lower-case input is accepted (see normalizeCode), so
 * the alphabet only needs upper case.
 */
export const CODE_ALPHABET = 'ACDEFGHJKMNPQRTUVWXY34679';

export const PASSWORD_LENGTH = { min: 6, max: 32, generated: 6 } as const;

/**
 * The largest multiple of the alphabet size that fits in a byte (250). Bytes at or above it are
 * thrown away instead of being folded in with `%`, which would make the first 6 characters
 * slightly more likely than the rest (modulo bias).
 */
const ACCEPT_BELOW = 256 - (256 % CODE_ALPHABET.length);

/**
 * Turns a stream of uniformly random (or pseudo-random, e.g. HMAC) bytes into `length`
 * characters of CODE_ALPHABET by rejection sampling. `nextChunk` is asked for more bytes until
 * enough were accepted; it must eventually return acceptable bytes.
 */
export function charsFromBytes(nextChunk: () => Buffer, length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of nextChunk()) {
      if (byte >= ACCEPT_BELOW) continue;
      out += CODE_ALPHABET[byte % CODE_ALPHABET.length];
      if (out.length === length) break;
    }
  }
  return out;
}

/** A fresh password; pass `crypto.randomBytes` in production. */
export function generatePassword(randomBytes: (n: number) => Buffer, length: number = PASSWORD_LENGTH.generated): string {
  if (!Number.isInteger(length) || length < PASSWORD_LENGTH.min || length > PASSWORD_LENGTH.max) {
    throw new RangeError(`password length must be an integer ${PASSWORD_LENGTH.min}-${PASSWORD_LENGTH.max}`);
  }
  // A few spare bytes per call so one rejected byte rarely costs a second call.
  return charsFromBytes(() => randomBytes(length + 4), length);
}

/**
 * What is compared and stored: spaces and dashes are dropped (people type "ACD-EFG" or
 * "acd efg" as shown on the projector; phones turn "-" into en/em dashes or a minus), and case
 * does not matter. NFC so "Ā" typed decomposed equals "Ā" typed composed (teachers may edit
 * the password to a Latvian word). Locale-independent upper-casing, so a Turkish phone's
 * dotted i cannot make the same word compare differently.
 */
export function normalizeCode(input: string): string {
  return input.normalize('NFC').replace(/[\s\-\u2010-\u2015\u2212]/gu, '').toUpperCase();
}

/**
 * Equality of two codes after normalisation, in time that does not depend on where they first
 * differ. Both sides are hashed first because timingSafeEqual needs equal lengths and an early
 * length check would reveal the password's length.
 */
export function codesEqual(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(normalizeCode(s), 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}
