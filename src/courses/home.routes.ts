import { Router } from 'express';
import { getLaunch, requireLaunchActivity, requireRole } from '../lti/launch-context.middleware';
import { asyncHandler } from '../shared/async-handler';
import { Refusal } from '../shared/errors';
import { withLtik } from '../shared/links';
import { toHomeView } from './home.presenter';
import { homePath } from './launch.routes';
import { loadActivityHome } from './launch.service';

export function homeRouter(): Router {
  const router = Router();
  router.use('/activity/:activityId', requireLaunchActivity);

  router.get('/activity/:activityId', (_req, res) => {
    const launch = getLaunch(res);
    res.redirect(303, withLtik(homePath(launch), launch.ltik));
  });

  const renderHome = (view: 'home/teacher' | 'home/student') =>
    asyncHandler(async (_req, res) => {
      const launch = getLaunch(res);
      const data = await loadActivityHome(launch.courseId, launch.activityId ?? '');
      if (!data) throw new Refusal('session_expired', 'ACTIVITY_NOT_RECORDED');
      res.render(view, { view: toHomeView(data, launch, res.locals.t), role: launch.role });
    });

  router.get('/activity/:activityId/teacher', requireRole('teacher'), renderHome('home/teacher'));
  router.get('/activity/:activityId/student', requireRole('student', 'limited'), renderHome('home/student'));
  return router;
}
