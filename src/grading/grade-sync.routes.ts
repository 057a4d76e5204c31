import { Response, Router } from 'express';
import { teacherLink, teacherNav, teacherPath } from '../courses/teacher-nav';
import { getLaunch } from '../lti/launch-context.middleware';
import type { LaunchContext } from '../lti/launch-context';
import { asyncHandler } from '../shared/async-handler';
import type { FeatureDeps } from '../shared/feature-deps';
import { loadSyncStatus, resyncEveryone, retryNow } from './grade-sync-panel.service';
import { toSyncView } from './grade-sync.presenter';
import { retrySchema } from './grade-sync.schema';

/**
 * The teacher's Grade sync panel (linked from the overview): counts of waiting / failed /
 * delivered grades, the last error and success, "Retry now" and "Resync everyone".
 * Teacher guard: app.ts (every /activity/:id/teacher path).
 */

const BASE = '/activity/:activityId/teacher/grades';
const rest = (suffix = '') => `/grades${suffix}`;

/** Link to the panel, for other pages (the teacher overview). */
export const gradeSyncLink = (launch: LaunchContext) => teacherLink(launch, 'home', rest());

export function gradeSyncRouter(deps: FeatureDeps): Router {
  const router = Router();

  const render = async (res: Response, query: Record<string, unknown>, status = 200, error?: string) => {
    const launch = getLaunch(res);
    const sync = await loadSyncStatus(launch.courseId, launch.activityId ?? '', deps.now());
    res.status(status).render('grading/sync', {
      view: toSyncView(sync, { t: res.locals.t, locale: launch.locale, query, error }),
      nav: teacherNav(launch, 'home'),
      ltik: launch.ltik,
      actions: { retry: teacherPath(launch, 'home', rest('/retry')), resync: teacherPath(launch, 'home', rest('/resync')) },
      backHref: teacherLink(launch, 'home'),
    });
  };

  router.get(BASE, asyncHandler(async (req, res) => render(res, req.query)));

  router.post(`${BASE}/retry`, asyncHandler(async (req, res) => {
    const parsed = retrySchema.safeParse(req.body);
    if (!parsed.success) return render(res, {}, 400, 'form.invalid');
    const launch = getLaunch(res);
    const count = await retryNow(launch.courseId, launch.activityId ?? '', deps.now(), parsed.data.userId);
    res.redirect(303, `${gradeSyncLink(launch)}&retried=${count}`);
  }));

  router.post(`${BASE}/resync`, asyncHandler(async (_req, res) => {
    const launch = getLaunch(res);
    const count = await resyncEveryone(launch.courseId, launch.activityId ?? '', deps.now());
    res.redirect(303, `${gradeSyncLink(launch)}&resynced=${count}`);
  }));

  return router;
}
