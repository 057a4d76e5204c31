import { Router } from 'express';
import { requireAdminToken } from './admin-auth.middleware';

/**
 * The administration API under /admin/api (JSON, `Authorization: Bearer <ADMIN_TOKEN>`), for
 * an LMS administrator's scripts and monitoring; documented in docs/admin-guide.md. Each
 * feature contributes its own router (see AdminApiParts); none of it needs a launch.
 */
export interface AdminApiParts {
  /** Routers mounted under /admin/api after the token check, e.g. `router.get('/grade-sync/failing', ...)`. */
  routers: Router[];
}

export function adminApiRouter(adminToken: string | undefined, parts: AdminApiParts): Router {
  const router = Router();
  // Bodies: the app's JSON parser (200 kB).
  router.use('/admin/api', requireAdminToken(adminToken), ...parts.routers);
  return router;
}
