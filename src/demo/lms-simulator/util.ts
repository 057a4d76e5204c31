/**
 * Small helpers shared by the LMS simulator (simulator.ts; the tests' mock LMS wraps it): JWT signing/decoding,
 * role names, HTTP body/response plumbing. Node built-ins plus `jsonwebtoken` only.
 */
import crypto, { type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

// ---------------------------------------------------------------------------------------------
// jsonwebtoken (no @types package installed: a minimal local typing of what we use)
// ---------------------------------------------------------------------------------------------
export interface JwtVerifyOptions {
  algorithms?: string[];
  audience?: string | string[];
  issuer?: string | string[];
  subject?: string;
  clockTolerance?: number;
}
export interface JwtLib {
  verify(token: string, key: KeyObject | string, options?: JwtVerifyOptions): unknown;
}
export const jwt = require('jsonwebtoken') as JwtLib;

// ---------------------------------------------------------------------------------------------
// LTI claim names and vocabularies
// ---------------------------------------------------------------------------------------------
const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
export const CLAIM = {
  deploymentId: `${LTI}deployment_id`,
  targetLinkUri: `${LTI}target_link_uri`,
  lis: `${LTI}lis`,
  roles: `${LTI}roles`,
  context: `${LTI}context`,
  messageType: `${LTI}message_type`,
  resourceLink: `${LTI}resource_link`,
  ext: `${LTI}ext`,
  launchPresentation: `${LTI}launch_presentation`,
  toolPlatform: `${LTI}tool_platform`,
  version: `${LTI}version`,
  custom: `${LTI}custom`,
  ags: 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint',
  nrps: 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice',
  deepLinkingSettings: 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings',
  dlContentItems: 'https://purl.imsglobal.org/spec/lti-dl/claim/content_items',
  dlData: 'https://purl.imsglobal.org/spec/lti-dl/claim/data',
  dlMsg: 'https://purl.imsglobal.org/spec/lti-dl/claim/msg',
} as const;

export const SCOPE = {
  lineItem: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  lineItemReadonly: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
  resultReadonly: 'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
  score: 'https://purl.imsglobal.org/spec/lti-ags/scope/score',
  nrps: 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
} as const;
export const AGS_SCOPES: string[] = [SCOPE.lineItem, SCOPE.lineItemReadonly, SCOPE.resultReadonly, SCOPE.score];
export const ALL_SCOPES: string[] = [...AGS_SCOPES, SCOPE.nrps];

export const LIS_MEMBERSHIP = 'http://purl.imsglobal.org/vocab/lis/v2/membership#';

/** 'Learner' -> 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'; URIs and '' unchanged. */
export function fullRole(role: string): string {
  if (role === '' || role.includes('://') || role.startsWith('urn:')) return role;
  return LIS_MEMBERSHIP + role;
}
/** Context membership URI -> short name as Moodle's NRPS sends it ('Learner'); others unchanged. */
export function shortRole(role: string): string {
  return role.startsWith(LIS_MEMBERSHIP) ? role.slice(LIS_MEMBERSHIP.length) : role;
}
/** Case-insensitive equality of two roles given in short or full form. */
export function sameRole(a: string, b: string): boolean {
  return fullRole(a).toLowerCase() === fullRole(b).toLowerCase();
}

// ---------------------------------------------------------------------------------------------
// JWT (compact JWS) signing and decoding with node:crypto
// ---------------------------------------------------------------------------------------------
export function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/**
 * Signs `payload` as a compact JWT. `alg` may lie on purpose for negative tests:
 * RS256/384/512 and PS256 sign properly; 'none' leaves the signature empty; HS256/384/512
 * use the PEM of `publicKey` as the HMAC secret (the classic algorithm-confusion attack);
 * any other value is signed with RS256 under the claimed header.
 */
export function signJwt(
  payload: Record<string, unknown>,
  header: Record<string, unknown>,
  privateKey: KeyObject,
  publicKey: KeyObject,
): string {
  const alg = typeof header.alg === 'string' ? header.alg : 'RS256';
  const data = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  let sig: Buffer;
  const hs = /^HS(256|384|512)$/.exec(alg);
  const rs = /^(RS|PS)(256|384|512)$/.exec(alg);
  if (alg === 'none') sig = Buffer.alloc(0);
  else if (hs) {
    const secret = publicKey.export({ type: 'spki', format: 'pem' });
    sig = crypto.createHmac(`sha${hs[1]}`, secret).update(data).digest();
  } else if (rs) {
    const opts =
      rs[1] === 'PS'
        ? { key: privateKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(rs[2]) / 8 }
        : privateKey;
    sig = crypto.sign(`sha${rs[2]}`, Buffer.from(data), opts);
  } else sig = crypto.sign('sha256', Buffer.from(data), privateKey);
  return `${data}.${b64url(sig)}`;
}

/** Decodes (without verifying) a compact JWT. Throws on malformed input. */
export function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [h, p] = token.split('.');
  if (h === undefined || p === undefined) throw new Error('malformed JWT');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>,
  };
}

export function randomId(prefix: string, bytes = 6): string {
  return `${prefix}${crypto.randomBytes(bytes).toString('hex')}`;
}

// ---------------------------------------------------------------------------------------------
// HTTP plumbing
// ---------------------------------------------------------------------------------------------
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(`${status} ${JSON.stringify(body)}`);
  }
}

export async function readBody(req: IncomingMessage, limit = 1_000_000): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > limit) throw new HttpError(413, { error: 'invalid_request', error_description: 'body too large' });
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new URLSearchParams(await readBody(req));
}

export async function readJson(req: IncomingMessage, accepted: string[]): Promise<Record<string, unknown>> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!accepted.includes(type)) {
    throw new HttpError(415, { error: 'unsupported_media_type', error_description: `content-type ${type || '(none)'}` });
  }
  const text = await readBody(req);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new HttpError(400, { error: 'invalid_request', error_description: 'body is not JSON' });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HttpError(400, { error: 'invalid_request', error_description: 'body must be a JSON object' });
  }
  return parsed as Record<string, unknown>;
}

export function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  contentType = 'application/json',
  headers: Record<string, string> = {},
): void {
  const text = body === undefined || body === '' ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': `${contentType}; charset=utf-8`,
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
export function unescapeHtml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Parses the auto-submitting launch form a platform's auth endpoint answers. */
export function parseAutoPostForm(html: string): { action: string; fields: Record<string, string> } | null {
  const form = /<form\b[^>]*\baction="([^"]*)"/i.exec(html);
  if (!form || form[1] === undefined) return null;
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input\b[^>]*\bname="([^"]*)"[^>]*\bvalue="([^"]*)"/gi)) {
    if (m[1] !== undefined && m[2] !== undefined) fields[unescapeHtml(m[1])] = unescapeHtml(m[2]);
  }
  return { action: unescapeHtml(form[1]), fields };
}

export function bearer(req: IncomingMessage): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return m?.[1];
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
