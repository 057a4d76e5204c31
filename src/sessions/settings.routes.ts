import { Response, Router } from 'express';
import { teacherLink, teacherNav, teacherPath } from '../courses/teacher-nav';
import type { Translate } from '../i18n/i18n';
import { getLaunch } from '../lti/launch-context.middleware';
import { asyncHandler } from '../shared/async-handler';
import type { FeatureDeps } from '../shared/feature-deps';
import { FieldErrors, fieldErrors } from '../shared/forms';
import { getActivitySettings, updateActivityTimezone } from './activity-settings.service';
import { settingsFormSchema } from './sessions.schema';

const SETTINGS = '/activity/:activityId/teacher/settings';

/** Suggestions for the datalist: every zone the runtime knows (the input still accepts aliases). */
const ZONES = (() => {
  const all = Intl.supportedValuesOf('timeZone');
  return all.includes('UTC') ? all : ['UTC', ...all];
})();

function renderSettings(res: Response, values: { timezone: string }, current: string, errors: FieldErrors, status: number, saved: boolean): void {
  const launch = getLaunch(res);
  const view = {
    pageTitle: (res.locals.t as Translate)('sessions.settings.title'),
    action: teacherPath(launch, 'settings'),
    current,
    values,
    errors,
    saved,
    zones: ZONES,
    sessionsHref: teacherLink(launch, 'sessions'),
  };
  res.status(status).render('sessions/settings', { view, nav: teacherNav(launch, 'settings'), ltik: launch.ltik });
}

export function settingsRoutes(router: Router, _deps: FeatureDeps): void {
  router.get(SETTINGS, asyncHandler(async (req, res) => {
    const launch = getLaunch(res);
    const settings = await getActivitySettings(launch.courseId, launch.activityId ?? '');
    renderSettings(res, { timezone: settings.timezone }, settings.timezone, {}, 200, req.query.saved === '1');
  }));

  router.post(SETTINGS, asyncHandler(async (req, res) => {
    const launch = getLaunch(res);
    const activityId = launch.activityId ?? '';
    const posted = typeof (req.body as Record<string, unknown>).timezone === 'string' ? String((req.body as Record<string, unknown>).timezone) : '';
    const parsed = settingsFormSchema.safeParse(req.body);
    const result = parsed.success
      ? await updateActivityTimezone(launch.courseId, activityId, parsed.data.timezone)
      : { ok: false as const, errorKey: fieldErrors(parsed.error).timezone ?? 'form.required' };
    if (result.ok) return res.redirect(303, teacherLink(launch, 'settings', '?saved=1'));
    const { timezone: current } = await getActivitySettings(launch.courseId, activityId);
    renderSettings(res, { timezone: posted }, current, { timezone: result.errorKey }, 400, false);
  }));
}
