import { Router } from 'express';
import { LTI_ROUTES } from '../lti/lti.adapter';
import { Refusal } from '../shared/errors';

export interface LandingView {
  toolName: string;
  urls: Array<{ id: string; labelKey: string; helpKey: string; value: string }>;
  publicUrl: string;
}

export function toLandingView(publicUrl: string): LandingView {
  const u = (path: string) => `${publicUrl}${path}`;
  return {
    toolName: 'LTI Attendance',
    publicUrl,
    urls: [
      { id: 'tool-url', labelKey: 'landing.urls.tool', helpKey: 'landing.urls.tool_help', value: u(LTI_ROUTES.launch) },
      { id: 'login-url', labelKey: 'landing.urls.login', helpKey: 'landing.urls.login_help', value: u(LTI_ROUTES.login) },
      { id: 'redirect-url', labelKey: 'landing.urls.redirect', helpKey: 'landing.urls.redirect_help', value: u(LTI_ROUTES.launch) },
      { id: 'jwks-url', labelKey: 'landing.urls.jwks', helpKey: 'landing.urls.jwks_help', value: u(LTI_ROUTES.keys) },
    ],
  };
}

export function landingRouter(publicUrl: string): Router {
  const router = Router();
  const view = toLandingView(publicUrl);
  router.get('/', (_req, res) => res.render('landing/index', { view, pageTitle: res.locals.t('landing.title') }));
  // ltijs would answer raw JSON here; dynamic registration arrives with the grading issue.
  router.all(LTI_ROUTES.register, (_req, _res, next) => next(new Refusal('dynreg_unavailable', 'DYNAMIC_REGISTRATION_DISABLED')));
  return router;
}
