import { randomUUID } from 'node:crypto';
import { Request, Response, Router } from 'express';
import { toLocale, Translate } from '../i18n/i18n';
import { asyncHandler } from '../shared/async-handler';
import { isDatabaseDown } from '../shared/database-errors';
import type { FeatureDeps } from '../shared/feature-deps';
import { setLocale } from '../shared/locale.middleware';
import { REFUSAL_STATUS } from './check-in.presenter';
import { CompletionTicket, readTicket } from './completion-ticket';
import { deviceLabel } from './device-label';
import { inspectHeldScan } from './held-scan.service';
import {
  clearPending, clearScanReceipt, CookieSettings, ensureDeviceId, holdPending, holdScanReceipt, PendingScan, readDeviceId, readPending, readScanReceipt, ScanReceipt,
} from './phone-cookies';
import {
  checkScan, completeHeldScan, countQrFailure, findByPublicId, holdValidScan, lmsLink, pairDevice, pairedUser, QrFailure, QrLimits, QrSession, studentFacts,
} from './qr-check-in.service';
import {
  qrDonePage, qrFormPage, qrHeldProblemPage, qrMessagePage, qrOpenLmsPage, qrRefusalPage, QrPageBase, scanPath,
} from './qr-check-in.presenter';

/**
 * Flow 2, the QR on a phone. Everything here is top-level and public (mounted before ltijs):
 * the phone proves nothing but the scanned code, its signed device cookie, and — after an LMS
 * launch on that phone — a signed completion ticket from the student home. A valid scan is held
 * in the database for this device, once, for a few minutes (held-scan.ts); the la_pending
 * cookie only names it.
 *   GET  /checkin/:publicId?code=…  scan: check the code, hold it, record at once when paired
 *   GET  /checkin/:publicId         what this phone should do next
 *   POST /checkin/:publicId         complete the held scan (status choice, or confirm)
 *   GET  /checkin/:publicId/done    the confirmation, with the offer to pair this phone
 *   GET  /checkin/complete?t=…      from the student home: complete the held scan
 *   POST /checkin/pair              pair this phone with the ticket's student
 */

export interface QrRouterOptions {
  /** Per client address, for failed requests only (see countQrFailure). */
  limits: QrLimits;
  /** How long a held scan lasts after the scan (never past the check-in window). */
  heldScanMinutes: number;
  cookieSecure: boolean;
}

