import express, { Express } from 'express';
import helmet from 'helmet';
import { join, resolve } from 'node:path';
import type { Config } from '../config/config';
import { adminApiParts, adminApiRouter } from './admin/admin.routes';
import { attendanceRouter } from './attendance/attendance.routes';
import { checkInRouter } from './check-in/check-in.routes';
import { pairingRouter } from './check-in/pairing.routes';
import { projectorLinkRouter, projectorRouter } from './check-in/projector.routes';
import { qrCheckInRouter } from './check-in/qr-check-in.routes';
import { pingRouter } from './shared/ping.routes';
import { calendarFeedRouter } from './reports/calendar-feed.routes';
import { exportRouter } from './reports/export.routes';
import { reportsRouter } from './reports/reports.routes';
import { studentViewRouter } from './reports/student-view.routes';
import { gradeSyncRouter } from './grading/grade-sync.routes';
import { gradingSettingsRouter } from './grading/grading-settings.routes';
import { deepLinkingRouter } from './courses/deep-linking.routes';
import { registrationRouter } from './platforms/registration.routes';
import { homeRouter } from './courses/home.routes';
import { groupsRouter } from './groups/groups.routes';
import { rosterRouter } from './roster/roster.routes';
import { sessionsRouter } from './sessions/sessions.routes';
import { statusSetsRouter } from './status-sets/status-sets.routes';
import type { FeatureDeps } from './shared/feature-deps';
import { launchContextMiddleware, requireLaunchActivity, requireRole } from './lti/launch-context.middleware';
import { launchPrecheckMiddleware, LtiAdapter, LTI_ROUTES } from './lti/lti.adapter';
import { loginMiddleware } from './lti/login.middleware';
import { landingRouter } from './platforms/landing.routes';
import type { PlatformRegistry } from './platforms/platform-registry';
import type { PlatformService } from './platforms/platform.service';
import { crossSiteGuard } from './shared/cross-site.middleware';
import { Refusal } from './shared/errors';
import { httpMetricsMiddleware } from './metrics/metrics';
import { metricsRouter } from './metrics/metrics.routes';
import { requestIdMiddleware } from './shared/request-id';
import { staticFileHeaders } from './shared/static-files';
import { errorHandler, notFoundHandler, rejectMalformedPath } from './shared/error-handler.middleware';
import { healthRouter } from './shared/health.routes';
import { localeMiddleware } from './shared/locale.middleware';
import type { Logger } from './shared/logger';
import { projectRoot } from './shared/project-root';

export interface AppDeps {
  config: Config;
  publicUrl: string;
  log: Logger;
  lti: LtiAdapter;
  registry: PlatformRegistry;
  /** LMS registrations (dynamic registration stores new LMSs through it). */
  platforms: PlatformService;
  checkDatabase: () => Promise<boolean>;
  /** The database's schema version after this instance's migrations (for /readyz). */
  schemaVersion?: number;
  /** The real clock, for LTI protocol checks (see ToolOptions.now). */
  now: () => Date;
  features: FeatureDeps;
  /** True once the tool is stopping: new requests get the "briefly unavailable" page. */
  draining?: () => boolean;
}

