import { Request, Response, Router } from 'express';
import type { Translate } from '../i18n/i18n';
import { getLaunch } from '../lti/launch-context.middleware';
import { teacherLink } from '../courses/teacher-nav';
import { asyncHandler } from '../shared/async-handler';
import { ErrorView, sendErrorView } from '../shared/error-handler.middleware';
import type { FeatureDeps } from '../shared/feature-deps';
import { setLocale } from '../shared/locale.middleware';
import { mintProjectorLink, openProjectorLink, revokeProjectorLinks } from './projector-link.service';
import { projectorSnapshot, toProjectorJson, toProjectorView } from './projector.presenter';
import { qrDataUri } from './projector.service';

/**
 * The projector: a full-screen page for the lecture hall (the QR, the code to type, a countdown,
 * a live counter) and its JSON state for the page's script. The hall's screen must never hold the
 * teacher's ltik, so both are public and reached only through a projector link
 * (/projector/<token>, projector-link.service.ts): read-only, one session, revocable.
 *
 * The teacher's "Projector" click (with the ltik; the app-level guard limits
 * /activity/:id/teacher/* to the launch's activity and to teachers) mints a link and answers 303
 * to it; "Revoke projector link" deletes all of the session's links.
 */

const TEACHER = '/activity/:activityId/teacher/sessions/:sessionId/projector';
const LINK = '/projector/:token';
const LINK_INVALID = 'projector_link_invalid';

export const projectorLinkPath = (token: string) => `/projector/${token}`;

async function openLink(req: Request, res: Response, deps: FeatureDeps) {
  // The codes change every few seconds and a revoked link must stop at once: nothing is cached.
  res.set('Cache-Control', 'no-store').set('X-Robots-Tag', 'noindex');
  const token = String(req.params.token ?? '');
  const now = deps.now();
  const found = await openProjectorLink(token, now, deps.defaultTimezone);
  if (!found) return undefined;
  setLocale(res.locals, found.locale);
  const snap = projectorSnapshot(found.facts, deps.publicUrl, now.getTime());
  const qr = snap.codes?.qrUrl ? await qrDataUri(snap.codes.qrUrl) : undefined;
  return { token, ...found, snap, qr, t: res.locals.t as Translate };
}

/** Unknown, malformed, revoked, expired: one answer for all, so it hints at nothing. */
function linkGone(res: Response): ErrorView {
  const t = res.locals.t as Translate;
  return { status: 404, title: t('projector.gone_title'), message: t('projector.gone_body') };
}

/** Public: mounted before ltijs, as the link is the only credential the hall's screen has. */
export function projectorLinkRouter(deps: FeatureDeps): Router {
  const router = Router();

  router.get(LINK, asyncHandler(async (req, res) => {
    const open = await openLink(req, res, deps);
    if (!open) return sendErrorView(req, res, linkGone(res), LINK_INVALID);
    const { token, facts, locale, snap, qr, t } = open;
    const view = toProjectorView(facts, snap, qr, { t, locale, timezone: facts.timezone }, { statePath: `${projectorLinkPath(token)}/state` });
    res.render('check-in/projector', { view });
  }));

  router.get(`${LINK}/state`, asyncHandler(async (req, res) => {
    const open = await openLink(req, res, deps);
    if (!open) {
      const { status, title, message } = linkGone(res);
      res.status(status).json({ error: { code: LINK_INVALID, title, message } });
      return;
    }
    res.json(toProjectorJson(open.snap, open.qr, open.t));
  }));

  return router;
}

/** Teacher-only (behind the launch): make a link and send the new tab to it; revoke them all. */
export function projectorRouter(deps: FeatureDeps): Router {
  const router = Router();

  router.get(TEACHER, asyncHandler(async (req, res) => {
    const launch = getLaunch(res);
    const sessionId = String(req.params.sessionId ?? '');
    const token = await mintProjectorLink(launch.courseId, launch.activityId ?? '', sessionId, { userId: launch.userId, locale: launch.locale }, deps.now());
    // 303 replaces this ltik-bearing URL in the new tab (address bar and history). The app's
    // policy (same-origin) would still hand it on as the Referer and document.referrer of the
    // projector page; a redirect's own Referrer-Policy applies to the request it leads to, so
    // no-referrer here (besides the links' rel=noreferrer) keeps the ltik out of the new tab.
    res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' }).redirect(303, projectorLinkPath(token));
  }));

  router.post(`${TEACHER}/revoke`, asyncHandler(async (req, res) => {
    const launch = getLaunch(res);
    const sessionId = String(req.params.sessionId ?? '');
    await revokeProjectorLinks(launch.courseId, launch.activityId ?? '', sessionId);
    res.redirect(303, `${teacherLink(launch, 'sessions', `/${encodeURIComponent(sessionId)}/self-marking`)}&revoked=1`);
  }));

  return router;
}
