import { Router } from 'express';
import { teacherLink, teacherNav, teacherPath } from '../courses/teacher-nav';
import { getLaunch } from '../lti/launch-context.middleware';
import { asyncHandler } from '../shared/async-handler';
import type { FeatureDeps } from '../shared/feature-deps';
import { toRosterView } from './roster.presenter';
import { loadRoster } from './roster.service';
import { syncRoster } from './roster-sync.service';

/** The course roster (teacher only: app.ts guards /activity/:activityId/teacher). */
export function rosterRouter(deps: FeatureDeps): Router {
  const router = Router();

  router.get(
    '/activity/:activityId/teacher/roster',
    asyncHandler(async (req, res) => {
      const launch = getLaunch(res);
      const data = await loadRoster(launch.courseId, launch.activityId ?? '');
      const view = toRosterView(data, { locale: launch.locale, t: res.locals.t, now: deps.now(), refreshed: req.query.refreshed === '1' });
      res.render('roster/index', {
        view,
        nav: teacherNav(launch, 'roster'),
        ltik: launch.ltik,
        refreshAction: teacherPath(launch, 'roster', '/refresh'),
        phonesHref: teacherLink(launch, 'roster', '/phones'),
      });
    }),
  );

  router.post(
    '/activity/:activityId/teacher/roster/refresh',
    asyncHandler(async (_req, res) => {
      const launch = getLaunch(res);
      await syncRoster(launch.courseId, launch.activityId ?? '', deps);
      // The page reads the outcome from the stored sync record; the flag only says "show it".
      res.redirect(303, teacherLink(launch, 'roster', '?refreshed=1'));
    }),
  );

  return router;
}
