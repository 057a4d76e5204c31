import { Request, Response, Router } from 'express';
import type { Translate } from '../i18n/i18n';
import { getLaunch } from '../lti/launch-context.middleware';
import { teacherLink, teacherPath } from '../courses/teacher-nav';
import { asyncHandler } from '../shared/async-handler';
import type { FeatureDeps } from '../shared/feature-deps';
import { projectorSnapshot, toProjectorJson, toProjectorView } from './projector.presenter';
import { loadProjector, qrDataUri } from './projector.service';

/**
 * Teacher's projector view: a full-screen page for the lecture hall with the QR, the code to
 * type, a countdown and a live counter, and its JSON state for the page's script. The app-level
 * guard already limits /activity/:id/teacher/* to the launch's activity and to teachers.
 */

const PROJECTOR = '/activity/:activityId/teacher/sessions/:sessionId/projector';

async function snapshotFor(req: Request, res: Response, deps: FeatureDeps) {
  const launch = getLaunch(res);
  const sessionId = String(req.params.sessionId ?? '');
  const facts = await loadProjector(launch.courseId, launch.activityId ?? '', sessionId, deps.defaultTimezone);
  const snap = projectorSnapshot(facts, deps.publicUrl, deps.now().getTime());
  const qr = snap.codes?.qrUrl ? await qrDataUri(snap.codes.qrUrl) : undefined;
  return { launch, sessionId, facts, snap, qr, t: res.locals.t as Translate };
}

export function projectorRouter(deps: FeatureDeps): Router {
  const router = Router();

  router.get(PROJECTOR, asyncHandler(async (req, res) => {
    const { launch, sessionId, facts, snap, qr, t } = await snapshotFor(req, res, deps);
    const id = encodeURIComponent(sessionId);
    const view = toProjectorView(facts, snap, qr, { t, locale: launch.locale, timezone: facts.timezone }, {
      settingsHref: teacherLink(launch, 'sessions', `/${id}/self-marking`),
      statePath: teacherPath(launch, 'sessions', `/${id}/projector/state`),
    });
    // The codes change every few seconds: a cached copy would show a dead code.
    res.set('Cache-Control', 'no-store').render('check-in/projector', { view, ltik: launch.ltik });
  }));

  router.get(`${PROJECTOR}/state`, asyncHandler(async (req, res) => {
    const { snap, qr, t } = await snapshotFor(req, res, deps);
    res.set('Cache-Control', 'no-store').json(toProjectorJson(snap, qr, t));
  }));

  return router;
}
