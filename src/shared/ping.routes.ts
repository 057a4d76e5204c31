import { Router } from 'express';
import { getLaunch } from '../lti/launch-context.middleware';

/**
 * The cheapest authenticated request: ltijs's session check and our launch context, nothing
 * else. The check-in benchmark uses it as the baseline of what any authenticated route costs,
 * and a script can use it to learn whether its launch is still valid.
 */
export function pingRouter(): Router {
  const router = Router();
  router.get('/activity/:activityId/ping', (_req, res) => {
    const launch = getLaunch(res);
    res.set('Cache-Control', 'no-store').json({ ok: true, role: launch.role });
  });
  return router;
}