/** Builds the express app: public routes, then ltijs, then everything that needs a launch. */
export function buildApp(deps: AppDeps): Express {
  const { config, publicUrl, log, lti, registry, now } = deps;
  const root = projectRoot();
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('views', join(root, 'views'));
  app.set('view engine', 'ejs');
  // Compiled templates are kept (express does so only when NODE_ENV=production); `npm run dev`
  // recompiles on every render so template edits show at once.
  app.set('view cache', config.env !== 'development');
  app.locals.publicUrl = publicUrl;
  // First: every log line of the request carries its id (X-Request-Id).
  app.use(requestIdMiddleware());
  app.use(httpMetricsMiddleware());

  const https = publicUrl.startsWith('https://');
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          'default-src': ["'self'"],
          'script-src': ["'self'"],
          'style-src': ["'self'"],
          'img-src': ["'self'", 'data:'],
          'form-action': ["'self'"],
          // Only the registered LMSs (and ourselves) may frame the tool.
          'frame-ancestors': ["'self'", () => registry.frameAncestors().join(' ')],
          'upgrade-insecure-requests': https ? [] : null,
        },
      },
      frameguard: false, // X-Frame-Options cannot list several LMS origins; CSP does it
      // Links and forms carry the ltik: no other site may see our URLs in a Referer. Same-origin
      // requests keep theirs, so that browsers without Sec-Fetch-Site still send our own Origin
      // on our forms (no-referrer would make it "null", which crossSiteGuard refuses).
      referrerPolicy: { policy: 'same-origin' },
      crossOriginEmbedderPolicy: false,
      strictTransportSecurity: https,
    }),
  );
  // Before the body parsers: their errors must render in the visitor's language too.
  app.use(localeMiddleware(config.defaultLocale));
  app.use((_req, res, next) => {
    if (!deps.draining?.()) return next();
    res.set('Connection', 'close');
    next(new Refusal('unavailable', 'SHUTTING_DOWN'));
  });
  app.use(rejectMalformedPath);
  app.use(crossSiteGuard({ publicUrl, exempt: [LTI_ROUTES.login, LTI_ROUTES.launch] }));
  // Group CSV imports may hold 1 MB of text, which URL encoding can triple.
  app.use(/^\/activity\/[^/]+\/teacher\/groups\/[^/]+\/import$/, express.urlencoded({ extended: false, limit: '4mb' }));
  // A take-attendance form for a large lecture: three fields per student plus remarks.
  app.use(/^\/activity\/[^/]+\/teacher\/sessions\/[^/]+\/take$/, express.urlencoded({ extended: false, limit: '2mb', parameterLimit: 10000 }));
  // parameterLimit: "select all" in a 1500-student lecture sends 1500 checkbox values.
  app.use(express.urlencoded({ extended: false, limit: '200kb', parameterLimit: 10000 }));
  app.use(express.json({ limit: '200kb' }));
  // Images may be shown on the LMS's pages (our icon): see staticFileHeaders.
  app.use('/static', express.static(join(root, 'public'), { maxAge: '1h', index: false, setHeaders: staticFileHeaders(join(root, 'public')) }));
  app.get('/favicon.ico', (_req, res) => res.redirect(301, '/static/img/favicon.svg'));

  app.use(healthRouter({ database: deps.checkDatabase, schemaVersion: deps.schemaVersion ?? 0 }));
  app.use(metricsRouter(config.metricsToken));
  // The administration API (ADMIN_TOKEN): public paths, its own credential, no launch.
  app.use(adminApiRouter(config.adminToken, adminApiParts({
    platforms: deps.platforms, publicUrl, now: deps.features.now, dynamicRegistrationEnabled: config.dynamicRegistration.enabled, checkDatabase: deps.checkDatabase,
  })));
  // LTI Dynamic Registration and the Canvas configuration: public, before ltijs (which answers /register itself).
  app.use(registrationRouter({
    features: deps.features, platforms: deps.platforms, settings: config.dynamicRegistration, production: config.env === 'production',
    // The approve command it prints must open this server's data, wherever the admin runs it.
    cli: { dataDir: resolve(config.dataDir), dbName: config.dbName },
  }));
  app.use(landingRouter(publicUrl, { dynamicRegistration: config.dynamicRegistration.enabled }));
  app.use(LTI_ROUTES.login, loginMiddleware({
    publicUrl, now, knowsLogin: (iss, clientId, refresh) => registry.knowsLogin(iss, clientId, refresh), unregisteredPer10Minutes: config.loginUnregisteredPer10Minutes,
    onLtijsFailure: (body) => log.error({ body }, 'ltijs could not start a login'),
  }));
  app.post(LTI_ROUTES.launch, launchPrecheckMiddleware(now));
  // Calendar apps fetch the student's feed with its secret token, without any launch.
  app.use(calendarFeedRouter(deps.features));
  // A phone that scanned the projector's QR arrives here top-level, without any launch.
  app.use(qrCheckInRouter(deps.features, { limits: config.checkInLimits, heldScanMinutes: config.checkInHeldScanMinutes, cookieSecure: config.cookieSecure }));
  // The lecture hall's projector opens with its read-only link alone, never the teacher's ltik.
  app.use(projectorLinkRouter(deps.features));

  // ltijs: /login, /keys, the /launch id_token POST; then its session check guards the rest.
  app.use(lti.app);
  app.use(launchContextMiddleware(registry, config.defaultLocale));
  // Every page from here on is one person's: no shared cache or back-forward copy may keep it.
  app.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  // Every activity page belongs to the launch's activity; every teacher page needs a teacher.
  app.use('/activity/:activityId', requireLaunchActivity);
  app.use('/activity/:activityId/teacher', requireRole('teacher'));
  app.use(homeRouter(deps.features));
  app.use(statusSetsRouter(deps.features));
  app.use(sessionsRouter(deps.features));
  app.use(rosterRouter(deps.features));
  app.use(groupsRouter(deps.features));
  app.use(attendanceRouter(deps.features));
  app.use(checkInRouter(deps.features));
  app.use(projectorRouter(deps.features));
  app.use(pairingRouter(deps.features));
  app.use(reportsRouter(deps.features));
  app.use(exportRouter(deps.features));
  app.use(studentViewRouter(deps.features));
  app.use(gradeSyncRouter(deps.features));
  app.use(gradingSettingsRouter(deps.features));
  app.use(deepLinkingRouter(deps.features));
  app.use(pingRouter());

  app.use(notFoundHandler());
  app.use(errorHandler(log));
  return app;
}
