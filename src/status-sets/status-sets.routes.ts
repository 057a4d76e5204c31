import { Response, Router } from 'express';
import { teacherLink } from '../courses/teacher-nav';
import type { LaunchContext } from '../lti/launch-context';
import { getLaunch } from '../lti/launch-context.middleware';
import { activityTimezone } from '../sessions/sessions.service';
import { asyncHandler } from '../shared/async-handler';
import { EditConflict } from '../shared/edit-conflict';
import type { FeatureDeps } from '../shared/feature-deps';
import { fieldErrors, FieldErrors } from '../shared/forms';
import { formVersion } from '../shared/version.schema';
import { editorOf } from '../shared/versioned';
import { StatusSetFieldProblems, StatusSetProblem } from './status-set-problem';
import { EditState, toEditView, toListView } from './status-sets.presenter';
import { createSetSchema, parseStatusSetForm, rawStatusSetForm } from './status-sets.schema';
import {
  createStatusSet, deleteStatus, deleteStatusSet, listSetsWithStatuses, loadSetForEdit, saveStatusSet, StatusSetConflict,
} from './status-sets.service';

/**
 * Teacher pages for status sets (under the teacher guard of app.ts, so students get 403).
 * Form problems re-render the page with the teacher's values; successes redirect (303) to a
 * GET page with a flash parameter.
 */
const BASE = '/activity/:activityId/teacher/status-sets';

const scope = (launch: LaunchContext) => [launch.courseId, launch.activityId ?? ''] as const;

/** Flash parameters name a message; the text itself never comes from the URL. */
const FLASHES: Record<string, string> = {
  created: 'status_sets.flash.created',
  saved: 'status_sets.flash.saved',
  deleted: 'status_sets.flash.set_deleted',
  status_deleted: 'status_sets.flash.status_deleted',
};

function flashOf(query: Record<string, unknown>, t: (key: string) => string): string | undefined {
  const name = Object.keys(FLASHES).find((k) => query[k] === '1');
  return name ? t(FLASHES[name] as string) : undefined;
}

async function renderList(res: Response, status: number, state: { errors?: FieldErrors; values?: { name: string }; flash?: string }) {
  const launch = getLaunch(res);
  const sets = await listSetsWithStatuses(...scope(launch));
  res.status(status).render('status-sets/list', { view: toListView(sets, launch, res.locals.t, state) });
}

async function renderEdit(res: Response, setId: string, status: number, state: EditState) {
  const launch = getLaunch(res);
  const data = await loadSetForEdit(...scope(launch), setId);
  res.status(status).render('status-sets/edit', { view: toEditView(data, launch, res.locals.t, state) });
}

/** A refusal shown on the edit page: beside its field when it has one, else as the page's alert. */
function problemState(problem: StatusSetProblem, t: (key: string, vars?: Record<string, string | number>) => string) {
  if (problem instanceof StatusSetFieldProblems) return { errors: { ...problem.errors } };
  return problem.field
    ? { errors: { [problem.field]: problem.messageKey } }
    : { alert: t(problem.messageKey, problem.vars) };
}

const showList = asyncHandler(async (req, res) => {
  await renderList(res, 200, { flash: flashOf(req.query, res.locals.t) });
});

const createSet = asyncHandler(async (req, res) => {
  const launch = getLaunch(res);
  const typed = { name: typeof req.body.name === 'string' ? req.body.name : '' };
  const parsed = createSetSchema.safeParse(typed);
  if (!parsed.success) return renderList(res, 400, { errors: fieldErrors(parsed.error), values: typed });
  try {
    const id = await createStatusSet(...scope(launch), parsed.data.name, launch.locale);
    res.redirect(303, `${teacherLink(launch, 'statusSets', `/${encodeURIComponent(id)}`)}&created=1`);
  } catch (err) {
    if (!(err instanceof StatusSetProblem)) throw err;
    return renderList(res, err.status, { errors: { [err.field ?? 'name']: err.messageKey }, values: typed });
  }
});

const showSet = asyncHandler(async (req, res) => {
  await renderEdit(res, req.params.setId ?? '', 200, { flash: flashOf(req.query, res.locals.t) });
});

/** A stale save: the page shows the set as saved now beside the teacher's form, in the activity's zone. */
async function conflictState(res: Response, deps: FeatureDeps, error: StatusSetConflict): Promise<EditState['conflict']> {
  const launch = getLaunch(res);
  const timezone = await activityTimezone(launch.courseId, launch.activityId ?? '', deps.defaultTimezone);
  return { error, context: { t: res.locals.t, locale: launch.locale, timezone, viewerId: launch.userId } };
}

const saveSet = (deps: FeatureDeps) => asyncHandler(async (req, res) => {
  const launch = getLaunch(res);
  const setId = req.params.setId ?? '';
  const raw = rawStatusSetForm(req.body as Record<string, unknown>);
  // A refused form keeps the version it was rendered from, so its next save is still checked against it.
  const version = formVersion(req.body);
  // Format problems do not stop here: the service adds the rest (a taken name) so the page shows all at once.
  const { draft, errors } = parseStatusSetForm(raw);
  try {
    await saveStatusSet(...scope(launch), setId, draft, { expected: version, editor: editorOf(launch, deps.now()) }, errors);
  } catch (err) {
    if (err instanceof EditConflict) return renderEdit(res, setId, 409, { raw, conflict: await conflictState(res, deps, err as StatusSetConflict) });
    if (!(err instanceof StatusSetProblem)) throw err;
    // A form that no longer fits the set cannot be fixed by the teacher's values: show what is stored now.
    const keepValues = err.messageKey !== 'status_sets.errors.stale';
    return renderEdit(res, setId, err.status, { ...problemState(err, res.locals.t), ...(keepValues ? { raw, version } : {}) });
  }
  res.redirect(303, `${teacherLink(launch, 'statusSets', `/${encodeURIComponent(setId)}`)}&saved=1`);
});

const removeStatus = (deps: FeatureDeps) => asyncHandler(async (req, res) => {
  const launch = getLaunch(res);
  const setId = req.params.setId ?? '';
  try {
    await deleteStatus(...scope(launch), setId, req.params.statusId ?? '', editorOf(launch, deps.now()));
  } catch (err) {
    if (!(err instanceof StatusSetProblem)) throw err;
    return renderEdit(res, setId, err.status, problemState(err, res.locals.t));
  }
  res.redirect(303, `${teacherLink(launch, 'statusSets', `/${encodeURIComponent(setId)}`)}&status_deleted=1`);
});

const removeSet = asyncHandler(async (req, res) => {
  const launch = getLaunch(res);
  const setId = req.params.setId ?? '';
  try {
    await deleteStatusSet(...scope(launch), setId);
  } catch (err) {
    if (!(err instanceof StatusSetProblem)) throw err;
    return renderEdit(res, setId, err.status, problemState(err, res.locals.t));
  }
  res.redirect(303, `${teacherLink(launch, 'statusSets')}&deleted=1`);
});

export function statusSetsRouter(deps: FeatureDeps): Router {
  const router = Router();
  router.get(BASE, showList);
  router.post(BASE, createSet);
  router.get(`${BASE}/:setId`, showSet);
  router.post(`${BASE}/:setId`, saveSet(deps));
  router.post(`${BASE}/:setId/statuses/:statusId/delete`, removeStatus(deps));
  router.post(`${BASE}/:setId/delete`, removeSet);
  return router;
}
