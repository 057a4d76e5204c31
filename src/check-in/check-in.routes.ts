import { Request, Response, Router } from 'express';
import type { Translate } from '../i18n/i18n';
import { getLaunch, requireRole } from '../lti/launch-context.middleware';
import { formatSession } from '../courses/home.presenter';
import { teacherLink, teacherNav, teacherPath } from '../courses/teacher-nav';
import { activityTimezone } from '../sessions/sessions.service';
import { asyncHandler } from '../shared/async-handler';
import { unlessConflict } from '../shared/edit-conflict';
import type { FeatureDeps } from '../shared/feature-deps';
import { withLtik } from '../shared/links';
import { formVersion } from '../shared/version.schema';
import { editorOf } from '../shared/versioned';
import { decide, loadCheckIn, submitCheckIn } from './check-in.service';
import { readDeviceId } from './phone-cookies';
import { RefusalInfo, REFUSAL_STATUS, refusalMessage, toCheckInView, toDoneView } from './check-in.presenter';
import { DefaultsConflict, loadDefaultsForEdit, saveSelfMarkingDefaults } from './activity-defaults.service';
import {
  checked, checkInModeChoices, formValuesFromBody, formValuesFromSettings, SELF_MARKING_FORM_ID, selfMarkingConflictView, SelfMarkingFormValues,
  settingsErrors, validateDefaultsForm, validateSessionForm,
} from './self-marking-form';
import { loadSelfMarking, newPassword, saveSelfMarking, SelfMarkingConflict } from './self-marking.service';
import { teacherProjectorLinks } from './projector.presenter';
import { DEFAULT_SELF_MARKING } from './settings';

/**
 * Teacher: self-marking settings per session, and the activity's defaults for new sessions (the
 * same form without the password). Student: check in with the password (flow 1).
 */

const SETTINGS = '/activity/:activityId/teacher/sessions/:sessionId/self-marking';
const DEFAULTS = '/activity/:activityId/teacher/settings/check-in';
const CHECK_IN = '/activity/:activityId/student/sessions/:sessionId/check-in';

function scope(req: Request, res: Response) {
  const launch = getLaunch(res);
  return { launch, courseId: launch.courseId, activityId: launch.activityId ?? '', sessionId: String(req.params.sessionId ?? ''), t: res.locals.t as Translate };
}

export const checkInPath = (activityId: string, sessionId: string, rest = '') => `/activity/${activityId}/student/sessions/${encodeURIComponent(sessionId)}/check-in${rest}`;

interface SettingsState {
  values?: SelfMarkingFormValues;
  errors?: Record<string, string>;
  badLines?: string[];
  flash?: 'saved' | 'generated' | 'revoked';
  /** Defaults page: how many upcoming sessions the last save updated, and the option as posted. */
  applied?: number;
  applyToUpcoming?: boolean;
  /** The version a re-shown form was rendered from (default: the stored one). */
  version?: number;
  /** A stale save: `values` are the teacher's, shown beside the stored settings ("keep mine" saves them). */
  conflict?: SelfMarkingConflict | DefaultsConflict;
}

/** Locals of views/check-in/settings.ejs that both of its uses share. */
const formLocals = (state: SettingsState, values: SelfMarkingFormValues, version: number, t: Translate) => ({
  values, modeChoices: checkInModeChoices(values, t), errors: state.errors ?? {}, badLines: state.badLines ?? [], flash: state.flash,
  applied: state.applied, applyToUpcoming: state.applyToUpcoming ?? false,
  formId: SELF_MARKING_FORM_ID, version: state.conflict?.currentVersion ?? state.version ?? version,
});

/** The conflict panel, when there is one, with the link that reloads the form with the stored settings. */
function conflictLocals(res: Response, state: SettingsState, values: SelfMarkingFormValues, page: { theirsHref: string; timezone: string; withPassword: boolean }) {
  const launch = getLaunch(res);
  if (!state.conflict) return { conflict: undefined };
  const ctx = { t: res.locals.t as Translate, locale: launch.locale, timezone: page.timezone, viewerId: launch.userId };
  return { conflict: selfMarkingConflictView(state.conflict, values, page.withPassword, page.theirsHref, ctx) };
}

async function renderSettings(req: Request, res: Response, deps: FeatureDeps, state: SettingsState, status: number): Promise<void> {
  const { launch, courseId, activityId, sessionId } = scope(req, res);
  const data = await loadSelfMarking(courseId, activityId, sessionId, deps.defaultTimezone);
  const values = state.values ?? formValuesFromSettings(data.state.settings);
  const self = teacherLink(launch, 'sessions', `/${encodeURIComponent(sessionId)}/self-marking`);
  res.status(status).render('check-in/settings', {
    mode: 'session', nav: teacherNav(launch, 'sessions'), ltik: launch.ltik,
    when: formatSession(data.session, data.timezone, launch.locale),
    // Only while the form shows them untouched: once posted back, the values are the teacher's.
    fromDefaults: data.state.source === 'activity' && !state.values,
    ...formLocals(state, values, data.state.version, res.locals.t as Translate),
    ...conflictLocals(res, state, values, { theirsHref: self, timezone: data.timezone, withPassword: true }),
    action: teacherPath(launch, 'sessions', `/${encodeURIComponent(sessionId)}/self-marking`),
    backHref: teacherLink(launch, 'sessions'),
    // Only once self-marking is saved and on: before that the projector has nothing to show.
    projector: data.state.stored && data.state.settings.enabled ? teacherProjectorLinks(launch, sessionId) : undefined,
  });
}

