import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import { Provider } from 'ltijs';
import type { Locale } from '../i18n/i18n';
import { DATABASE_WAIT_MS, DEFAULT_WRITE_CONCERN, WriteConcernSetting } from '../db/database';
import { Refusal } from '../shared/errors';
import { dropLtijsHelmet } from '../shared/security-headers';
import type { Logger } from '../shared/logger';
import type { LtiPlatformStore } from '../platforms/platform.service';
import { LaunchContext, LaunchData, LtijsContext, LtijsToken, toLaunchContext, toLaunchData, withVerifiedClaims } from './launch-context';
import { precheckIdToken } from './launch-precheck';
import { useKeyObjectForLtik } from './ltik-key';
import { useAsyncPlatformKeyGeneration } from './async-keygen';
import { isTokenlessProbe, publicReason, refusalForLtijsError } from './ltijs-errors';
import { consumeLogin, relaunchUrlForState } from './login.middleware';
import { captureVerifiedClaims, storedClaims, verifiedClaimsFor } from './verified-claims';
import { installPlatformKeyCache } from './platform-keys';
import { createLaunchStore } from './ltijs-store';

/**
 * The only module that imports ltijs. It configures the provider, mounts nothing itself
 * (the app mounts `app`), translates ltijs's callbacks into our LaunchData/LaunchContext and
 * its failures into Refusals, and exposes platform registration through LtiPlatformStore.
 */

export const LTI_ROUTES = { login: '/login', launch: '/launch', keys: '/keys', register: '/register' } as const;

export interface LtiAdapterOptions {
  key: string;
  mongoUri: string;
  dbName: string;
  publicUrl: string;
  cookies: { secure: boolean; sameSite: 'None' | 'Lax' | 'Strict' };
  tokenMaxAgeSeconds: number;
  /** ltijs's launch records (nonces, tokens, registrations) are written as durably as ours. */
  writeConcern?: WriteConcernSetting;
  /** How long an ltik (the launch's key in links and forms) stays valid (default 12 h). */
  ltikMaxAgeSeconds?: number;
  /** How long a launch's ltijs documents are answered from memory (default 300 s; 0 = never). */
  launchCacheSeconds?: number;
  defaultLocale: Locale;
  log: Logger;
  onLaunch(req: Request, res: Response, data: LaunchData, launch: LaunchContext): Promise<void>;
  onDeepLinking(req: Request, res: Response, data: LaunchData, launch: LaunchContext): Promise<void>;
  refuse(req: Request, res: Response, refusal: Refusal): void;
}

export interface LtiAdapter {
  /** ltijs's express app: /login, /keys, /launch and session validation for what follows. */
  app: Express;
  platformStore: LtiPlatformStore;
  close(): Promise<void>;
}

export function launchFromLocals(res: Response, defaultLocale: Locale): { data: LaunchData; launch: LaunchContext } | undefined {
  const token = res.locals.token as LtijsToken | undefined;
  const context = res.locals.context as LtijsContext | undefined;
  const ltik = res.locals.ltik as string | undefined;
  if (!token || !context || !ltik) return undefined;
  const data = toLaunchData(token, context);
  return { data, launch: toLaunchContext(data, ltik, defaultLocale) };
}

