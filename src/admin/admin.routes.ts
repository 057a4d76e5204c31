import { type ErrorRequestHandler, type RequestHandler, Router } from 'express';
import type { PlatformService } from '../platforms/platform.service';
import { requireAdminToken, type TokenFailureLimit } from './admin-auth.middleware';
import { gradeSyncAdminRouter } from './grade-sync.admin.routes';
import { openApiAdminRouter } from './openapi.admin.routes';
import { platformsAdminRouter } from './platforms.admin.routes';
import { problem, sendProblem } from './problem';
import { registrationLinksAdminRouter } from './registration-links.admin.routes';
import { statusAdminRouter } from './status.admin.routes';

/**
 * The administration API under /admin/api (JSON, `Authorization: Bearer <ADMIN_TOKEN>`), for
 * an LMS administrator's scripts and monitoring; documented in docs/admin-guide.md and by the
 * OpenAPI document at /admin/api/openapi.json (openapi.ts). Each feature contributes its own
 * router (see AdminApiParts); none of it needs a launch.
 */
export const ADMIN_API_BASE = '/admin/api';

export interface AdminApiParts {
  /** Routers mounted under /admin/api after the token check, e.g. `router.get('/grade-sync/failing', ...)`. */
  routers: Router[];
  /** Wrong or missing tokens per address (see requireBearerToken); `now` is the tool's clock. */
  limit?: TokenFailureLimit;
}

/** What the administration API's endpoints need from the running tool. */
export interface AdminApiDeps {
  platforms: PlatformService;
  publicUrl: string;
  now: () => Date;
  dynamicRegistrationEnabled: boolean;
  checkDatabase: () => Promise<boolean>;
}

/** Every endpoint of the API (app.ts mounts them; the OpenAPI test walks the same list). */
export function adminApiParts(deps: AdminApiDeps): AdminApiParts {
  return {
    limit: { now: deps.now },
    routers: [
      platformsAdminRouter(deps.platforms),
      registrationLinksAdminRouter({ publicUrl: deps.publicUrl, now: deps.now, dynamicRegistrationEnabled: deps.dynamicRegistrationEnabled }),
      gradeSyncAdminRouter(),
      statusAdminRouter({ now: deps.now, checkDatabase: deps.checkDatabase }),
      openApiAdminRouter(deps.publicUrl),
    ],
  };
}

/**
 * The router, then an error handler for the API's paths: a body the app's JSON parser refused
 * (malformed, too large) is answered as problem details too, but only after the same token
 * check as everything else (without ADMIN_TOKEN it is still 404; a wrong token still counts).
 * Returned as a list because express passes errors only to four-argument handlers, never into a router.
 */
export function adminApiRouter(adminToken: string | undefined, parts: AdminApiParts): Array<RequestHandler | ErrorRequestHandler> {
  const auth = requireAdminToken(adminToken, parts.limit);
  const router = Router();
  // Bodies: the app's JSON parser (200 kB).
  router.use(ADMIN_API_BASE, auth, ...parts.routers, (req, res) => {
    sendProblem(res, problem(404, 'Not Found', `No ${req.method} ${ADMIN_API_BASE}${req.path} in the administration API; see ${ADMIN_API_BASE}/openapi.json.`));
  });
  const bodyErrors: ErrorRequestHandler = (err: unknown, req, res, next) => {
    const status = (err as { status?: unknown } | null)?.status;
    const underApi = req.path === ADMIN_API_BASE || req.path.startsWith(`${ADMIN_API_BASE}/`);
    if (!underApi || res.headersSent || typeof status !== 'number' || status < 400 || status > 499) return next(err);
    auth(req, res, () => sendProblem(res, bodyProblem(status, (err as { type?: unknown }).type)));
  };
  return [router, bodyErrors];
}

/** body-parser's refusals (its `type`), without its message (which may quote the body). */
function bodyProblem(status: number, type: unknown): Record<string, unknown> {
  if (type === 'entity.too.large') return problem(413, 'Content Too Large', 'The body is larger than 200 kB.');
  if (type === 'entity.parse.failed') return problem(400, 'Bad Request', 'The body is not valid JSON.');
  return problem(status, status === 415 ? 'Unsupported Media Type' : 'Bad Request', 'The body could not be read (send UTF-8 JSON).');
}