async function renderDefaults(res: Response, deps: FeatureDeps, state: SettingsState, status: number): Promise<void> {
  const launch = getLaunch(res);
  const [stored, timezone] = await Promise.all([
    loadDefaultsForEdit(launch.courseId, launch.activityId ?? ''),
    state.conflict ? activityTimezone(launch.courseId, launch.activityId ?? '', deps.defaultTimezone) : Promise.resolve(deps.defaultTimezone),
  ]);
  const values = state.values ?? formValuesFromSettings(stored.defaults ?? DEFAULT_SELF_MARKING);
  res.status(status).render('check-in/settings', {
    mode: 'defaults', nav: teacherNav(launch, 'settings'), ltik: launch.ltik, when: undefined, fromDefaults: false, projector: undefined,
    ...formLocals(state, values, stored.version, res.locals.t as Translate),
    ...conflictLocals(res, state, values, { theirsHref: teacherLink(launch, 'settings', '/check-in'), timezone, withPassword: false }),
    action: teacherPath(launch, 'settings', '/check-in'),
    backHref: teacherLink(launch, 'settings'),
  });
}

function teacherSettingsRoutes(router: Router, deps: FeatureDeps): void {
  router.get(SETTINGS, asyncHandler(async (req, res) => {
    const flash = req.query.saved === '1' ? 'saved' : req.query.revoked === '1' ? 'revoked' : undefined;
    await renderSettings(req, res, deps, { flash }, 200);
  }));

  router.post(SETTINGS, asyncHandler(async (req, res) => {
    const { launch, courseId, activityId, sessionId } = scope(req, res);
    const body = req.body as Record<string, unknown>;
    const values = formValuesFromBody(body);
    // Re-shown forms keep the version they were rendered from, so their next save is still checked against it.
    const version = formVersion(body);
    if (body.action === 'generate') return renderSettings(req, res, deps, { values: { ...values, password: newPassword() }, flash: 'generated', version }, 200);
    const result = validateSessionForm(values);
    if (!result.ok) return renderSettings(req, res, deps, { values, version, ...settingsErrors(result.problems, values.allowedCidrs.split(/\r?\n/)) }, 400);
    const guard = { expected: version, editor: editorOf(launch, deps.now()) };
    const saved = await unlessConflict<void, SelfMarkingConflict>(() => saveSelfMarking(courseId, activityId, sessionId, result.settings, guard));
    if (!saved.ok) return renderSettings(req, res, deps, { values, conflict: saved.conflict }, 409);
    res.redirect(303, `${teacherLink(launch, 'sessions', `/${encodeURIComponent(sessionId)}/self-marking`)}&saved=1`);
  }));

  router.get(DEFAULTS, asyncHandler(async (req, res) => {
    const applied = typeof req.query.applied === 'string' && /^\d{1,6}$/.test(req.query.applied) ? Number(req.query.applied) : undefined;
    await renderDefaults(res, deps, { flash: req.query.saved === '1' ? 'saved' : undefined, applied }, 200);
  }));

  router.post(DEFAULTS, asyncHandler(async (req, res) => {
    const { launch, courseId, activityId } = scope(req, res);
    const body = req.body as Record<string, unknown>;
    const values = formValuesFromBody(body);
    const applyToUpcoming = checked(body.applyToUpcoming);
    const version = formVersion(body);
    const result = validateDefaultsForm(values);
    if (!result.ok) return renderDefaults(res, deps, { values, applyToUpcoming, version, ...settingsErrors(result.problems, values.allowedCidrs.split(/\r?\n/)) }, 400);
    const options = { applyToUpcoming, now: deps.now(), expected: version, editor: editorOf(launch, deps.now()) };
    const saved = await unlessConflict<{ applied: number }, DefaultsConflict>(() => saveSelfMarkingDefaults(courseId, activityId, result.defaults, options));
    if (!saved.ok) return renderDefaults(res, deps, { values, applyToUpcoming, conflict: saved.conflict }, 409);
    const { applied } = saved.value;
    res.redirect(303, `${teacherLink(launch, 'settings', '/check-in')}&saved=1${applyToUpcoming ? `&applied=${applied}` : ''}`);
  }));
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

  teacherSettingsRoutes(router, deps);

  const student = requireRole('student');
  router.get(CHECK_IN, student, asyncHandler(async (req, res) => renderCheckIn(req, res, deps, 200)));

  router.post(CHECK_IN, student, asyncHandler(async (req, res) => {
    const { launch, courseId, activityId, sessionId } = scope(req, res);
    const body = req.body as Record<string, unknown>;
    const code = typeof body.code === 'string' ? body.code : '';
    const statusId = typeof body.statusId === 'string' ? body.statusId : undefined;
    // The phone's device cookie reaches us here only when the page is top-level or the browser
    // allows third-party cookies; when it does, one-device-per-student applies to typed codes too.
    const deviceId = readDeviceId(req, deps.signingKey, deps.now().getTime());
    const outcome = await submitCheckIn(courseId, activityId, sessionId, launch.userId, { code, statusId }, { now: deps.now(), ip: req.ip, deviceId, fallbackZone: deps.defaultTimezone, log: deps.log });
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
