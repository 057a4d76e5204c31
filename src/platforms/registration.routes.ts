import { Request, Response, Router } from 'express';
import type { DynamicRegistrationConfig } from '../../config/config';
import type { Translate } from '../i18n/i18n';
import { SlidingWindowLimiter } from '../check-in/rate-limit';
import { asyncHandler } from '../shared/async-handler';
import { Refusal } from '../shared/errors';
import type { FeatureDeps } from '../shared/feature-deps';
import { CANVAS_CONFIG_PATH, canvasConfiguration } from './canvas-config';
import { approveCommand, readRegistrationRequest, RegistrationRefusal, UrlRules } from './dynamic-registration';
import { createDynamicRegistrationService, RegistrationResult } from './dynamic-registration.service';
import type { PlatformService } from './platform.service';

/**
 * Public routes for LMS administrators (mounted before ltijs):
 *   GET /register?openid_configuration=…&registration_token=…   LTI Dynamic Registration 1.0
 *   GET /lti/canvas.json                                          Canvas developer-key configuration
 */

export const REGISTER_PATH = '/register';

export interface RegistrationRouterDeps {
  features: FeatureDeps;
  platforms: PlatformService;
  settings: DynamicRegistrationConfig;
  /** NODE_ENV=production: every LMS URL must be https. */
  production: boolean;
}

const TEN_MINUTES_MS = 10 * 60_000;

/**
 * The LMS shows /register in its own dialog (an iframe), before the LMS is a registered (let
 * alone active) platform, so the global frame-ancestors list does not name it yet. These pages
 * hold no controls that change anything, so the configuration URL's origin may frame them.
 */
function allowLmsFraming(req: Request, res: Response): void {
  const raw = typeof req.query.openid_configuration === 'string' ? req.query.openid_configuration : '';
  if (!URL.canParse(raw)) return;
  const url = new URL(raw);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return;
  const csp = res.getHeader('Content-Security-Policy');
  if (typeof csp !== 'string') return;
  res.setHeader('Content-Security-Policy', csp.replace(/frame-ancestors [^;]*/, `frame-ancestors 'self' ${url.origin}`));
}

function doneView(t: Translate, result: RegistrationResult) {
  const p = result.platform;
  const vars = { lms: p.name };
  return {
    pending: result.pending,
    title: t(result.pending ? 'registration.done.title_pending' : 'registration.done.title_active'),
    message: t(result.pending ? 'registration.done.message_pending' : 'registration.done.message_active', vars),
    details: [
      { label: t('registration.done.issuer'), value: p.issuer },
      { label: t('registration.done.client_id'), value: p.clientId },
      { label: t('registration.done.deployment_id'), value: p.deploymentIds.join(', ') || t('registration.done.deployment_any') },
      { label: t('registration.done.status'), value: t(result.pending ? 'registration.done.status_pending' : 'registration.done.status_active') },
    ],
    approveCommand: approveCommand(p.issuer, p.clientId),
  };
}

function errorView(t: Translate, refusal: RegistrationRefusal) {
  const base = `registration.errors.${refusal.kind}`;
  return {
    status: refusal.status,
    title: t(`${base}.title`),
    message: t(`${base}.message`),
    hint: t(`${base}.hint`),
    detail: refusal.detail,
  };
}

export function registrationRouter(deps: RegistrationRouterDeps): Router {
  const router = Router();
  const { features, settings } = deps;
  const publicUrl = features.publicUrl;
  const rules: UrlRules = { allowHttp: !deps.production, allowedHosts: settings.allowedHosts };
  const service = createDynamicRegistrationService(deps.platforms, { ...rules, publicUrl, autoActivate: settings.autoActivate });
  const attempts = new SlidingWindowLimiter(settings.requestsPer10Minutes, TEN_MINUTES_MS);

  router.get(CANVAS_CONFIG_PATH, (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300');
    res.type('application/json').send(`${JSON.stringify(canvasConfiguration(publicUrl), null, 2)}\n`);
  });

  const refuse = (res: Response, refusal: RegistrationRefusal) => {
    features.log.info({ kind: refusal.kind, detail: refusal.detail }, 'dynamic registration refused');
    res.status(refusal.status).render('registration/error', { view: errorView(res.locals.t as Translate, refusal) });
  };

  router.get(
    REGISTER_PATH,
    asyncHandler(async (req, res) => {
      if (!settings.enabled) throw new Refusal('dynreg_unavailable', 'DYNAMIC_REGISTRATION_DISABLED');
      res.set('Cache-Control', 'no-store');
      allowLmsFraming(req, res);
      const ip = req.ip ?? 'unknown';
      const nowMs = features.now().getTime();
      if (attempts.blocked(ip, nowMs)) {
        const retryAt = attempts.retryAtMs(ip, nowMs) ?? nowMs + TEN_MINUTES_MS;
        res.set('Retry-After', String(Math.max(1, Math.ceil((retryAt - nowMs) / 1000))));
        return refuse(res, new RegistrationRefusal('rate_limited'));
      }
      attempts.hit(ip, nowMs);
      try {
        const { configurationUrl, token } = readRegistrationRequest(req.query, rules);
        const result = await service.register(configurationUrl, token);
        const p = result.platform;
        features.log.info({ issuer: p.issuer, clientId: p.clientId, deploymentIds: p.deploymentIds, status: p.status }, 'LMS registered dynamically');
        res.render('registration/done', { view: doneView(res.locals.t as Translate, result) });
      } catch (err) {
        if (err instanceof RegistrationRefusal) return refuse(res, err);
        throw err;
      }
    }),
  );
  // ltijs would answer other methods with raw JSON.
  router.all(REGISTER_PATH, (req, _res, next) => next(new Refusal('not_found', `NO_ROUTE ${req.method} ${REGISTER_PATH}`)));
  return router;
}