interface Identity { userId: string; via: 'ticket' | 'pairing'; ticket?: string }

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function qrCheckInRouter(deps: FeatureDeps, opts: QrRouterOptions): Router {
  const router = Router();
  const cookies: CookieSettings = { key: deps.signingKey, secure: opts.cookieSecure };
  const ipOf = (req: Request) => req.ip ?? 'unknown';
  const nowMs = () => deps.now().getTime();

  const render = (res: Response, page: QrPageBase) => {
    res.set('Cache-Control', 'no-store');
    res.status(page.status).render(page.template, page);
  };
  const t = (res: Response) => res.locals.t as Translate;

  /**
   * A failed request counts against its address; once over the limit, failures are answered
   * with 429 instead of their own page (true: already answered). Valid requests never get here.
   */
  async function refusedAsFlood(req: Request, res: Response, kind: QrFailure): Promise<boolean> {
    const state = await countQrFailure(kind, ipOf(req), deps.now(), opts.limits);
    if (!state.blocked) return false;
    res.set('Retry-After', String(state.retryAfterSeconds));
    render(res, qrMessagePage(t(res), 429, 'rate_limited'));
    return true;
  }

  /** The ticket wins over a pairing: it is the student who just launched on this phone. */
  async function identify(req: Request, res: Response, s: QrSession, ticketToken: string | undefined): Promise<Identity | undefined> {
    const ticket = ticketFor(s, ticketToken);
    if (ticket) {
      const locale = toLocale(ticket.locale);
      if (locale) setLocale(res.locals, locale);
      return { userId: ticket.userId, via: 'ticket', ticket: ticketToken };
    }
    const userId = await pairedUser(s.courseId, readDeviceId(req, deps.signingKey, nowMs()));
    return userId ? { userId, via: 'pairing' } : undefined;
  }
  const ticketFor = (s: QrSession, token: string | undefined): CompletionTicket | undefined => {
    const ticket = readTicket(deps.signingKey, token, nowMs());
    return ticket && ticket.courseId === s.courseId && ticket.activityId === s.activityId ? ticket : undefined;
  };
  /** The held scan this phone's cookie names for the session (its record is checked where it is used). */
  const pendingFor = (req: Request, s: QrSession): PendingScan | undefined => {
    const p = readPending(req, deps.signingKey, nowMs());
    return p && p.s === s.publicId ? p : undefined;
  };

  async function complete(
    req: Request, res: Response, s: QrSession, who: Identity, held: PendingScan, statusId: string | undefined,
    deviceId = readDeviceId(req, deps.signingKey, nowMs()),
  ): Promise<void> {
    const outcome = await completeHeldScan(s, held.h, who.userId, statusId, {
      now: deps.now(), ip: req.ip, deviceId, fallbackZone: deps.defaultTimezone, log: deps.log,
    });
    if ('held' in outcome) {
      clearPending(res, opts.cookieSecure);
      // A double tap: the student's own first tap used the scan; show what it recorded.
      if (outcome.held === 'used' && outcome.consumedBy === who.userId) return void res.redirect(303, scanPath(s.publicId, '/done', who.ticket));
      return render(res, qrHeldProblemPage(t(res), outcome.held));
    }
    if (outcome.ok) {
      clearPending(res, opts.cookieSecure);
      return void res.redirect(303, scanPath(s.publicId, '/done', who.ticket));
    }
    if (outcome.reason === 'status_not_allowed') {
      return render(res, await qrFormPage(s, outcome.facts, who, deps.now(), res.locals, { reason: outcome.reason }, REFUSAL_STATUS[outcome.reason]));
    }
    clearPending(res, opts.cookieSecure);
    render(res, await qrRefusalPage(s, outcome.facts, outcome, deps.now(), res.locals));
  }

  /**
   * Whether the phone's held scan can still be completed here. If not, the page says why and the
   * cookie goes. `waitingStatus`: nobody is identified yet, so the page sends them to the LMS.
   */
  async function heldStillUsable(req: Request, res: Response, s: QrSession, held: PendingScan, waitingStatus?: number): Promise<boolean> {
    const found = await inspectHeldScan(held.h, s.sessionId, readDeviceId(req, deps.signingKey, nowMs()), deps.now());
    if (!found.ok) {
      clearPending(res, opts.cookieSecure);
      render(res, qrHeldProblemPage(t(res), found.problem));
      return false;
    }
    if (waitingStatus === undefined) return true;
    render(res, await qrOpenLmsPage(s, found.scan.expiresAt, await lmsLink(s.courseId, s.activityId), waitingStatus, res.locals));
    return false;
  }

  const load = async (req: Request, res: Response): Promise<QrSession | undefined> => {
    const s = await findByPublicId(String(req.params.publicId ?? ''));
    if (!s && !(await refusedAsFlood(req, res, 'unknown_id'))) render(res, qrMessagePage(t(res), 404, 'unknown_session'));
    return s;
  };

  router.get('/checkin/complete', asyncHandler(async (req, res) => {
    const token = str(req.query.t);
    const ticket = readTicket(deps.signingKey, token, nowMs());
    if (!ticket) return render(res, qrMessagePage(t(res), 400, 'ticket_expired'));
    const locale = toLocale(ticket.locale);
    if (locale) setLocale(res.locals, locale);
    const held = readPending(req, deps.signingKey, nowMs());
    const s = held ? await findByPublicId(held.s) : undefined;
    if (!held || !s || s.courseId !== ticket.courseId || s.activityId !== ticket.activityId) {
      return render(res, qrMessagePage(t(res), 404, 'nothing_held'));
    }
    if (s.settings?.statusMode === 'choose') return void res.redirect(303, scanPath(s.publicId, '', token));
    await complete(req, res, s, { userId: ticket.userId, via: 'ticket', ticket: token }, held, undefined);
  }));

  router.post('/checkin/pair', asyncHandler(async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const s = await findByPublicId(String(body.publicId ?? ''));
    const ticket = s ? ticketFor(s, str(body.t)) : undefined;
    if (!s || !ticket) return render(res, qrMessagePage(t(res), 400, 'ticket_expired'));
    // Only a phone that already holds our device cookie (set by its scan) can be paired. A
    // cross-site form cannot send that Lax cookie, so another site cannot pair a visitor's
    // phone with someone else's ticket.
    const deviceId = readDeviceId(req, deps.signingKey, nowMs());
    if (!deviceId) return render(res, qrMessagePage(t(res), 403, 'scan_first'));
    const result = await pairDevice(s.courseId, ticket.userId, deviceId, deviceLabel(req.headers['user-agent']), deps.now(), randomUUID());
    res.redirect(303, `${scanPath(s.publicId, '/done', str(body.t))}&paired=${result}`);
  }));

  router.get('/checkin/:publicId', asyncHandler(async (req, res) => {
    const code = str(req.query.code);
    if (code !== undefined) return keptThroughOutage(req, res, code, () => scanRequest(req, res, code));
    const s = await load(req, res);
    if (!s) return;
    const who = await identify(req, res, s, str(req.query.t));
    const held = pendingFor(req, s);
    if (held && !(await heldStillUsable(req, res, s, held, who ? undefined : 200))) return;
    if (!who) return render(res, qrMessagePage(t(res), 200, 'scan_first'));
    const facts = await studentFacts(s, who.userId, deps.now(), deps.defaultTimezone);
    if (held) return render(res, await qrFormPage(s, facts, who, deps.now(), res.locals, undefined, 200));
    if (facts.existing) return void res.redirect(303, scanPath(s.publicId, '/done', who.ticket));
    render(res, qrMessagePage(t(res), 200, 'scan_first'));
  }));

  async function scanRequest(req: Request, res: Response, code: string): Promise<void> {
    const s = await load(req, res);
    if (s) await scan(req, res, s, code);
  }

  /**
   * A scan the database could not take (it is down: the error handler answers with the calm 503
   * page and "Try again") leaves a signed receipt on the phone, so the retry checks the code as of
   * the scan, not of the retry, by which time the code has rotated on (phone-cookies.ts).
   */
  async function keptThroughOutage(req: Request, res: Response, code: string, handle: () => Promise<void>): Promise<void> {
    try {
      await handle();
    } catch (err) {
      if (isDatabaseDown(err) && !res.headersSent) {
        const publicId = String(req.params.publicId ?? '');
        const deviceId = ensureDeviceId(req, res, cookies, nowMs());
        const earlier = receiptFor(req, publicId, code, deviceId);
        const at = earlier?.at ?? nowMs();
        holdScanReceipt(res, cookies, { s: publicId, c: code, at, d: deviceId }, nowMs(), at + opts.heldScanMinutes * 60_000);
      }
      throw err;
    }
  }
  const receiptFor = (req: Request, publicId: string, code: string, deviceId: string | undefined): ScanReceipt | undefined => {
    const r = readScanReceipt(req, deps.signingKey, nowMs());
    return r && r.s === publicId && r.c === code && r.d === deviceId && r.at <= nowMs() ? r : undefined;
  };

  async function scan(req: Request, res: Response, s: QrSession, code: string): Promise<void> {
    const receipt = receiptFor(req, s.publicId, code, readDeviceId(req, deps.signingKey, nowMs()));
    const scannedAt = receipt?.at ?? nowMs();
    const check = checkScan(s, code, scannedAt);
    if (check === 'wrong' && (await refusedAsFlood(req, res, 'wrong_code'))) return;
    if (receipt) clearScanReceipt(res, opts.cookieSecure);
    if (check !== 'ok') return render(res, await qrRefusalPage(s, undefined, { reason: check }, deps.now(), res.locals));
    const deviceId = ensureDeviceId(req, res, cookies, nowMs());
    const stored = await holdValidScan(s, code, deviceId, new Date(scannedAt), opts.heldScanMinutes);
    const held: PendingScan = { h: stored.id, s: s.publicId };
    holdPending(res, cookies, held, nowMs(), stored.expiresAt.getTime());
    const userId = await pairedUser(s.courseId, deviceId);
    if (userId && s.settings?.statusMode !== 'choose') return complete(req, res, s, { userId, via: 'pairing' }, held, undefined, deviceId);
    // The code leaves the address bar (and the history) as soon as it is held.
    res.redirect(303, scanPath(s.publicId));
  }

  router.post('/checkin/:publicId', asyncHandler(async (req, res) => {
    const s = await load(req, res);
    if (!s) return;
    const body = req.body as Record<string, unknown>;
    const who = await identify(req, res, s, str(body.t));
    const held = pendingFor(req, s);
    if (!held) return render(res, qrMessagePage(t(res), who ? 409 : 403, 'scan_first'));
    if (!who) return void (await heldStillUsable(req, res, s, held, 403));
    await complete(req, res, s, who, held, str(body.statusId));
  }));

  router.get('/checkin/:publicId/done', asyncHandler(async (req, res) => {
    const s = await load(req, res);
    if (!s) return;
    const who = await identify(req, res, s, str(req.query.t));
    if (!who) return render(res, qrMessagePage(t(res), 200, 'scan_first'));
    const facts = await studentFacts(s, who.userId, deps.now(), deps.defaultTimezone);
    if (!facts.existing) return void res.redirect(303, scanPath(s.publicId, '', who.ticket));
    const pairedWith = await pairedUser(s.courseId, readDeviceId(req, deps.signingKey, nowMs()));
    render(res, await qrDonePage(s, facts, who, pairedWith, str(req.query.paired), res.locals));
  }));

  return router;
}
