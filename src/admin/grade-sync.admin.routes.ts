import { Router } from 'express';
import { z } from 'zod';
import { FAILING_PAGE_MAX, listFailingActivities } from '../grading/grade-sync-admin.service';
import { asyncHandler } from '../shared/async-handler';
import { fieldErrors } from './admin.schema';
import { problem, sendProblem } from './problem';

/**
 * GET /admin/api/grade-sync/failing[?limit=50&after=<activity id>]: every activity whose grades
 * are failing to reach the LMS (still queued and retried; see src/grading/backoff.ts), with the
 * LMS's last message, one page at a time. Mounted by adminApiRouter behind the ADMIN_TOKEN check.
 */

const querySchema = z.object({
  limit: z.coerce.number().int().min(1).max(FAILING_PAGE_MAX).default(50),
  after: z.string().min(1).max(200).optional(),
});

const iso = (d: Date | undefined) => (d ? d.toISOString() : null);

export function gradeSyncAdminRouter(): Router {
  const router = Router();
  router.get('/grade-sync/failing', asyncHandler(async (req, res) => {
    const parsed = querySchema.safeParse(req.query);
    if (!parsed.success) {
      sendProblem(res, problem(400, 'Bad Request', `limit must be 1–${FAILING_PAGE_MAX}; after must be an activity id from a previous page's "next".`, { errors: fieldErrors(parsed.error) }));
      return;
    }
    const page = await listFailingActivities(parsed.data);
    res.json({
      activities: page.items.map((a) => ({
        issuer: a.issuer, clientId: a.clientId, contextId: a.contextId ?? null, courseTitle: a.courseTitle, courseLabel: a.courseLabel,
        activityId: a.activityId, activityTitle: a.activityTitle, failing: a.failing, failingSince: iso(a.failingSince),
        lastError: { reason: a.lastError.reason, status: a.lastError.status ?? null, message: a.lastError.message ?? null, at: iso(a.lastError.at) },
        nextAttemptAt: iso(a.nextAttemptAt),
      })),
      next: page.next ?? null,
    });
  }));
  return router;
}
