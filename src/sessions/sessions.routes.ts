import { selfMarkingEnabledIds } from '../check-in/self-marking.service';
import { markedCounts } from '../attendance/attendance.service';
import { Response, Router } from 'express';
import { teacherLink, teacherNav } from '../courses/teacher-nav';
import type { Translate } from '../i18n/i18n';
import { getLaunch } from '../lti/launch-context.middleware';
import { asyncHandler } from '../shared/async-handler';
import type { FeatureDeps } from '../shared/feature-deps';
import { unlessConflict } from '../shared/edit-conflict';
import { asArray, FieldErrors, fieldErrors } from '../shared/forms';
import { formVersion } from '../shared/version.schema';
import { editorOf } from '../shared/versioned';
import { sessionConflictView } from './session-conflict.presenter';
import { seriesRoutes } from './series.routes';
import { parsePeriodKind, resolvePeriod } from './list-period';
import { periodQuery } from './list-period.presenter';
import {
  defaultValues, EditState, FormValues, postedValues, sessionValues, toDeletePage, toListPage, toSessionFormPage,
} from './session-pages.presenter';
import { bulkSchema, durationField, ListFilters, listFiltersSchema, sessionFormSchema } from './sessions.schema';
import {
  countRecords, createSession, deleteSessions, FormOptions, getSession, getSessions, loadFormOptions, loadSessionsPage,
  SaveResult, SessionConflict, setDuration, updateSession,
} from './sessions.service';
import { settingsRoutes } from './settings.routes';

const BASE = '/activity/:activityId/teacher/sessions';
const SESSION_FIELDS = ['date', 'startTime', 'durationMinutes', 'description', 'audience', 'statusSetId'] as const;

export function scopeOf(res: Response) {
  const launch = getLaunch(res);
  return { launch, courseId: launch.courseId, activityId: launch.activityId ?? '', t: res.locals.t as Translate };
}

function renderForm(res: Response, options: FormOptions, values: FormValues, errors: FieldErrors, status: number, edit?: EditState): void {
  const { launch, t } = scopeOf(res);
  const view = toSessionFormPage({ launch, options, values, errors, t, edit });
  res.status(status).render('sessions/form', { view, nav: teacherNav(launch, 'sessions'), ltik: launch.ltik });
}

async function renderList(res: Response, deps: FeatureDeps, filters: ListFilters, query: Record<string, unknown>, status: number, bulk?: { errors: FieldErrors; minutes: string; ids: string[] }): Promise<void> {
  const { launch, courseId, activityId, t } = scopeOf(res);
  const { options, sessions } = await loadSessionsPage(courseId, activityId, deps.defaultTimezone);
  const ids = sessions.map((s) => s.id);
  const [marked, selfMarking] = await Promise.all([markedCounts(courseId, activityId, ids), selfMarkingEnabledIds(courseId, activityId, ids)]);
  // `period` / `from` come from the query (or the bulk form); bad values mean the default, never an error.
  const period = resolvePeriod(parsePeriodKind(query.period), query.from, deps.now(), options.timezone);
  const view = toListPage({ launch, sessions, options, filters, now: deps.now(), t, query, bulk, marked, selfMarking, period });
  res.status(status).render('sessions/list', { view, nav: teacherNav(launch, 'sessions'), ltik: launch.ltik });
}

/** After a save: back to the list, on the tab where the session now is. */
function redirectSaved(res: Response, deps: FeatureDeps, result: Extract<SaveResult, { ok: true }>): void {
  const view = result.endsAt.getTime() > deps.now().getTime() ? 'upcoming' : 'past';
  res.redirect(303, teacherLink(scopeOf(res).launch, 'sessions', `?view=${view}&saved=1${result.dst === 'gap' ? '&dst=gap' : ''}`));
}

