/**
 * The HTTP client of dynamic registration (node:http/https, no global fetch): it must decide
 * which IP address it connects to, and fetch() offers no hook for that. Every connection resolves
 * the host once, checks every resolved address against address-policy.ts, and connects to that
 * same checked address (the `lookup` hook), so a second, different DNS answer (rebinding) is
 * never used unchecked. IP literals skip DNS and are checked before connecting. Every redirect
 * hop goes through the same path.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { addressAllowed, classifyAddress, literalAddress } from './address-policy';

export interface ResolvedAddress {
  address: string;
  family: number;
}

export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export interface OutboundPolicy {
  /** DYNREG_ALLOWED_HOSTS: may this URL's host be in a loopback or private network? */
  mayReachPrivate(url: URL): boolean;
  /** Name resolution; the system resolver unless a test injects one. */
  resolve?: Resolver;
}

export interface FetchedText {
  status: number;
  text: string;
}

/** unreachable: no answer, a network error or a redirect elsewhere; blocked: an address the policy refuses. */
export type FetchFailure = 'unreachable' | 'too_large' | 'blocked';

export class FetchError extends Error {
  constructor(readonly failure: FetchFailure, detail: string) {
    super(detail);
    this.name = 'FetchError';
  }
}

const ADDRESS_NOT_ALLOWED = 'ADDRESS_NOT_ALLOWED';
const systemResolve: Resolver = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

/** A dns.lookup stand-in that refuses the whole host if any address it resolves to is refused. */
function guardedLookup(url: URL, policy: OutboundPolicy): LookupFunction {
  const listed = policy.mayReachPrivate(url);
  const resolve = policy.resolve ?? systemResolve;
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (all) => {
        const refused = all.find((a) => !addressAllowed(a.address, listed));
        const usable = all.filter((a) => !options.family || a.family === options.family);
        const first = usable[0];
        if (refused || !first) {
          const why = refused ? `${hostname} resolves to ${refused.address} (${classifyAddress(refused.address)})` : `${hostname} has no usable address`;
          return callback(Object.assign(new Error(why), { code: refused ? ADDRESS_NOT_ALLOWED : 'ENOTFOUND' }), '');
        }
        if (options.all) callback(null, usable);
        else callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };
}

interface Answer extends FetchedText {
  location?: string;
}

type Init = { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string };

function requestOnce(url: URL, init: Init, policy: OutboundPolicy, signal: AbortSignal, maxBytes: number): Promise<Answer> {
  const literal = literalAddress(url);
  if (literal !== undefined && !addressAllowed(literal, policy.mayReachPrivate(url))) {
    return Promise.reject(new FetchError('blocked', `${literal} (${classifyAddress(literal)})`));
  }
  const client = url.protocol === 'https:' ? https : http;
  const headers = init.body === undefined ? init.headers : { ...init.headers, 'Content-Length': String(Buffer.byteLength(init.body)) };
  return new Promise<Answer>((resolve, reject) => {
    const req = client.request(url, { method: init.method, headers, agent: false, lookup: guardedLookup(url, policy), signal }, (res) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (status >= 300 && status < 400 && location) {
        res.resume();
        return resolve({ status, location, text: '' });
      }
      const tooLarge = (detail: string) => {
        res.destroy();
        reject(new FetchError('too_large', detail));
      };
      const declared = Number(res.headers['content-length'] ?? '0');
      if (declared > maxBytes) return tooLarge(`${declared} bytes`);
      const chunks: Buffer[] = [];
      let size = 0;
      let ended = false;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) tooLarge(`more than ${maxBytes} bytes`);
        else chunks.push(chunk);
      });
      res.on('end', () => {
        ended = true;
        resolve({ status, text: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
      res.on('close', () => ended || reject(new Error('connection closed before the answer ended')));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/**
 * One request with a time and size limit (the time covers every hop and the body). Redirects
 * are followed only within the same origin (GET), so a configuration URL cannot bounce us to
 * another host; each hop is resolved and checked again.
 */
export async function fetchLimited(url: URL, init: Init, limits: { timeoutMs: number; maxBytes: number }, policy: OutboundPolicy): Promise<FetchedText> {
  const signal = AbortSignal.timeout(limits.timeoutMs);
  let current = url;
  try {
    for (let hops = 0; ; hops++) {
      const answer = await requestOnce(current, init, policy, signal, limits.maxBytes);
      if (answer.location === undefined) return { status: answer.status, text: answer.text };
      const next = new URL(answer.location, current);
      if (init.method !== 'GET' || next.origin !== url.origin || hops >= 3) throw new FetchError('unreachable', `redirected to ${next.origin}`);
      current = next;
    }
  } catch (err) {
    if (err instanceof FetchError) throw err;
    const e = err as NodeJS.ErrnoException;
    if (e.code === ADDRESS_NOT_ALLOWED) throw new FetchError('blocked', e.message);
    throw new FetchError('unreachable', signal.aborted ? `no answer within ${limits.timeoutMs / 1000} s` : (e.code ?? e.message));
  }
}
