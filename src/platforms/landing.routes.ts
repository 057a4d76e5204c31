import { Router } from 'express';
import { LTI_ROUTES } from '../lti/lti.adapter';
import { CANVAS_CONFIG_PATH } from './canvas-config';
import { LINK_COMMAND } from './registration-link';

export interface LandingUrl {
  id: string;
  labelKey: string;
  helpKey: string;
  helpVars?: Record<string, string>;
  value: string;
}

export interface LandingView {
  toolName: string;
  /** What a manually configured LTI 1.3 tool needs. */
  urls: LandingUrl[];
  /**
   * Registration without typing: LTI Dynamic Registration (the command that makes a registration
   * link; a bare /register does nothing without one) and Canvas's JSON configuration.
   */
  autoUrls: LandingUrl[];
  publicUrl: string;
}

export interface LandingOptions {
  /** DYNREG_ENABLED: the /register URL is only offered when it works. */
  dynamicRegistration: boolean;
}

export function toLandingView(publicUrl: string, opts: LandingOptions = { dynamicRegistration: true }): LandingView {
  const u = (path: string) => `${publicUrl}${path}`;
  const autoUrls: LandingUrl[] = [];
  if (opts.dynamicRegistration) {
    autoUrls.push({
      id: 'dynreg-command', labelKey: 'landing.urls.dynreg', helpKey: 'landing.urls.dynreg_help',
      helpVars: { example: `${u(LTI_ROUTES.register)}?rt=…` }, value: LINK_COMMAND,
    });
  }
  autoUrls.push({ id: 'canvas-url', labelKey: 'landing.urls.canvas', helpKey: 'landing.urls.canvas_help', value: u(CANVAS_CONFIG_PATH) });
  return {
    toolName: 'LTI Attendance',
    publicUrl,
    urls: [
      { id: 'tool-url', labelKey: 'landing.urls.tool', helpKey: 'landing.urls.tool_help', value: u(LTI_ROUTES.launch) },
      { id: 'login-url', labelKey: 'landing.urls.login', helpKey: 'landing.urls.login_help', value: u(LTI_ROUTES.login) },
      { id: 'redirect-url', labelKey: 'landing.urls.redirect', helpKey: 'landing.urls.redirect_help', value: u(LTI_ROUTES.launch) },
      { id: 'jwks-url', labelKey: 'landing.urls.jwks', helpKey: 'landing.urls.jwks_help', value: u(LTI_ROUTES.keys) },
    ],
    autoUrls,
  };
}

/** `/register` itself is answered by registration.routes.ts (mounted before this router). */
export function landingRouter(publicUrl: string, opts?: LandingOptions): Router {
  const router = Router();
  const view = toLandingView(publicUrl, opts);
  router.get('/', (_req, res) => res.render('landing/index', { view, pageTitle: res.locals.t('landing.title') }));
  return router;
}
