import { randomUUID } from 'node:crypto';
import { Request, RequestHandler, Response, Router } from 'express';
import { toLocale, Translate } from '../i18n/i18n';
import { asyncHandler } from '../shared/async-handler';
import type { FeatureDeps } from '../shared/feature-deps';
import { setLocale } from '../shared/locale.middleware';
import { REFUSAL_STATUS } from './check-in.presenter';
import { CompletionTicket, readTicket } from './completion-ticket';
import { deviceLabel } from './device-label';
import { clearPending, CookieSettings, ensureDeviceId, holdPending, PendingScan, readDeviceId, readPending } from './phone-cookies';
import {
  checkScan, completeScan, findByPublicId, lmsLink, pairDevice, pairedUser, QrSession, studentFacts, windowClosesAt,
} from './qr-check-in.service';
import { qrDonePage, qrFormPage, qrMessagePage, qrRefusalPage, QrPageBase, scanPath } from './qr-check-in.presenter';
import { SlidingWindowLimiter } from './rate-limit';

/**
 * Flow 2, the QR on a phone. Everything here is top-level and public (mounted before ltijs):
 * the phone proves nothing but the scanned code, its signed device cookie, and — after an LMS
 * launch on that phone — a signed completion ticket from the student home.
 *   GET  /checkin/:publicId?code=…  scan: check the code, hold it, record at once when paired
 *   GET  /checkin/:publicId         what this phone should do next
 *   POST /checkin/:publicId         complete the held scan (status choice, or confirm)
 *   GET  /checkin/:publicId/done    the confirmation, with the offer to pair this phone
 *   GET  /checkin/complete?t=…      from the student home: complete the held scan
 *   POST /checkin/pair              pair this phone with the ticket's student
 */

export interface QrRouterOptions {
  limits: { requestsPerMinute: number; wrongCodesPer10Minutes: number };
  cookieSecure: boolean;
}

interface Identity { userId: string; via: 'ticket' | 'pairing'; ticket?: string }

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function qrCheckInRouter(deps: FeatureDeps, opts: QrRouterOptions): Router {
  const router = Router();
  const cookies: CookieSettings = { key: deps.signingKey, secure: opts.cookieSecure };
  const requests = new SlidingWindowLimiter(opts.limits.requestsPerMinute, 60_000);
  const guesses = new SlidingWindowLimiter(opts.limits.wrongCodesPer10Minutes, 10 * 60_000);
  const ipOf = (req: Request) => req.ip ?? 'unknown';
  const nowMs = () => deps.now().getTime();

  const render = (res: Response, page: QrPageBase) => {
    res.set('Cache-Control', 'no-store');
    res.status(page.status).render(page.template, page);
  };
  const t = (res: Response) => res.locals.t as Translate;

  const limit: RequestHandler = (req, res, next) => {
    const ip = ipOf(req);
    if (requests.blocked(ip, nowMs())) {
      res.set('Retry-After', '60');
      return render(res, qrMessagePage(t(res), 429, 'rate_limited'));
    }
    requests.hit(ip, nowMs());
    next();
  };
  router.use('/checkin', limit);

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
  const pendingFor = (req: Request, s: QrSession): PendingScan | undefined => {
    const p = readPending(req, deps.signingKey, nowMs());
    return p && p.s === s.publicId ? p : undefined;
  };

  async function complete(req: Request, res: Response, s: QrSession, who: Identity, scan: PendingScan, statusId: string | undefined): Promise<void> {
    const deviceId = ensureDeviceId(req, res, cookies, nowMs());
    const outcome = await completeScan(s, who.userId, { code: scan.c, at: scan.at }, statusId, {
      now: deps.now(), ip: req.ip, deviceId, fallbackZone: deps.defaultTimezone, log: deps.log,
    });
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

  const load = async (req: Request, res: Response): Promise<QrSession | undefined> => {
    const s = await findByPublicId(String(req.params.publicId ?? ''));
    if (!s) {
      guesses.hit(ipOf(req), nowMs());
      render(res, qrMessagePage(t(res), 404, 'unknown_session'));
    }
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
    const s = await load(req, res);
    if (!s) return;
    const code = str(req.query.code);
    if (code !== undefined) return scan(req, res, s, code);
    const who = await identify(req, res, s, str(req.query.t));
    const held = pendingFor(req, s);
    if (!who) return render(res, held ? qrMessagePage(t(res), 200, 'open_lms', await lmsLink(s.courseId, s.activityId)) : qrMessagePage(t(res), 200, 'scan_first'));
    const facts = await studentFacts(s, who.userId, deps.now(), deps.defaultTimezone);
    if (held) return render(res, await qrFormPage(s, facts, who, deps.now(), res.locals, undefined, 200));
    if (facts.existing) return void res.redirect(303, scanPath(s.publicId, '/done', who.ticket));
    render(res, qrMessagePage(t(res), 200, 'scan_first'));
  }));

  async function scan(req: Request, res: Response, s: QrSession, code: string): Promise<void> {
    const ip = ipOf(req);
    if (guesses.blocked(ip, nowMs())) {
      res.set('Retry-After', String(Math.ceil(((guesses.retryAtMs(ip, nowMs()) ?? nowMs()) - nowMs()) / 1000)));
      return render(res, qrMessagePage(t(res), 429, 'rate_limited'));
    }
    const check = checkScan(s, code, nowMs());
    if (check === 'wrong') guesses.hit(ip, nowMs());
    if (check !== 'ok') return render(res, await qrRefusalPage(s, undefined, { reason: check }, deps.now(), res.locals));
    const deviceId = ensureDeviceId(req, res, cookies, nowMs());
    const held: PendingScan = { s: s.publicId, c: code, at: nowMs() };
    holdPending(res, cookies, held, windowClosesAt(s));
    const userId = await pairedUser(s.courseId, deviceId);
    if (userId && s.settings?.statusMode !== 'choose') return complete(req, res, s, { userId, via: 'pairing' }, held, undefined);
    // The code leaves the address bar (and the history) as soon as it is held.
    res.redirect(303, scanPath(s.publicId));
  }

  router.post('/checkin/:publicId', asyncHandler(async (req, res) => {
    const s = await load(req, res);
    if (!s) return;
    const body = req.body as Record<string, unknown>;
    const who = await identify(req, res, s, str(body.t));
    const held = pendingFor(req, s);
    if (!who) return render(res, qrMessagePage(t(res), 403, held ? 'open_lms' : 'scan_first', held ? await lmsLink(s.courseId, s.activityId) : undefined));
    if (!held) return render(res, qrMessagePage(t(res), 409, 'scan_first'));
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
