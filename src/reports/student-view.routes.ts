import { Router } from 'express';
import { z } from 'zod';
import { getLaunch, requireRole } from '../lti/launch-context.middleware';
import { asyncHandler } from '../shared/async-handler';
import { DomainError } from '../shared/errors';
import type { FeatureDeps } from '../shared/feature-deps';
import { withLtik } from '../shared/links';
import { issueCalendarFeed, revokeCalendarFeed } from './calendar-feed.service';

/**
 * The student's own actions beside their home page (/activity/:id/student, in
 * src/courses/home.routes.ts): their private calendar feed link.
 *   POST /activity/:activityId/student/calendar  action=create|renew|revoke
 * app.ts has checked that :activityId is the launch's; the filters carry the student's own id.
 */

const calendarAction = z.object({ action: z.enum(['create', 'renew', 'revoke']) });
const FLASH = { create: 'created', renew: 'renewed', revoke: 'revoked' } as const;

export function studentViewRouter(deps: FeatureDeps): Router {
  const router = Router();

  router.post('/activity/:activityId/student/calendar', requireRole('student'), asyncHandler(async (req, res) => {
    const launch = getLaunch(res);
    const activityId = launch.activityId ?? '';
    const parsed = calendarAction.safeParse(req.body);
    if (!parsed.success) throw new DomainError('student_view.calendar.bad_action', 400);
    const { action } = parsed.data;
    if (action === 'revoke') await revokeCalendarFeed(launch.courseId, activityId, launch.userId);
    else await issueCalendarFeed(launch.courseId, activityId, launch.userId, action, launch.locale, deps.signingKey, deps.now());
    res.redirect(303, `${withLtik(`/activity/${activityId}/student`, launch.ltik)}&calendar=${FLASH[action]}#calendar`);
  }));

  return router;
}
