import { Router, type Response } from 'express';
import { teacherLink, teacherNav, teacherPath } from '../courses/teacher-nav';
import type { Translate } from '../i18n/i18n';
import { getLaunch } from '../lti/launch-context.middleware';
import { asyncHandler } from '../shared/async-handler';
import { unlessConflict } from '../shared/edit-conflict';
import { Refusal } from '../shared/errors';
import type { FeatureDeps } from '../shared/feature-deps';
import { formVersion } from '../shared/version.schema';
import { editorOf } from '../shared/versioned';
import { toRosterView } from './roster.presenter';
import { loadRoster } from './roster.service';
import { syncRoster } from './roster-sync.service';
import { parsePolicyForm } from './teaching-assistants.schema';
import { type TeachingAssistantsFormState, toTeachingAssistantsView } from './teaching-assistants.presenter';
import { loadTeachingAssistantSetting, saveTeachingAssistantPolicy, type TeachingAssistantConflict } from './teaching-assistants.service';

interface RosterPageState {
  refreshed: boolean;
  teachingAssistants: TeachingAssistantsFormState;
}

/** The roster page with its teaching-assistant section (one render for the page and the form coming back). */
async function renderRoster(res: Response, deps: FeatureDeps, state: RosterPageState, status: number): Promise<void> {
  const launch = getLaunch(res);
  const { courseId } = launch;
  const activityId = launch.activityId ?? '';
  const t = res.locals.t as Translate;
  const [data, setting] = await Promise.all([loadRoster(courseId, activityId), loadTeachingAssistantSetting(courseId, activityId)]);
  const view = toRosterView(data, { locale: launch.locale, t, now: deps.now(), refreshed: state.refreshed, teachingAssistants: setting.policy });
  const teachingAssistants = toTeachingAssistantsView(setting, state.teachingAssistants, {
    t,
    canChange: !launch.teachingAssistant,
    theirsHref: teacherLink(launch, 'roster'),
    conflictContext: { t, locale: launch.locale, timezone: data.timezone, viewerId: launch.userId },
  });
  res.status(status).render('roster/index', {
    view,
    teachingAssistants,
    nav: teacherNav(launch, 'roster'),
    ltik: launch.ltik,
    refreshAction: teacherPath(launch, 'roster', '/refresh'),
    teachingAssistantsAction: teacherPath(launch, 'roster', '/teaching-assistants'),
    phonesHref: teacherLink(launch, 'roster', '/phones'),
  });
}

/** The course roster (teacher only: app.ts guards /activity/:activityId/teacher). */
export function rosterRouter(deps: FeatureDeps): Router {
  const router = Router();

  router.get(
    '/activity/:activityId/teacher/roster',
    asyncHandler(async (req, res) => {
      await renderRoster(res, deps, { refreshed: req.query.refreshed === '1', teachingAssistants: { saved: req.query.ta_saved === '1' } }, 200);
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

  router.post(
    '/activity/:activityId/teacher/roster/teaching-assistants',
    asyncHandler(async (req, res) => {
      const launch = getLaunch(res);
      // A teaching assistant with teacher pages must not be able to widen their own powers.
      if (launch.teachingAssistant) throw new Refusal('wrong_role', 'TEACHING_ASSISTANT_CHANGES_TA_SETTING');
      const body = req.body as Record<string, unknown>;
      const policy = parsePolicyForm(body);
      if (!policy) return renderRoster(res, deps, { refreshed: false, teachingAssistants: { invalid: true } }, 400);
      const guard = { expected: formVersion(body), editor: editorOf(launch, deps.now()) };
      const saved = await unlessConflict<void, TeachingAssistantConflict>(() =>
        saveTeachingAssistantPolicy(launch.courseId, launch.activityId ?? '', policy, guard),
      );
      if (!saved.ok) return renderRoster(res, deps, { refreshed: false, teachingAssistants: { posted: policy, conflict: saved.conflict } }, 409);
      res.redirect(303, `${teacherLink(launch, 'roster', '?ta_saved=1')}#teaching-assistants-title`);
    }),
  );

  return router;
}