export async function createLtiAdapter(opts: LtiAdapterOptions): Promise<LtiAdapter> {
  const lti = Provider;
  useKeyObjectForLtik(opts.key, opts.ltikMaxAgeSeconds ?? 12 * 3600);
  useAsyncPlatformKeyGeneration(); // ltijs makes platform keys synchronously (seconds of a blocked loop)
  captureVerifiedClaims(); // preferred_username, which ltijs drops, from the id_token it verified
  installPlatformKeyCache(opts.log); // the LMS's JWKS once per 10 min, not once per launch (platform-keys.ts)
  // ltijs's own database, with point look-ups (and a cache) for its per-launch documents.
  const store = createLaunchStore({
    url: opts.mongoUri,
    connection: { dbName: opts.dbName, serverSelectionTimeoutMS: DATABASE_WAIT_MS, writeConcern: opts.writeConcern ?? DEFAULT_WRITE_CONCERN },
    log: opts.log,
    cacheTtlMs: (opts.launchCacheSeconds ?? 300) * 1000,
  });
  lti.setup(
    opts.key,
    { plugin: store },
    {
      appRoute: LTI_ROUTES.launch,
      loginRoute: LTI_ROUTES.login,
      keysetRoute: LTI_ROUTES.keys,
      dynRegRoute: LTI_ROUTES.register,
      cors: false, // its default reflects any origin with credentials
      cookies: opts.cookies,
      tokenMaxAge: opts.tokenMaxAgeSeconds,
      // ltijs's bundled helmet 6 would set COEP require-corp (breaks embedding), HSTS even over
      // plain http and other values than ours: our own helmet (outside) sets the headers.
      serverAddon: dropLtijsHelmet,
    },
  );

  const forward = (handler: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) =>
    handler(req, res).catch(next);

  const launchHandler = (kind: 'launch' | 'deepLinking') =>
    forward(async (req, res) => {
      const found = launchFromLocals(res, opts.defaultLocale);
      if (!found) throw new Refusal('session_expired', 'NO_LAUNCH_IN_LOCALS');
      const fn = kind === 'launch' ? opts.onLaunch : opts.onDeepLinking;
      const { issuer, clientId, deploymentId, userId } = found.data;
      const claims = storedClaims(res.locals.token) ?? (await verifiedClaimsFor({ issuer, clientId, deploymentId, userId }));
      const data = withVerifiedClaims(found.data, claims);
      await fn(req, res, data, found.launch);
    });
  lti.onConnect((_token, req, res, next) => launchHandler('launch')(req, res, next));
  lti.onDeepLinking((_token, req, res, next) => launchHandler('deepLinking')(req, res, next));

  lti.onInvalidToken(
    forward(async (req, res) => {
      const err = res.locals.err as { details?: { message?: string } } | undefined;
      const message = err?.details?.message;
      const body = (req.body ?? {}) as Record<string, unknown>;
      const kind = refusalForLtijsError(message, typeof body.id_token === 'string');
      // Only codes reach the page; a driver's error text (internal addresses) stays in the log.
      const reason = publicReason(message);
      let action;
      if (kind === 'cookies_blocked') {
        const href = await relaunchUrlForState(body.state, opts.publicUrl);
        if (href) action = { href, labelKey: 'refusal.cookies_blocked.action', newWindow: true };
      }
      if (kind === 'unavailable') opts.log.error({ message, path: req.path }, 'ltijs could not reach its database');
      else if (isTokenlessProbe(req, message)) opts.log.debug({ message, kind, method: req.method, path: req.path, probe: true }, 'launch refused by ltijs validation');
      else opts.log.info({ message, kind, path: req.path }, 'launch refused by ltijs validation');
      opts.refuse(req, res, new Refusal(kind, reason, action));
    }),
  );
  lti.onSessionTimeout((req, res) => opts.refuse(req, res, new Refusal('session_expired', 'SESSION_COOKIE_MISSING')));
  lti.onUnregisteredPlatform((req, res) => opts.refuse(req, res, new Refusal('unregistered_platform', 'UNREGISTERED_PLATFORM')));
  lti.onInactivePlatform((req, res) => opts.refuse(req, res, new Refusal('platform_inactive', 'PLATFORM_NOT_ACTIVATED')));

  // deploy() installs a SIGINT handler that calls process.exit(): main.ts owns shutdown.
  const before = new Set(process.listeners('SIGINT'));
  await lti.deploy({ serverless: true, silent: true });
  for (const listener of process.listeners('SIGINT')) if (!before.has(listener)) process.removeListener('SIGINT', listener);
  keepLtijsConnectionToTheDriver(opts.log);

  const platformStore: LtiPlatformStore = {
    async upsert(p) {
      const platform = await lti.registerPlatform({
        url: p.issuer,
        name: p.name,
        clientId: p.clientId,
        authenticationEndpoint: p.authUrl,
        accesstokenEndpoint: p.tokenUrl,
        authConfig: { method: 'JWK_SET', key: p.jwksUrl },
      });
      await platform.platformActive(p.status === 'active');
    },
    async remove(issuer, clientId) {
      await lti.deletePlatform(issuer, clientId);
    },
  };

  return {
    app: lti.app,
    platformStore,
    close: async () => {
      await lti.close({ silent: true });
    },
  };
}

/**
 * ltijs "handles" database trouble itself: on a connection 'error' it calls mongoose.disconnect()
 * and 1 s after every 'disconnected' it calls mongoose.connect() again. A connect started while
 * another is still pending replaces the client without closing it, so each outage leaked a
 * MongoDB client that kept monitoring for ever (and kept a test process alive). The driver
 * already reconnects on its own and mongoose queues operations meanwhile, so those listeners go;
 * errors are logged instead (an 'error' event without a listener would throw).
 */
function keepLtijsConnectionToTheDriver(log: Logger): void {
  const ltijsMongoose = createRequire(require.resolve('ltijs'))('mongoose') as { connection: EventEmitter; set(key: string, value: unknown): void };
  // Fail as fast as our own connection does while the database is away (see DATABASE_WAIT_MS).
  ltijsMongoose.set('bufferTimeoutMS', DATABASE_WAIT_MS);
  const { connection } = ltijsMongoose;
  connection.removeAllListeners('error');
  connection.removeAllListeners('disconnected');
  connection.on('error', (err: unknown) => log.warn({ err }, 'ltijs database connection error; the driver keeps retrying'));
}

/**
 * Refuses malformed id_tokens before ltijs sees them (see launch-precheck.ts), and binds a
 * well-formed one to the login this tool started for its state (see consumeLogin). Only after
 * both does ltijs check the signature: an id_token without a matching login costs no key fetch.
 */
export function launchPrecheckMiddleware(now: () => Date): RequestHandler {
  return (req, _res, next) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body.id_token === undefined) return next();
    const result = precheckIdToken(body.id_token, Math.floor(now().getTime() / 1000));
    if (!result.ok) return next(new Refusal(result.kind, result.reason));
    consumeLogin(body.state, result.nonce, now()).then(() => next(), next);
  };
}
