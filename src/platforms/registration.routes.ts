import { Request, Response, Router } from 'express';
import type { DynamicRegistrationConfig } from '../../config/config';
import type { Translate } from '../i18n/i18n';
import { asyncHandler } from '../shared/async-handler';
import { hit, RateRule } from '../shared/rate-limit.service';
import { Refusal } from '../shared/errors';
import type { FeatureDeps } from '../shared/feature-deps';
import { CANVAS_CONFIG_PATH, canvasConfiguration } from './canvas-config';
import { approveCommand, CliSettings, readRegistrationRequest, RegistrationRefusal, UrlRules } from './dynamic-registration';
import { createDynamicRegistrationService, RegistrationResult } from './dynamic-registration.service';
import type { PlatformService } from './platform.service';
import { LINK_COMMAND, readLinkToken } from './registration-link';
import { createRegistrationLinkService } from './registration-link.service';

/**
 * Public routes for LMS administrators (mounted before ltijs):
 *   GET /register?rt=…&openid_configuration=…&registration_token=…   LTI Dynamic Registration 1.0,
 *       started from a registration link (`rt`, made by `npm run platform -- registration-link`)
 *   GET /lti/canvas.json                                               Canvas developer-key configuration
 */

export const REGISTER_PATH = '/register';

export interface RegistrationRouterDeps {
  features: FeatureDeps;
  platforms: PlatformService;
  settings: DynamicRegistrationConfig;
  /** NODE_ENV=production: every LMS URL must be https. */
  production: boolean;
  /** This server's DATA_DIR and MONGODB_DB, so the printed approve command finds its data. */
  cli?: CliSettings;
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

function doneView(t: Translate, result: RegistrationResult, cli: CliSettings | undefined) {
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
    approveCommand: approveCommand(p.issuer, p.clientId, cli),
  };
}

/** Never `refusal.detail` (the log's): it may hold what the network answered. */
function errorView(t: Translate, refusal: RegistrationRefusal, publicUrl: string) {
  const base = `registration.errors.${refusal.kind}`;
  const aboutLink = refusal.kind === 'link_missing' || refusal.kind === 'link_invalid';
  return {
    status: refusal.status,
    title: t(`${base}.title`),
    message: t(`${base}.message`, { example: `${publicUrl}/register?rt=…` }),
    hint: t(`${base}.hint`),
    shown: refusal.shown,
    command: aboutLink ? LINK_COMMAND : undefined,
    linkSpent: refusal.linkSpent,
  };
}

export function registrationRouter(deps: RegistrationRouterDeps): Router {
  const router = Router();
  const { features, settings } = deps;
  const publicUrl = features.publicUrl;
  const rules: UrlRules = { allowHttp: !deps.production, allowedHosts: settings.allowedHosts };
  const links = createRegistrationLinkService({ publicUrl, now: features.now });
  const service = createDynamicRegistrationService(deps.platforms, links, { ...rules, publicUrl, autoActivate: settings.autoActivate });
  // Shared by every app instance (in the database), like the other per-address limits.
  const attempts: RateRule = { name: 'dynreg', limit: settings.requestsPer10Minutes, windowMs: TEN_MINUTES_MS };

  router.get(CANVAS_CONFIG_PATH, (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300');
    res.type('application/json').send(`${JSON.stringify(canvasConfiguration(publicUrl), null, 2)}\n`);
  });

  const refuse = (req: Request, res: Response, refusal: RegistrationRefusal) => {
    features.log.info({ kind: refusal.kind, detail: refusal.detail, linkSpent: refusal.linkSpent, ip: req.ip }, 'dynamic registration refused');
    res.status(refusal.status).render('registration/error', { view: errorView(res.locals.t as Translate, refusal, publicUrl) });
  };

  router.get(
    REGISTER_PATH,
    asyncHandler(async (req, res) => {
      if (!settings.enabled) throw new Refusal('dynreg_unavailable', 'DYNAMIC_REGISTRATION_DISABLED');
      res.set('Cache-Control', 'no-store');
      allowLmsFraming(req, res);
      const limit = await hit(attempts, req.ip ?? 'unknown', features.now());
      if (limit.blocked) {
        res.set('Retry-After', String(limit.retryAfterSeconds));
        return refuse(req, res, new RegistrationRefusal('rate_limited'));
      }
      try {
        const rt = await service.checkLink(readLinkToken(req.query));
        const { configurationUrl, token } = readRegistrationRequest(req.query, rules);
        const result = await service.register(rt, configurationUrl, token);
        const p = result.platform;
        features.log.info({ issuer: p.issuer, clientId: p.clientId, deploymentIds: p.deploymentIds, status: p.status }, 'LMS registered dynamically');
        res.render('registration/done', { view: doneView(res.locals.t as Translate, result, deps.cli) });
      } catch (err) {
        if (err instanceof RegistrationRefusal) return refuse(req, res, err);
        throw err;
      }
    }),
  );
  // ltijs would answer other methods with raw JSON.
  router.all(REGISTER_PATH, (req, _res, next) => next(new Refusal('not_found', `NO_ROUTE ${req.method} ${REGISTER_PATH}`)));
  return router;
}

