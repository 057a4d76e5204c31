import { Router } from 'express';

export interface HealthChecks {
  /** True when the database answers a ping in time. */
  database: () => Promise<boolean>;
  /** The database's schema version (src/migrations), once this instance's migrations are done. */
  schemaVersion: number;
}

/**
 * For load balancers and process managers; before the ltijs mount, no auth, never cached.
 * - `/healthz`, liveness: 200 while this process serves requests, whatever the database does
 *   (restarting the tool would not bring a database back). The body says how the database is.
 * - `/readyz`, readiness: 200 only when the database answers and the migrations are done (the
 *   app is only installed after them: while starting, every path answers 503). A proxy sends
 *   students only to instances that are ready.
 */
export function healthRouter(checks: HealthChecks): Router {
  const router = Router();
  const state = async () => ((await checks.database().catch(() => false)) ? 'up' : 'down');
  router.get('/healthz', async (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.status(200).json({ status: 'ok', database: await state() });
  });
  router.get('/readyz', async (_req, res) => {
    const database = await state();
    res.setHeader('Cache-Control', 'no-store');
    res.status(database === 'up' ? 200 : 503).json({ status: database === 'up' ? 'ready' : 'unavailable', database, schemaVersion: checks.schemaVersion });
  });
  return router;
}
