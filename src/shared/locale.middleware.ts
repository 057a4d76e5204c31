import type { RequestHandler } from 'express';
import { Locale, negotiateLocale, toLocale, translator } from '../i18n/i18n';

/**
 * Pages outside a launch (landing, refusals) follow `?lang=` or Accept-Language. After a launch,
 * the launch-context middleware overrides this with the LMS's launch locale.
 */
export function localeMiddleware(defaultLocale: Locale): RequestHandler {
  return (req, res, next) => {
    const locale = toLocale(req.query.lang) ?? negotiateLocale(req.headers['accept-language'], defaultLocale);
    setLocale(res.locals, locale);
    next();
  };
}

export function setLocale(locals: Record<string, unknown>, locale: Locale): void {
  locals.locale = locale;
  locals.t = translator(locale);
}
