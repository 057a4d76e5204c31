/**
 * TLS for the cluster test: a throw-away self-signed certificate for 127.0.0.1 made with the
 * openssl command line (Debian's openssl package), and trust in it for this test process only.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface Certificate {
  certFile: string;
  keyFile: string;
  pem: string;
}

/** A P-256 certificate valid for one day, for IP 127.0.0.1 (what the test's URLs name). */
export function makeCertificate(dir: string): Certificate {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
  } catch {
    throw new Error('The cluster test needs the openssl command to make its TLS certificate: apt-get install -y openssl');
  }
  const certFile = path.join(dir, 'proxy-cert.pem');
  const keyFile = path.join(dir, 'proxy-key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'ignore' });
  return { certFile, keyFile, pem: readFileSync(certFile, 'utf8') };
}

const FETCH_DISPATCHER = Symbol.for('undici.globalDispatcher.1');
type Dispatcher = { constructor: new (opts: { connect: { ca: string } }) => Dispatcher; close?: () => Promise<void> };

/**
 * Makes this process's fetch trust `pem` (the mock LMS fetches the tool's keys with fetch):
 * Node 20 reads NODE_EXTRA_CA_CERTS only at start, so fetch's global dispatcher is replaced by
 * one of the same class with our CA. Certificates stay verified; the test never turns
 * verification off. (supertest requests get the CA per agent: `.ca(pem)`.) Returns the undo.
 */
export async function trustCertificateForFetch(pem: string): Promise<() => Promise<void>> {
  // Node's fetch creates its global dispatcher on first use: make one request so it exists,
  // then put a dispatcher of the same class with our CA in its place.
  await fetch('data:,').catch(() => undefined);
  // Under jest, globalThis is the test's sandbox; fetch (Node's own) reads the process's real
  // global, which a function made by fetch's own realm returns.
  const realGlobal = (fetch.constructor as FunctionConstructor)('return globalThis')() as unknown;
  const g = realGlobal as Record<symbol, Dispatcher | undefined>;
  const previous = g[FETCH_DISPATCHER];
  if (!previous) throw new Error('cannot find the fetch dispatcher of this Node version to trust the test certificate');
  const ours = new previous.constructor({ connect: { ca: pem } });
  g[FETCH_DISPATCHER] = ours;
  return async () => {
    g[FETCH_DISPATCHER] = previous;
    await ours.close?.().catch(() => undefined);
  };
}
