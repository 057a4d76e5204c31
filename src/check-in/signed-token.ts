/**
 * Compact signed values for our own first-party cookies and the completion ticket:
 * base64url(JSON payload) + "." + base64url(HMAC-SHA256). Pure: the key and the time are passed
 * in. Every token carries its purpose (so a device cookie can never pass as a ticket) and an
 * expiry in milliseconds.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type TokenPurpose = 'device' | 'pending' | 'ticket' | 'scan';

type Envelope<T> = { p: TokenPurpose; exp: number; v: T };

const MAX_TOKEN_LENGTH = 2048;

function mac(key: Buffer, body: string): string {
  return createHmac('sha256', key).update(body).digest('base64url');
}

export function signToken<T>(key: Buffer, purpose: TokenPurpose, value: T, expiresAtMs: number): string {
  const body = Buffer.from(JSON.stringify({ p: purpose, exp: expiresAtMs, v: value } satisfies Envelope<T>)).toString('base64url');
  return `${body}.${mac(key, body)}`;
}

/** The value, or undefined when the token is malformed, forged, of another purpose or expired. */
export function verifyToken<T>(key: Buffer, purpose: TokenPurpose, token: unknown, nowMs: number): T | undefined {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return undefined;
  const dot = token.indexOf('.');
  if (dot <= 0) return undefined;
  const body = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = Buffer.from(mac(key, body), 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const env = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<Envelope<T>>;
    if (env.p !== purpose || typeof env.exp !== 'number' || env.exp <= nowMs || env.v === undefined) return undefined;
    return env.v;
  } catch {
    return undefined;
  }
}

/** Reads one cookie from a Cookie header (no cookie-parser: three cookies do not need a dependency). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}
