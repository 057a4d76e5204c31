import { Router } from 'express';
import { asyncHandler } from '../shared/async-handler';
import { type AdminStatus, readAdminStatus } from './status.service';

/**
 * GET /admin/api/status: the database, its schema version, the workers' leases (which instance
 * works on what), the grade delivery queue and automatic marking's backlog. Always 200 while the
 * tool answers: when the database is down the body says so (`database: "down"`) and holds nothing
 * else; /readyz is the check for load balancers.
 */
const iso = (d: Date | undefined) => (d ? d.toISOString() : null);

function toJson(s: AdminStatus): Record<string, unknown> {
  return {
    checkedAt: s.checkedAt.toISOString(),
    answeredBy: s.answeredBy,
    database: s.database,
    schema: s.schema ? { ...s.schema, upToDate: s.schema.stored >= s.schema.code } : null,
    workers: s.workers ? { leases: s.workers.leases.map((l) => ({ ...l, until: l.until.toISOString() })), lapsed: s.workers.lapsed } : null,
    gradeSync: s.gradeSync ? { ...s.gradeSync, oldestWaitingSince: iso(s.gradeSync.oldestWaitingSince) } : null,
    autoMark: s.autoMark ? { ...s.autoMark, oldestEndedAt: iso(s.autoMark.oldestEndedAt) } : null,
  };
}

export function statusAdminRouter(deps: { now: () => Date; checkDatabase: () => Promise<boolean> }): Router {
  const router = Router();
  router.get(
    '/status',
    asyncHandler(async (_req, res) => {
      res.json(toJson(await readAdminStatus(deps)));
    }),
  );
  return router;
}
