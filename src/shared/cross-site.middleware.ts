import type { RequestHandler } from 'express';
import { Refusal } from './errors';

/**
 * Refuses state-changing requests that a browser sent from another site. In production our
 * cookies are SameSite=None (the LMS frames us), so a form on any site could otherwise POST with
 * them; the ltik in the form would then be the only thing stopping it.
 *
 * Browsers tell the sender in `Sec-Fetch-Site` (Chromium, Firefox, Safari 16.4+): only
 * `same-origin` and `none` (typed or bookmarked) pass. Older browsers send only `Origin`, which
 * must then be our own; our pages send no referrer cross-origin, and a form posted from a
 * sandboxed or privacy-stripped context says `Origin: null`, which is refused too. Requests with
 * neither header (curl, server-to-server) are not from a browser and pass: they carry no cookies
 * of a victim.
 *
 * `exempt` paths are where the LTI flow itself posts from the LMS's pages (the OIDC login and the
 * id_token launch POST): they are authenticated by the LMS's signed id_token, bound to our state
 * cookie and to the nonce of the login we started. Their senders are not a fixed origin
 * (Blackboard, for one, posts from the institution's host, not from its issuer).
 */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const ALLOWED_FETCH_SITES = new Set(['same-origin', 'none']);

export function crossSiteGuard(opts: { publicUrl: string; exempt: readonly string[] }): RequestHandler {
  const ownOrigin = new URL(opts.publicUrl).origin;
  const exempt = new Set(opts.exempt);
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method) || exempt.has(req.path)) return next();
    const site = req.get('sec-fetch-site');
    if (site !== undefined) {
      return ALLOWED_FETCH_SITES.has(site.toLowerCase()) ? next() : next(new Refusal('cross_site', `CROSS_SITE_FETCH ${site.slice(0, 20)}`));
    }
    const origin = req.get('origin');
    if (origin === undefined || origin === ownOrigin) return next();
    next(new Refusal('cross_site', 'CROSS_SITE_ORIGIN'));
  };
}
