import { Request, Response, Router } from 'express';
import type { Translate } from '../i18n/i18n';
import { getLaunch, requireRole } from '../lti/launch-context.middleware';
import { formatSession } from '../courses/home.presenter';
import { teacherLink, teacherNav, teacherPath } from '../courses/teacher-nav';
import { asyncHandler } from '../shared/async-handler';
import type { FeatureDeps } from '../shared/feature-deps';
import { withLtik } from '../shared/links';
import { decide, loadCheckIn, submitCheckIn } from './check-in.service';
import { RefusalInfo, REFUSAL_STATUS, refusalMessage, toCheckInView, toDoneView } from './check-in.presenter';
import { formValuesFromBody, formValuesFromSettings, SelfMarkingFormValues, settingsErrors, toSettingsInput } from './self-marking-form';
import { loadSelfMarking, newPassword, saveSelfMarking, storedOneDevice } from './self-marking.service';
import { validateSelfMarkingSettings } from './settings';

/** Teacher: self-marking settings per session. Student: check in with the password (flow 1). */

const SETTINGS = '/activity/:activityId/teacher/sessions/:sessionId/self-marking';
const CHECK_IN = '/activity/:activityId/student/sessions/:sessionId/check-in';

function scope(req: Request, res: Response) {
  const launch = getLaunch(res);
  return { launch, courseId: launch.courseId, activityId: launch.activityId ?? '', sessionId: String(req.params.sessionId ?? ''), t: res.locals.t as Translate };
}

export const checkInPath = (activityId: string, sessionId: string, rest = '') => `/activity/${activityId}/student/sessions/${encodeURIComponent(sessionId)}/check-in${rest}`;

interface SettingsState { values?: SelfMarkingFormValues; errors?: Record<string, string>; badLines?: string[]; flash?: 'saved' | 'generated' }

async function renderSettings(req: Request, res: Response, deps: FeatureDeps, state: SettingsState, status: number): Promise<void> {
  const { launch, courseId, activityId, sessionId } = scope(req, res);
  const data = await loadSelfMarking(courseId, activityId, sessionId, deps.defaultTimezone);
  res.status(status).render('check-in/settings', {
    nav: teacherNav(launch, 'sessions'), ltik: launch.ltik,
    when: formatSession(data.session, data.timezone, launch.locale),
    values: state.values ?? formValuesFromSettings(data.state.settings),
    errors: state.errors ?? {}, badLines: state.badLines ?? [], flash: state.flash,
    action: teacherPath(launch, 'sessions', `/${encodeURIComponent(sessionId)}/self-marking`),
    backHref: teacherLink(launch, 'sessions'),
  });
}

async function renderCheckIn(req: Request, res: Response, deps: FeatureDeps, status: number, refusal?: RefusalInfo, chosen?: string): Promise<void> {
  const { launch, courseId, activityId, sessionId, t } = scope(req, res);
  const now = deps.now();
  const facts = await loadCheckIn(courseId, activityId, sessionId, launch.userId, now, deps.defaultTimezone);
  // Without a code the decision stops at 'wrong_code' when the form is usable; any earlier reason is shown up front.
  const pre = refusal ?? (() => { const d = decide(facts, { now, ip: req.ip }, undefined); return d.ok || d.reason === 'wrong_code' ? undefined : { reason: d.reason }; })();
  const showForm = !pre || ['wrong_code', 'locked_out', 'status_not_allowed', 'ip_not_allowed'].includes(pre.reason);
  res.status(status).render('check-in/form', {
    ltik: launch.ltik, view: toCheckInView(facts, now, launch.locale, chosen), showForm,
    message: pre ? refusalMessage(pre, facts, now, launch.locale, t) : undefined,
    action: checkInPath(activityId, sessionId), homeHref: withLtik(`/activity/${activityId}/student`, launch.ltik),
  });
}

export function checkInRouter(deps: FeatureDeps): Router {
  const router = Router();

  router.get(SETTINGS, asyncHandler(async (req, res) => {
    await renderSettings(req, res, deps, { flash: req.query.saved === '1' ? 'saved' : undefined }, 200);
  }));

  router.post(SETTINGS, asyncHandler(async (req, res) => {
    const { launch, courseId, activityId, sessionId } = scope(req, res);
    const body = req.body as Record<string, unknown>;
    const values = formValuesFromBody(body);
    if (body.action === 'generate') return renderSettings(req, res, deps, { values: { ...values, password: newPassword() }, flash: 'generated' }, 200);
    const checked = validateSelfMarkingSettings(toSettingsInput(values, await storedOneDevice(courseId, activityId, sessionId)));
    if (!checked.ok) return renderSettings(req, res, deps, { values, ...settingsErrors(checked.problems, values.allowedCidrs.split(/\r?\n/)) }, 400);
    await saveSelfMarking(courseId, activityId, sessionId, checked.settings);
    res.redirect(303, `${teacherLink(launch, 'sessions', `/${encodeURIComponent(sessionId)}/self-marking`)}&saved=1`);
  }));

  const student = requireRole('student');
  router.get(CHECK_IN, student, asyncHandler(async (req, res) => renderCheckIn(req, res, deps, 200)));

  router.post(CHECK_IN, student, asyncHandler(async (req, res) => {
    const { launch, courseId, activityId, sessionId } = scope(req, res);
    const body = req.body as Record<string, unknown>;
    const code = typeof body.code === 'string' ? body.code : '';
    const statusId = typeof body.statusId === 'string' ? body.statusId : undefined;
    const outcome = await submitCheckIn(courseId, activityId, sessionId, launch.userId, { code, statusId }, { now: deps.now(), ip: req.ip, fallbackZone: deps.defaultTimezone, log: deps.log });
    if (!outcome.ok) return renderCheckIn(req, res, deps, REFUSAL_STATUS[outcome.reason], outcome, statusId);
    res.redirect(303, withLtik(checkInPath(activityId, sessionId, '/done'), launch.ltik));
  }));

  router.get(`${CHECK_IN}/done`, student, asyncHandler(async (req, res) => {
    const { launch, courseId, activityId, sessionId } = scope(req, res);
    const facts = await loadCheckIn(courseId, activityId, sessionId, launch.userId, deps.now(), deps.defaultTimezone);
    if (!facts.existing) return res.redirect(303, withLtik(checkInPath(activityId, sessionId), launch.ltik));
    res.render('check-in/done', { view: toDoneView(facts, launch.userName ?? '', launch.locale), homeHref: withLtik(`/activity/${activityId}/student`, launch.ltik) });
  }));
  return router;
}
