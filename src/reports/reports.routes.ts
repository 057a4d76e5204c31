import { Router } from 'express';
import { maxPointsOf, type RuleSet } from '../grading/grade-rule';
import { listGroups } from '../groups/group-lookup.service';
import type { Translate } from '../i18n/i18n';
import { getLaunch } from '../lti/launch-context.middleware';
import { asyncHandler } from '../shared/async-handler';
import { Refusal } from '../shared/errors';
import type { FeatureDeps } from '../shared/feature-deps';
import { findStatusSet } from '../status-sets/status-set-lookup.service';
import type { ReportSession } from './report';
import { loadActivityReportSettings, loadReport } from './report-data.service';
import { parseReportQuery } from './report-filters';
import { basePage, formats, toReportPage } from './reports.presenter';

/** The status sets the shown sessions use (usually one), for the per-session rate of the chart. */
async function ruleSets(courseId: string, activityId: string, sessions: ReportSession[]): Promise<Map<string, RuleSet>> {
  const ids = [...new Set(sessions.map((s) => s.statusSetId))];
  const docs = await Promise.all(ids.map((id) => findStatusSet(courseId, activityId, id)));
  const sets = new Map<string, RuleSet>();
  for (const doc of docs) {
    if (!doc) continue;
    const statuses = doc.statuses.map((s) => ({ id: String(s._id), points: s.points, excused: s.excused === true }));
    sets.set(String(doc._id), { statuses, maxPoints: maxPointsOf(statuses), autoStatusId: doc.autoStatusId ?? null });
  }
  return sets;
}

// Teacher guard: app.ts (every /activity/:id/teacher path).
export function reportsRouter(deps: FeatureDeps): Router {
  const router = Router();

  router.get('/activity/:activityId/teacher/report', asyncHandler(async (req, res) => {
    const launch = getLaunch(res);
    const courseId = launch.courseId;
    const activityId = launch.activityId ?? '';
    const t = res.locals.t as Translate;
    const now = deps.now();
    // The zone first: the typed dates are days of the activity's time zone.
    const settings = await loadActivityReportSettings(courseId, activityId);
    const parsed = parseReportQuery(req.query as Record<string, unknown>, settings.timezone, now);
    if (Object.keys(parsed.errors).length > 0) {
      const groups = await listGroups(courseId);
      if (parsed.query.group && !groups.some((g) => g.id === parsed.query.group)) throw new Refusal('not_found', 'GROUP_NOT_IN_COURSE');
      const view = basePage(launch, parsed, groups, settings.title, settings.timezone, settings.threshold, formats(launch.locale, settings.timezone, t));
      return res.status(400).render('reports/report', { view });
    }
    const loaded = await loadReport(courseId, activityId, parsed.filters, now);
    const sets = await ruleSets(courseId, activityId, loaded.report.sessions);
    res.render('reports/report', { view: toReportPage({ launch, loaded, parsed, sets, now, t }) });
  }));
  return router;
}
