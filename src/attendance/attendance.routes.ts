import { Request, Response, Router } from 'express';
import type { Translate } from '../i18n/i18n';
import { getLaunch } from '../lti/launch-context.middleware';
import { asyncHandler } from '../shared/async-handler';
import type { FeatureDeps } from '../shared/feature-deps';
import { markUnmarkedNow } from './auto-mark.service';
import { toHistoryView } from './history.presenter';
import { loadHistory } from './history.service';
import { takeLink } from './take-links';
import { fillRows } from './take-rules';
import { toTakeView, TakeViewInput } from './take.presenter';
import { parseTakeForm, sortSchema, TakeForm } from './take.schema';
import { saveAttendance } from './take-save.service';
import { loadTakePage } from './take.service';

/** Taking attendance for one session, and its change history. Teacher guard: app.ts. */

const BASE = '/activity/:activityId/teacher/sessions/:sessionId/take';

const STYLES = ['/static/css/take.css'];

function scope(req: Request, res: Response) {
  const launch = getLaunch(res);
  return { launch, courseId: launch.courseId, activityId: launch.activityId ?? '', sessionId: String(req.params.sessionId ?? ''), t: res.locals.t as Translate };
}

const countParam = (value: unknown) => (typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : undefined);

type PageState = Omit<TakeViewInput, 'launch' | 't' | 'data'>;

/** The page's data, with the last changes of the rows shown as conflicts (who changed them, when). */
async function loadPage(req: Request, res: Response, deps: FeatureDeps, state: Pick<PageState, 'conflicts' | 'posted'>) {
  const { courseId, activityId, sessionId } = scope(req, res);
  const changesOf = [...(state.conflicts ?? []).map((c) => c.userId), ...(state.posted ?? []).filter((r) => r.choice !== undefined).map((r) => r.userId)];
  return loadTakePage(courseId, activityId, sessionId, deps.defaultTimezone, { changesOf });
}

async function renderTake(req: Request, res: Response, deps: FeatureDeps, state: PageState, status: number): Promise<void> {
  const { launch, t } = scope(req, res);
  const data = await loadPage(req, res, deps, state);
  const view = toTakeView({ launch, t, data, now: deps.now(), ...state });
  // 409 while conflicts wait for a decision; none left (the other change was undone meanwhile) is a plain page.
  const code = status === 409 && view.conflictCount === 0 ? 200 : status;
  res.status(code).render('attendance/take', { view, nav: view.nav, ltik: launch.ltik, styles: STYLES });
}

/**
 * "Set all / all unmarked to …" without JavaScript: the page comes back with the statuses
 * filled in and a "not saved yet" notice; the teacher reviews it and saves. (take.js does the
 * same in the browser without a round trip.) Only statuses still offered can be bulk-set.
 */
async function renderBulk(req: Request, res: Response, deps: FeatureDeps, form: TakeForm & { bulk: NonNullable<TakeForm['bulk']> }): Promise<void> {
  const { launch, t } = scope(req, res);
  const data = await loadPage(req, res, deps, { posted: form.rows });
  const offered = data.statusSet.statuses.some((s) => s.visible && s.id === form.bulk.statusId);
  const base = { launch, t, data, sort: form.sort, now: deps.now() };
  if (!offered) {
    const view = toTakeView({ ...base, posted: form.rows, formErrorKey: 'attendance.errors.bulk_status' });
    return res.status(400).render('attendance/take', { view, nav: view.nav, ltik: launch.ltik, styles: STYLES });
  }
  const filled = fillRows(form.rows, form.bulk.mode, form.bulk.statusId);
  const view = toTakeView({ ...base, posted: filled.rows, flash: { bulk: { ...form.bulk, filled: filled.filled } } });
  res.status(200).render('attendance/take', { view, nav: view.nav, ltik: launch.ltik, styles: STYLES });
}

export function attendanceRouter(deps: FeatureDeps): Router {
  const router = Router();

  router.get(BASE, asyncHandler(async (req, res) => {
    const saved = countParam(req.query.saved);
    const autoMarked = countParam(req.query.autoMarked);
    const flash = saved !== undefined ? { saved } : autoMarked !== undefined ? { autoMarked } : undefined;
    await renderTake(req, res, deps, { sort: sortSchema.parse(req.query.sort), flash }, 200);
  }));

  // "Mark the unmarked as <automatic status> now" (auto-mark.service.ts markUnmarkedNow).
  router.post(`${BASE}/auto-mark`, asyncHandler(async (req, res) => {
    const { launch, courseId, activityId, sessionId } = scope(req, res);
    const result = await markUnmarkedNow(courseId, activityId, sessionId, launch.userId, { now: deps.now, log: deps.log });
    res.redirect(303, takeLink(launch, sessionId, `autoMarked=${result.marked}`));
  }));

  router.post(BASE, asyncHandler(async (req, res) => {
    const { launch, courseId, activityId, sessionId } = scope(req, res);
    const parsed = parseTakeForm(req.body as Record<string, unknown>);
    if (!parsed.ok) return renderTake(req, res, deps, { sort: parsed.sort, formErrorKey: parsed.errorKey }, 400);
    const { form } = parsed;
    if (form.bulk) return renderBulk(req, res, deps, { ...form, bulk: form.bulk });
    const result = await saveAttendance(courseId, activityId, sessionId, launch.userId, form.rows, { now: deps.now, log: deps.log });
    if (!result.ok) return renderTake(req, res, deps, { sort: form.sort, posted: form.rows, problems: result.problems }, 400);
    // Rows changed elsewhere meanwhile were not written: the page shows them beside the teacher's values.
    if (result.conflicts.length > 0) return renderTake(req, res, deps, { sort: form.sort, conflicts: result.conflicts, flash: { saved: result.changed } }, 409);
    res.redirect(303, takeLink(launch, sessionId, `sort=${form.sort}&saved=${result.changed}`));
  }));

  const history = (one: boolean) => asyncHandler(async (req, res) => {
    const { launch, courseId, activityId, sessionId, t } = scope(req, res);
    const userId = one ? String(req.params.userId ?? '') : undefined;
    const data = await loadHistory(courseId, activityId, sessionId, userId, deps.defaultTimezone);
    const view = toHistoryView(data, launch, t);
    res.render('attendance/history', { view, nav: view.nav, styles: STYLES });
  });
  router.get(`${BASE}/history`, history(false));
  router.get(`${BASE}/history/:userId`, history(true));
  return router;
}
