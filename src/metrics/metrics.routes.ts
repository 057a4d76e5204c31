import { Router } from 'express';
import { requireBearerToken, type TokenFailureLimit } from '../admin/admin-auth.middleware';
import './collectors';
import { registry } from './metrics';

/**
 * GET /metrics in Prometheus's text format, for `Authorization: Bearer <METRICS_TOKEN>` only
 * (Prometheus: `authorization: { credentials: … }` in the scrape config). Without METRICS_TOKEN
 * the path does not exist (404): the figures say how busy a university is and which instances run.
 * Wrong or missing tokens are limited per address like the admin API's (requireBearerToken).
 */
export function metricsRouter(metricsToken: string | undefined, limit: TokenFailureLimit = {}): Router {
  const router = Router();
  router.get('/metrics', requireBearerToken(metricsToken, { realm: 'metrics', variable: 'METRICS_TOKEN', what: 'The metrics endpoint' }, limit), async (_req, res, next) => {
    try {
      const body = await registry.metrics();
      res.set('Content-Type', registry.contentType).send(body);
    } catch (err) {
      next(err);
    }
  });
  return router;
}
