import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { readCookie, signToken, verifyToken } from './signed-token';

/**
 * The phone's two first-party cookies, both set and read only on top-level pages of the QR
 * flow (LMS iframes may block third-party cookies, so nothing inside the LMS relies on them):
 * - la_device: a random device id, signed, kept ~400 days. Pairings refer to it server-side.
 * - la_pending: the id of the phone's held scan (held-scan.model.ts), signed, kept an hour longer
 *   than the held scan lasts, so the phone can say "expired" rather than "nothing scanned". The
 *   cookie proves nothing by itself: completing checks the stored record against this phone's
 *   own la_device, so a copied cookie is useless on another phone.
 * Lax, HttpOnly; Secure whenever the tool runs over https.
 */
export const DEVICE_COOKIE = 'la_device';
export const PENDING_COOKIE = 'la_pending';
const DEVICE_DAYS = 400;
const DAY_MS = 86_400_000;

export interface PendingScan {
  /** The held scan's id. */
  h: string;
  /** The session's public id (the student home tells which session the phone holds a scan for). */
  s: string;
}

export interface CookieSettings {
  key: Buffer;
  secure: boolean;
}

const options = (secure: boolean, maxAgeMs: number) => ({ httpOnly: true, sameSite: 'lax' as const, secure, path: '/', maxAge: maxAgeMs });

export function readDeviceId(req: Request, key: Buffer, nowMs: number): string | undefined {
  return verifyToken<string>(key, 'device', readCookie(req.headers.cookie, DEVICE_COOKIE), nowMs);
}

/** The phone's device id, made (and the cookie set) on its first scan. */
export function ensureDeviceId(req: Request, res: Response, cookies: CookieSettings, nowMs: number): string {
  const known = readDeviceId(req, cookies.key, nowMs);
  if (known) return known;
  const id = randomBytes(16).toString('base64url');
  const maxAge = DEVICE_DAYS * DAY_MS;
  res.cookie(DEVICE_COOKIE, signToken(cookies.key, 'device', id, nowMs + maxAge), options(cookies.secure, maxAge));
  return id;
}

export function readPending(req: Request, key: Buffer, nowMs: number): PendingScan | undefined {
  const value = verifyToken<PendingScan>(key, 'pending', readCookie(req.headers.cookie, PENDING_COOKIE), nowMs);
  if (!value || typeof value.h !== 'string' || typeof value.s !== 'string') return undefined;
  return { h: value.h, s: value.s };
}

const PENDING_AFTERLIFE_MS = 3_600_000;

/** `heldUntilMs`: when the held scan itself expires. */
export function holdPending(res: Response, cookies: CookieSettings, scan: PendingScan, nowMs: number, heldUntilMs: number): void {
  const untilMs = heldUntilMs + PENDING_AFTERLIFE_MS;
  res.cookie(PENDING_COOKIE, signToken(cookies.key, 'pending', scan, untilMs), options(cookies.secure, untilMs - nowMs));
}

export function clearPending(res: Response, secure: boolean): void {
  res.clearCookie(PENDING_COOKIE, { httpOnly: true, sameSite: 'lax', secure, path: '/' });
}

/**
 * la_scan: a scan that arrived while the database was unreachable. Nothing could be checked or
 * held then, and the code rotates on; so the tool signs what it saw, this address's code at this
 * moment on this phone, and the retry checks the code as of that moment. It attests only the
 * arrival time: the code must still have been valid then, the retry must come from the same
 * phone (la_device) within the held-scan limit, and it then becomes an ordinary held scan.
 */
export const SCAN_RECEIPT_COOKIE = 'la_scan';

export interface ScanReceipt {
  /** The session's public id. */
  s: string;
  /** The code as scanned. */
  c: string;
  /** When the scan arrived (ms). */
  at: number;
  /** The phone's device id. */
  d: string;
}

export function readScanReceipt(req: Request, key: Buffer, nowMs: number): ScanReceipt | undefined {
  const v = verifyToken<ScanReceipt>(key, 'scan', readCookie(req.headers.cookie, SCAN_RECEIPT_COOKIE), nowMs);
  if (!v || typeof v.s !== 'string' || typeof v.c !== 'string' || typeof v.at !== 'number' || typeof v.d !== 'string') return undefined;
  return { s: v.s, c: v.c, at: v.at, d: v.d };
}

/** `untilMs`: the last moment a retry may use it (the held-scan limit after the scan). */
export function holdScanReceipt(res: Response, cookies: CookieSettings, receipt: ScanReceipt, nowMs: number, untilMs: number): void {
  res.cookie(SCAN_RECEIPT_COOKIE, signToken(cookies.key, 'scan', receipt, untilMs), options(cookies.secure, untilMs - nowMs));
}

export function clearScanReceipt(res: Response, secure: boolean): void {
  res.clearCookie(SCAN_RECEIPT_COOKIE, { httpOnly: true, sameSite: 'lax', secure, path: '/' });
}
