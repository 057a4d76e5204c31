import { Router } from 'express';

/** Liveness + database check for load balancers; before the ltijs mount, no auth. */
export function healthRouter(checkDatabase: () => Promise<boolean>): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    const ok = await checkDatabase().catch(() => false);
    res.setHeader('Cache-Control', 'no-store');
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', database: ok ? 'up' : 'down' });
  });
  return router;
}
