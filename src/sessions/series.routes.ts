import { Request, Response, Router } from 'express';
import { teacherLink, teacherNav } from '../courses/teacher-nav';
import type { Translate } from '../i18n/i18n';
import { getLaunch } from '../lti/launch-context.middleware';
import { asyncHandler } from '../shared/async-handler';
import type { FeatureDeps } from '../shared/feature-deps';
import { asArray, FieldErrors, fieldErrors } from '../shared/forms';
import type { ExpandResult } from './recurrence';
import { defaultValues, postedValues, PreviewInput, toSeriesFormPage } from './session-pages.presenter';
import { SeriesInput, seriesFormSchema } from './sessions.schema';
import { createSeries, loadFormOptions, planSeries } from './sessions.service';

const SERIES_FIELDS = ['startDate', 'endDate', 'everyWeeks', 'startTime', 'durationMinutes', 'description', 'audience', 'statusSetId'] as const;

interface Shown {
  errors: FieldErrors;
  status: number;
  preview?: PreviewInput;
}

async function renderSeries(req: Request, res: Response, deps: FeatureDeps, shown: Shown): Promise<void> {
  const launch = getLaunch(res);
  const options = await loadFormOptions(launch.courseId, launch.activityId ?? '', deps.defaultTimezone);
  const posted = req.method === 'POST';
  const values = posted ? postedValues(req.body, SERIES_FIELDS) : defaultValues(options, deps.now());
  const weekdays = posted ? asArray((req.body as Record<string, unknown>).weekdays) : [];
  const view = toSeriesFormPage({ launch, options, values, errors: shown.errors, t: res.locals.t as Translate, weekdays, preview: shown.preview });
  res.status(shown.status).render('sessions/series', { view, nav: teacherNav(launch, 'sessions'), ltik: launch.ltik });
}

const previewOf = (plan: Extract<ExpandResult, { ok: true }>, input: SeriesInput, changed: boolean): PreviewInput => ({
  occurrences: plan.occurrences,
  durationMinutes: input.durationMinutes,
  requestedTime: input.startTime,
  changed,
});

/**
 * The series form: "Preview dates" re-renders the form with the dates it would create;
 * "Create N sessions" posts the same values with confirm=1 and N as `expected`. If the values
 * changed in between so that N no longer matches, the new preview is shown instead of saving.
 */
export function seriesRoutes(router: Router, deps: FeatureDeps, base: string): void {
  router.get(`${base}/series`, asyncHandler(async (req, res) => {
    await renderSeries(req, res, deps, { errors: {}, status: 200 });
  }));

  router.post(`${base}/series`, asyncHandler(async (req, res) => {
    const launch = getLaunch(res);
    const { courseId } = launch;
    const activityId = launch.activityId ?? '';
    const body = req.body as Record<string, unknown>;
    const parsed = seriesFormSchema.safeParse({ ...body, weekdays: asArray(body.weekdays) });
    if (!parsed.success) return renderSeries(req, res, deps, { errors: fieldErrors(parsed.error), status: 400 });
    const input = parsed.data;
    const { plan } = await planSeries(courseId, activityId, input, deps.defaultTimezone);
    if (!plan.ok) return renderSeries(req, res, deps, { errors: { [plan.error.field]: plan.error.key }, status: 400 });
    const expected = String(plan.occurrences.length);
    const changed = body.confirm === '1' && body.expected !== expected;
    if (body.confirm !== '1' || changed) return renderSeries(req, res, deps, { errors: {}, status: 200, preview: previewOf(plan, input, changed) });
    const created = await createSeries(courseId, activityId, launch.userId, input, deps.defaultTimezone);
    if (!created.ok) {
      const error = created.plan.ok ? { _form: 'form.invalid' } : { [created.plan.error.field]: created.plan.error.key };
      return renderSeries(req, res, deps, { errors: error, status: 400 });
    }
    res.redirect(303, teacherLink(launch, 'sessions', `?view=all&created=${created.count}`));
  }));
}
