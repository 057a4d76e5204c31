import { Response, Router } from 'express';
import { loadSelfMarkingDefaults } from '../check-in/activity-defaults.service';
import { defaultsSummary } from '../check-in/self-marking-form';
import type { SelfMarkingDefaults } from '../check-in/settings';
import { teacherLink, teacherNav, teacherPath } from '../courses/teacher-nav';
import { gradingSummary } from '../grading/grading-settings.routes';
import { GradingSettings, loadGradingSettings } from '../grading/grading-settings.service';
import type { Translate } from '../i18n/i18n';
import { getLaunch } from '../lti/launch-context.middleware';
import { asyncHandler } from '../shared/async-handler';
import type { FeatureDeps } from '../shared/feature-deps';
import { FieldErrors, fieldErrors } from '../shared/forms';
import { getActivitySettings, parseLmsLink, updateActivityTimezone, updateLmsLink } from './activity-settings.service';
import { settingsFormSchema } from './sessions.schema';

const SETTINGS = '/activity/:activityId/teacher/settings';

/** Suggestions for the datalist: every zone the runtime knows (the input still accepts aliases). */
const ZONES = (() => {
  const all = Intl.supportedValuesOf('timeZone');
  return all.includes('UTC') ? all : ['UTC', ...all];
})();

interface Current {
  timezone: string;
  lmsActivityUrl: string;
  /** The activity's self check-in defaults (their own page: /settings/check-in); undefined = none. */
  checkIn: SelfMarkingDefaults | undefined;
  /** Grade and report settings (their own page: /settings/grading). */
  grading: GradingSettings;
}

async function currentSettings(courseId: string, activityId: string): Promise<Current> {
  const [settings, checkIn, grading] = await Promise.all([
    getActivitySettings(courseId, activityId), loadSelfMarkingDefaults(courseId, activityId), loadGradingSettings(courseId, activityId),
  ]);
  return { timezone: settings.timezone, lmsActivityUrl: settings.lmsActivityUrl, checkIn, grading };
}

function renderSettings(res: Response, values: { timezone: string; lmsActivityUrl: string }, current: Current, errors: FieldErrors, status: number, saved: boolean): void {
  const launch = getLaunch(res);
  const t = res.locals.t as Translate;
  const view = {
    pageTitle: t('sessions.settings.title'),
    action: teacherPath(launch, 'settings'),
    lmsLinkAction: teacherPath(launch, 'settings', '/lms-link'),
    current: current.timezone,
    currentLmsLink: current.lmsActivityUrl,
    checkIn: { summary: current.checkIn ? defaultsSummary(current.checkIn, t) : undefined, href: teacherLink(launch, 'settings', '/check-in') },
    grading: { summary: gradingSummary(current.grading, t, launch.locale), href: teacherLink(launch, 'settings', '/grading') },
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
    const current = await currentSettings(launch.courseId, launch.activityId ?? '');
    renderSettings(res, { timezone: current.timezone, lmsActivityUrl: current.lmsActivityUrl }, current, {}, 200, req.query.saved === '1');
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
    const current = await currentSettings(launch.courseId, activityId);
    renderSettings(res, { timezone: posted, lmsActivityUrl: current.lmsActivityUrl }, current, { timezone: result.errorKey }, 400, false);
  }));

  router.post(`${SETTINGS}/lms-link`, asyncHandler(async (req, res) => {
    const launch = getLaunch(res);
    const activityId = launch.activityId ?? '';
    const raw = (req.body as Record<string, unknown>).lmsActivityUrl;
    const posted = typeof raw === 'string' ? raw : '';
    const parsed = parseLmsLink(posted);
    if (parsed.ok) {
      await updateLmsLink(launch.courseId, activityId, parsed.url);
      return res.redirect(303, teacherLink(launch, 'settings', '?saved=1'));
    }
    const current = await currentSettings(launch.courseId, activityId);
    renderSettings(res, { timezone: current.timezone, lmsActivityUrl: posted }, current, { lmsActivityUrl: 'sessions.settings.errors.lms_link' }, 400, false);
  }));
}