function listAndForms(router: Router, deps: FeatureDeps): void {
  router.get(BASE, asyncHandler(async (req, res) => {
    await renderList(res, deps, listFiltersSchema.parse(req.query), req.query, 200);
  }));

  router.get(`${BASE}/new`, asyncHandler(async (_req, res) => {
    const { courseId, activityId } = scopeOf(res);
    const options = await loadFormOptions(courseId, activityId, deps.defaultTimezone);
    renderForm(res, options, defaultValues(options, deps.now()), {}, 200);
  }));

  router.post(`${BASE}/new`, asyncHandler(async (req, res) => {
    const { launch, courseId, activityId } = scopeOf(res);
    const parsed = sessionFormSchema.safeParse(req.body);
    const result: SaveResult = parsed.success
      ? await createSession(courseId, activityId, launch.userId, parsed.data, deps.defaultTimezone)
      : { ok: false, status: 400, errors: fieldErrors(parsed.error) };
    if (result.ok) return redirectSaved(res, deps, result);
    const options = await loadFormOptions(courseId, activityId, deps.defaultTimezone);
    renderForm(res, options, postedValues(req.body, SESSION_FIELDS), result.errors, result.status);
  }));

  router.get(`${BASE}/:sessionId/edit`, asyncHandler(async (req, res) => {
    const { courseId, activityId } = scopeOf(res);
    const session = await getSession(courseId, activityId, req.params.sessionId ?? '');
    const options = await loadFormOptions(courseId, activityId, deps.defaultTimezone);
    renderForm(res, options, sessionValues(session, options.timezone), {}, 200, { sessionId: session.id, version: session.version ?? 0 });
  }));

  router.post(`${BASE}/:sessionId/edit`, asyncHandler(async (req, res) => {
    const { launch, courseId, activityId, t } = scopeOf(res);
    const session = await getSession(courseId, activityId, req.params.sessionId ?? '');
    // A refused form keeps the version it was rendered from, so its next save is still checked against it.
    const edit: EditState = { sessionId: session.id, version: formVersion(req.body) };
    const values = postedValues(req.body, SESSION_FIELDS);
    const options = () => loadFormOptions(courseId, activityId, deps.defaultTimezone);
    const parsed = sessionFormSchema.safeParse(req.body);
    if (!parsed.success) return renderForm(res, await options(), values, fieldErrors(parsed.error), 400, edit);
    const editor = editorOf(launch, deps.now());
    const saved = await unlessConflict<SaveResult, SessionConflict>(
      () => updateSession(courseId, activityId, session.id, parsed.data, deps.defaultTimezone, { expected: edit.version, editor }),
    );
    if (saved.ok) {
      const result = saved.value;
      if (result.ok) return redirectSaved(res, deps, result);
      return renderForm(res, await options(), values, result.errors, result.status, edit);
    }
    // Stale: the teacher's values stay in the form, now against the stored version ("keep mine").
    const loaded = await options();
    const conflict = sessionConflictView(saved.conflict, values, loaded, launch, t);
    renderForm(res, loaded, values, {}, 409, { ...edit, version: saved.conflict.currentVersion, conflict });
  }));
}

async function renderDelete(res: Response, deps: FeatureDeps, ids: string[], single: boolean, filters?: ListFilters): Promise<void> {
  const { launch, courseId, activityId, t } = scopeOf(res);
  const [sessions, records, options] = await Promise.all([
    getSessions(courseId, activityId, ids),
    countRecords(courseId, activityId, ids),
    loadFormOptions(courseId, activityId, deps.defaultTimezone),
  ]);
  const view = toDeletePage({ launch, sessions, records, options, t, single, filters });
  res.render('sessions/delete', { view, nav: teacherNav(launch, 'sessions'), ltik: launch.ltik });
}

function deletion(router: Router, deps: FeatureDeps): void {
  router.get(`${BASE}/:sessionId/delete`, asyncHandler(async (req, res) => {
    await renderDelete(res, deps, [req.params.sessionId ?? ''], true);
  }));

  router.post(`${BASE}/:sessionId/delete`, asyncHandler(async (req, res) => {
    const { launch, courseId, activityId } = scopeOf(res);
    const done = await deleteSessions(courseId, activityId, [req.params.sessionId ?? '']);
    res.redirect(303, teacherLink(launch, 'sessions', `?deleted=${done.sessions}&records=${done.records}`));
  }));

  // One form around the table: action=delete (asks first) or action=duration with minutes.
  router.post(`${BASE}/bulk`, asyncHandler(async (req, res) => {
    const { launch, courseId, activityId } = scopeOf(res);
    const body = req.body as Record<string, unknown>;
    const filters = listFiltersSchema.parse(body);
    const ids = asArray(body.ids);
    const minutesText = typeof body.minutes === 'string' ? body.minutes : '';
    const parsed = bulkSchema.safeParse({ action: body.action, ids });
    const shown = { period: body.period, from: body.from };
    if (!parsed.success) return renderList(res, deps, filters, shown, 400, { errors: fieldErrors(parsed.error), minutes: minutesText, ids });
    const kind = parsePeriodKind(body.period);
    const from = kind !== 'all' && typeof body.from === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(body.from) ? body.from : undefined;
    const back = (flash: string) => res.redirect(303, teacherLink(launch, 'sessions', `?${periodQuery(filters, kind, from)}&${flash}`));
    if (parsed.data.action === 'duration') {
      const minutes = durationField().safeParse(minutesText);
      if (!minutes.success) return renderList(res, deps, filters, shown, 400, { errors: { minutes: fieldErrors(minutes.error)._form ?? 'sessions.errors.bad_duration' }, minutes: minutesText, ids });
      return back(`updated=${await setDuration(courseId, activityId, ids, minutes.data, editorOf(launch, deps.now()))}`);
    }
    if (body.confirm !== '1') return renderDelete(res, deps, ids, false, filters);
    const done = await deleteSessions(courseId, activityId, ids);
    back(`deleted=${done.sessions}&records=${done.records}`);
  }));
}

export function sessionsRouter(deps: FeatureDeps): Router {
  const router = Router();
  seriesRoutes(router, deps, BASE); // before /:sessionId routes, though their shapes never collide
  listAndForms(router, deps);
  deletion(router, deps);
  settingsRoutes(router, deps);
  return router;
}
