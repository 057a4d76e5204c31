import { Response, Router } from 'express';
import { teacherLink, teacherNav, teacherPath } from '../courses/teacher-nav';
import type { Locale, Translate } from '../i18n/i18n';
import { getLaunch } from '../lti/launch-context.middleware';
import { asyncHandler } from '../shared/async-handler';
import type { FeatureDeps } from '../shared/feature-deps';
import { FieldErrors, fieldErrors } from '../shared/forms';
import { gradingFormSchema, rawGradingForm, RawGradingForm } from './grading-settings.schema';
import { GradingSettings, loadGradingSettings, loadRuleStatusHints, NamedStatus, RuleStatusHints, saveGradingSettings } from './grading-settings.service';

/**
 * Teacher page "Grades and reports" of an activity (under the teacher guard of app.ts, so
 * students get 403): grade type and maximum, report threshold, and the grade rule's options.
 */
const PATH = '/activity/:activityId/teacher/settings/grading';

const formatNumber = (n: number, locale: Locale) => new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(n);

function valuesOf(s: GradingSettings): RawGradingForm {
  return {
    type: s.type, maxGrade: String(s.maxGrade), reportThreshold: String(s.reportThreshold),
    countUnmarkedAsAuto: s.countUnmarkedAsAuto, excludeExcused: s.excludeExcused,
  };
}

/** "A Absent", or with several sets "A Absent (set "Lectures"); N Missed (set "Labs")". */
function statusList(items: NamedStatus[], setCount: number, t: Translate): string {
  return items.map((i) => (setCount > 1 ? t('grading.settings.set_item', { status: i.status, set: i.set }) : i.status)).join('; ');
}

function hintsView(hints: RuleStatusHints, t: Translate) {
  return {
    countUnmarked: hints.automatic.length > 0
      ? t('grading.settings.count_unmarked_hint', { statuses: statusList(hints.automatic, hints.setCount, t) })
      : t('grading.settings.count_unmarked_none'),
    excludeExcused: hints.excused.length > 0
      ? t('grading.settings.exclude_excused_hint', { statuses: statusList(hints.excused, hints.setCount, t) })
      : t('grading.settings.exclude_excused_none'),
  };
}

/** The "Grades and reports" summary on the activity's Settings page. */
export function gradingSummary(s: GradingSettings, t: Translate, locale: Locale): Array<{ label: string; value: string }> {
  const yesNo = (b: boolean) => t(b ? 'common.yes' : 'common.no');
  return [
    { label: t('grading.summary.grade'), value: s.type === 'points' ? t('grading.summary.grade_points', { max: formatNumber(s.maxGrade, locale) }) : t('grading.summary.grade_none') },
    { label: t('grading.summary.threshold'), value: t('grading.summary.threshold_value', { percent: formatNumber(s.reportThreshold, locale) }) },
    { label: t('grading.summary.count_unmarked'), value: yesNo(s.countUnmarkedAsAuto) },
    { label: t('grading.summary.exclude_excused'), value: yesNo(s.excludeExcused) },
  ];
}

async function renderForm(res: Response, state: { values?: RawGradingForm; errors?: FieldErrors; saved?: boolean }, status: number): Promise<void> {
  const launch = getLaunch(res);
  const t = res.locals.t as Translate;
  const activityId = launch.activityId ?? '';
  // A refused form shows what was typed, not what is stored.
  const [values, hints] = await Promise.all([
    state.values ?? loadGradingSettings(launch.courseId, activityId).then(valuesOf),
    loadRuleStatusHints(launch.courseId, activityId),
  ]);
  const view = {
    pageTitle: t('grading.settings.title'),
    action: teacherPath(launch, 'settings', '/grading'),
    backHref: teacherLink(launch, 'settings'),
    statusSetsHref: teacherLink(launch, 'statusSets'),
    values,
    errors: state.errors ?? {},
    saved: state.saved ?? false,
    hints: hintsView(hints, t),
  };
  res.status(status).render('grading/settings', { view, nav: teacherNav(launch, 'settings'), ltik: launch.ltik });
}

export function gradingSettingsRouter(deps: FeatureDeps): Router {
  const router = Router();

  router.get(PATH, asyncHandler(async (req, res) => {
    await renderForm(res, { saved: req.query.saved === '1' }, 200);
  }));

  router.post(PATH, asyncHandler(async (req, res) => {
    const launch = getLaunch(res);
    const values = rawGradingForm(req.body as Record<string, unknown>);
    const parsed = gradingFormSchema.safeParse(values);
    if (!parsed.success) return renderForm(res, { values, errors: fieldErrors(parsed.error) }, 400);
    await saveGradingSettings(launch.courseId, launch.activityId ?? '', parsed.data, { log: deps.log });
    res.redirect(303, `${teacherLink(launch, 'settings', '/grading')}&saved=1`);
  }));

  return router;
}
