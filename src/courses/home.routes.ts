import { Router } from 'express';
import { getLaunch, requireRole } from '../lti/launch-context.middleware';
import { asyncHandler } from '../shared/async-handler';
import { Refusal } from '../shared/errors';
import { withLtik } from '../shared/links';
import type { LaunchContext } from '../lti/launch-context';
import type { FeatureDeps } from '../shared/feature-deps';
import { checkInPath } from '../check-in/check-in.routes';
import { openCheckIns } from '../check-in/check-in.service';
import { studentUpcomingSessions, teacherSessionSummary } from './home-sessions.service';
import { formatSession, toHomeView, toTeacherSessionsView } from './home.presenter';
import { teacherNav } from './teacher-nav';
import { homePath } from './launch.routes';
import { loadActivityHome } from './launch.service';

export function homeRouter(deps: FeatureDeps): Router {
  const router = Router();

  router.get('/activity/:activityId', (_req, res) => {
    const launch = getLaunch(res);
    res.redirect(303, withLtik(homePath(launch), launch.ltik));
  });

  const load = async (launch: LaunchContext) => {
    const data = await loadActivityHome(launch.courseId, launch.activityId ?? '');
    if (!data) throw new Refusal('session_expired', 'ACTIVITY_NOT_RECORDED');
    return data;
  };

  // Teacher guard: app.ts (every /activity/:id/teacher path).
  router.get(
    '/activity/:activityId/teacher',
    asyncHandler(async (_req, res) => {
      const launch = getLaunch(res);
      const data = await load(launch);
      const summary = await teacherSessionSummary(launch.courseId, launch.activityId ?? '', deps.now());
      res.render('home/teacher', {
        view: toHomeView(data, launch, res.locals.t),
        sessions: toTeacherSessionsView(summary, launch, data.activity.timezone),
        nav: teacherNav(launch, 'home'),
      });
    }),
  );

  router.get(
    '/activity/:activityId/student',
    requireRole('student', 'limited'),
    asyncHandler(async (_req, res) => {
      const launch = getLaunch(res);
      const data = await load(launch);
      const activityId = launch.activityId ?? '';
      const [upcoming, open] = await Promise.all([
        studentUpcomingSessions(launch.courseId, activityId, launch.userId, deps.now()),
        launch.role === 'student' ? openCheckIns(launch.courseId, activityId, launch.userId, deps.now()) : Promise.resolve([]),
      ]);
      res.render('home/student', {
        view: toHomeView(data, launch, res.locals.t),
        role: launch.role,
        upcoming: upcoming.map((s) => formatSession(s, data.activity.timezone, launch.locale)),
        openCheckIns: open.map((s) => ({ ...formatSession(s, data.activity.timezone, launch.locale), href: withLtik(checkInPath(activityId, s.id), launch.ltik) })),
      });
    }),
  );
  return router;
}
