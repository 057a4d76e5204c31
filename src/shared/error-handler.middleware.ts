import { countLaunch } from '../metrics/metrics';
import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { Locale, translator } from '../i18n/i18n';
import { isDatabaseDown } from './database-errors';
import { DomainError, Refusal, RefusalAction } from './errors';
import type { Logger } from './logger';
import { wantsJson } from './wants-json';

export interface ErrorView {
  status: number;
  title: string;
  message: string;
  hint?: string;
  reason?: string;
  action?: { href: string; label: string; newWindow: boolean };
}

/**
 * A refusal's reason is shown as the page's reference and sent in JSON only when it starts with
 * one of our upper-case codes (NONCE_MISMATCH, NO_ROUTE GET /x): never an internal error text.
 */
export function displayReason(reason: string | undefined): string | undefined {
  return reason !== undefined && /^[A-Z][A-Z0-9_]{1,63}( |$)/.test(reason) ? reason.slice(0, 300) : undefined;
}

export function refusalView(refusal: Refusal, locale: Locale): ErrorView {
  const t = translator(locale);
  const base = `refusal.${refusal.kind}`;
  return {
    status: refusal.status,
    title: t(`${base}.title`),
    message: t(`${base}.message`),
    hint: t(`${base}.hint`),
    reason: displayReason(refusal.reason),
    action: refusal.action && { href: refusal.action.href, label: t(refusal.action.labelKey), newWindow: refusal.action.newWindow ?? false },
  };
}

export function sendErrorView(req: Request, res: Response, view: ErrorView, code: string): void {
  res.status(view.status);
  res.setHeader('Cache-Control', 'no-store');
  if (view.status === 503) res.setHeader('Retry-After', '30');
  if (wantsJson(req)) {
    res.json({ error: { code, reason: view.reason, title: view.title, message: view.message } });
    return;
  }
  res.render('errors/refusal', { view, pageTitle: view.title }, (err, html) => {
    // The error page itself must never fail into express's default page with a stack.
    if (err) res.type('text/plain').send(`${view.title}\n\n${view.message}`);
    else res.send(html);
  });
}

/** ltijs answers an undecodable path with raw JSON; refuse it here with our page instead. */
export const rejectMalformedPath: RequestHandler = (req, _res, next) => {
  try {
    decodeURIComponent(req.path);
    next();
  } catch {
    next(Object.assign(new Error('malformed URI'), { status: 400 }));
  }
};

export function sendRefusal(req: Request, res: Response, refusal: Refusal): void {
  const locale = (res.locals.locale as Locale | undefined) ?? 'en';
  const view = refusalView(refusal, locale);
  // "Briefly unavailable", from wherever it comes (our routes, ltijs, the login, a stopping tool): offer the retry.
  if (refusal.kind === 'unavailable' && !view.action) {
    const retry = retryAction(req);
    if (retry) view.action = { href: retry.href, label: translator(locale)(retry.labelKey), newWindow: false };
  }
  // A refused launch (the OIDC login, the id_token POST, or the launch that follows it on /launch).
  if (req.path === '/login' || req.path === '/launch') countLaunch('refused', refusal.kind);
  sendErrorView(req, res, view, refusal.kind);
}

export function notFoundHandler(): RequestHandler {
  return (req, _res, next) => next(new Refusal('not_found', `NO_ROUTE ${req.method} ${req.path}`));
}

/**
 * "Try again" on the unavailable page: the same address, for a GET (nothing to send again). Only
 * a path of this site: "//host/…" would be another site.
 */
function retryAction(req: Request): RefusalAction | undefined {
  const url = req.originalUrl;
  return req.method === 'GET' && /^\/(?![/\\])/.test(url) ? { href: url, labelKey: 'refusal.unavailable.retry' } : undefined;
}

/** Maps every error to a translated page with the right status; never leaks a stack trace. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    const locale = (res.locals.locale as Locale | undefined) ?? 'en';
    const t = translator(locale);
    if (err instanceof Refusal) {
      log.info({ kind: err.kind, reason: err.reason, path: req.path }, 'request refused');
      return sendRefusal(req, res, err);
    }
    if (err instanceof DomainError) {
      const view = { status: err.status, title: t('errors.bad_request.title'), message: t(err.messageKey, err.vars) };
      return sendErrorView(req, res, view, 'domain_error');
    }
    const status = typeof (err as { status?: unknown })?.status === 'number' ? (err as { status: number }).status : 500;
    if (status >= 400 && status < 500) {
      // body-parser and friends: malformed JSON, payload too large, bad encoding.
      const view = { status, title: t('errors.bad_request.title'), message: t('errors.bad_request.message') };
      return sendErrorView(req, res, view, 'bad_request');
    }
    const reference = randomUUID().slice(0, 8);
    if (isDatabaseDown(err)) {
      log.error({ err, reference, path: req.path }, 'database unreachable');
      return sendRefusal(req, res, new Refusal('unavailable', 'DATABASE_UNAVAILABLE'));
    }
    log.error({ err, reference, path: req.path }, 'unhandled error');
    const view = { status: 500, title: t('errors.internal.title'), message: t('errors.internal.message'), reason: reference };
    return sendErrorView(req, res, view, 'internal_error');
  };
}
