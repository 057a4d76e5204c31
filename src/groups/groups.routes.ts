import { Request, Response, Router } from 'express';
import { teacherLink } from '../courses/teacher-nav';
import type { Translate } from '../i18n/i18n';
import { getLaunch } from '../lti/launch-context.middleware';
import { activityTimezone } from '../sessions/sessions.service';
import { asyncHandler } from '../shared/async-handler';
import { EditConflict } from '../shared/edit-conflict';
import { DomainError, Refusal } from '../shared/errors';
import type { FeatureDeps } from '../shared/feature-deps';
import { asArray, fieldErrors } from '../shared/forms';
import { formVersion } from '../shared/version.schema';
import { editorOf } from '../shared/versioned';
import { listGroups } from './group-lookup.service';
import { DetailState, toDeleteView, toGroupDetailView, toGroupListView } from './groups.presenter';
import { csvImportSchema, groupNameSchema, memberSelectionSchema } from './groups.schema';
import {
  addMembers,
  createGroup,
  deleteGroup,
  GroupConflict,
  importCsv,
  loadDeleteConfirmation,
  loadGroupDetail,
  removeMembers,
  renameGroup,
} from './groups.service';

const BASE = '/activity/:activityId/teacher/groups';

/** Business refusals a form shows next to its field; a Refusal (404 …) goes to the error page. */
async function attempt<T>(fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: DomainError }> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    if (err instanceof DomainError && !(err instanceof Refusal)) return { ok: false, error: err };
    throw err;
  }
}

const groupIdOf = (req: Request) => String(req.params.groupId ?? '');
const countParam = (value: unknown) => (typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : undefined);

function listFlash(req: Request, t: Translate): string | undefined {
  return req.query.deleted === '1' ? t('groups.flash.deleted') : undefined;
}

/** Membership forms carry the version of the members they showed; a change since then was merged. */
const membersVersionOf = (req: Request) => formVersion(req.body, 'membersVersion');
const mergedParam = (merged: boolean) => (merged ? '&merged=1' : '');

function detailFlash(req: Request, t: Translate): string | undefined {
  const q = req.query;
  if (q.created === '1') return t('groups.flash.created');
  if (q.renamed === '1') return t('groups.flash.renamed');
  const added = countParam(q.added);
  if (added !== undefined) return t('groups.flash.added', { count: added });
  const removed = countParam(q.removed);
  if (removed !== undefined) return t('groups.flash.removed', { count: removed });
  return undefined;
}

async function renderList(res: Response, status: number, form: { value?: string; errors?: Record<string, string>; flash?: string }) {
  const launch = getLaunch(res);
  const groups = await listGroups(launch.courseId);
  const view = toGroupListView(launch, res.locals.t as Translate, groups, form);
  res.status(status).render('groups/list', { view, nav: view.nav });
}

async function renderDetail(res: Response, status: number, groupId: string, state: DetailState) {
  const launch = getLaunch(res);
  const detail = await loadGroupDetail(launch.courseId, groupId);
  const view = toGroupDetailView(launch, res.locals.t as Translate, detail, state);
  res.status(status).render('groups/detail', { view, nav: view.nav });
}

function redirectToGroup(res: Response, groupId: string, flash: string) {
  res.redirect(303, teacherLink(getLaunch(res), 'groups', `/${encodeURIComponent(groupId)}?${flash}`));
}

const firstError = (errors: Record<string, string>) => ({ key: Object.values(errors)[0] ?? 'form.invalid', vars: {} });

async function createHandler(req: Request, res: Response) {
  const launch = getLaunch(res);
  const value = typeof req.body.name === 'string' ? req.body.name : '';
  const parsed = groupNameSchema.safeParse(req.body);
  if (!parsed.success) return renderList(res, 400, { value, errors: fieldErrors(parsed.error) });
  const created = await attempt(() => createGroup(launch.courseId, parsed.data.name));
  if (!created.ok) return renderList(res, created.error.status, { value, errors: { name: created.error.messageKey } });
  redirectToGroup(res, created.value, 'created=1');
}

async function renameHandler(deps: FeatureDeps, req: Request, res: Response) {
  const launch = getLaunch(res);
  const groupId = groupIdOf(req);
  const value = typeof req.body.name === 'string' ? req.body.name : '';
  // A refused form keeps the version it was rendered from, so its next save is still checked against it.
  const version = formVersion(req.body);
  const parsed = groupNameSchema.safeParse(req.body);
  if (!parsed.success) return renderDetail(res, 400, groupId, { rename: { value, version, errors: fieldErrors(parsed.error) } });
  const renamed = await attempt(() => renameGroup(launch.courseId, groupId, parsed.data.name, { expected: version, editor: editorOf(launch, deps.now()) }));
  if (renamed.ok) return redirectToGroup(res, groupId, 'renamed=1');
  if (renamed.error instanceof EditConflict) {
    const timezone = await activityTimezone(launch.courseId, launch.activityId ?? '', deps.defaultTimezone);
    const context = { t: res.locals.t as Translate, locale: launch.locale, timezone, viewerId: launch.userId };
    return renderDetail(res, 409, groupId, { rename: { value, errors: {} }, conflict: { error: renamed.error as GroupConflict, context } });
  }
  return renderDetail(res, renamed.error.status, groupId, { rename: { value, version, errors: { name: renamed.error.messageKey } } });
}

async function addHandler(req: Request, res: Response) {
  const launch = getLaunch(res);
  const groupId = groupIdOf(req);
  const picked = asArray(req.body.userIds);
  const parsed = memberSelectionSchema.safeParse({ userIds: picked });
  if (!parsed.success) return renderDetail(res, 400, groupId, { addChecked: picked, addError: firstError(fieldErrors(parsed.error)) });
  const done = await attempt(() => addMembers(launch.courseId, groupId, parsed.data.userIds, membersVersionOf(req)));
  if (!done.ok) return renderDetail(res, done.error.status, groupId, { addChecked: picked, addError: { key: done.error.messageKey, vars: done.error.vars } });
  redirectToGroup(res, groupId, `added=${done.value.added}${mergedParam(done.value.merged)}`);
}

async function removeHandler(req: Request, res: Response) {
  const launch = getLaunch(res);
  const groupId = groupIdOf(req);
  const picked = asArray(req.body.userIds);
  const parsed = memberSelectionSchema.safeParse({ userIds: picked });
  if (!parsed.success) return renderDetail(res, 400, groupId, { removeChecked: picked, removeError: firstError(fieldErrors(parsed.error)) });
  const done = await removeMembers(launch.courseId, groupId, parsed.data.userIds, membersVersionOf(req));
  redirectToGroup(res, groupId, `removed=${done.removed}${mergedParam(done.merged)}`);
}

/**
 * The result (possibly thousands of unmatched rows) is rendered directly instead of
 * redirecting: it does not fit in a URL, and sending the form again is harmless ($addToSet).
 */
async function importHandler(req: Request, res: Response) {
  const launch = getLaunch(res);
  const groupId = groupIdOf(req);
  const csv = typeof req.body.csv === 'string' ? req.body.csv : '';
  const parsed = csvImportSchema.safeParse(req.body);
  if (!parsed.success) return renderDetail(res, 400, groupId, { csv, csvError: firstError(fieldErrors(parsed.error)) });
  const done = await attempt(() => importCsv(launch.courseId, groupId, parsed.data.csv, membersVersionOf(req)));
  if (!done.ok) return renderDetail(res, done.error.status, groupId, { csv, csvError: { key: done.error.messageKey, vars: done.error.vars } });
  return renderDetail(res, 200, groupId, { importResult: done.value });
}

async function confirmDeleteHandler(req: Request, res: Response) {
  const launch = getLaunch(res);
  const data = await loadDeleteConfirmation(launch.courseId, groupIdOf(req));
  const view = toDeleteView(launch, res.locals.t as Translate, data);
  res.render('groups/delete', { view, nav: view.nav });
}

async function deleteHandler(req: Request, res: Response) {
  const launch = getLaunch(res);
  const groupId = groupIdOf(req);
  const done = await attempt(() => deleteGroup(launch.courseId, groupId));
  if (done.ok) return res.redirect(303, teacherLink(launch, 'groups', '?deleted=1'));
  const data = await loadDeleteConfirmation(launch.courseId, groupId);
  const t = res.locals.t as Translate;
  const view = toDeleteView(launch, t, data, t(done.error.messageKey, done.error.vars));
  res.status(done.error.status).render('groups/delete', { view, nav: view.nav });
}

/** Teacher pages under /activity/:activityId/teacher/groups (app.ts applies the teacher guard). */
export function groupsRouter(deps: FeatureDeps): Router {
  const router = Router();
  router.get(BASE, asyncHandler((req, res) => renderList(res, 200, { flash: listFlash(req, res.locals.t as Translate) })));
  router.post(BASE, asyncHandler(createHandler));
  router.get(`${BASE}/:groupId`, asyncHandler((req, res) => {
    const t = res.locals.t as Translate;
    return renderDetail(res, 200, groupIdOf(req), { flash: detailFlash(req, t), notice: req.query.merged === '1' ? t('groups.flash.merged') : undefined });
  }));
  router.post(`${BASE}/:groupId/rename`, asyncHandler((req, res) => renameHandler(deps, req, res)));
  router.post(`${BASE}/:groupId/members/add`, asyncHandler(addHandler));
  router.post(`${BASE}/:groupId/members/remove`, asyncHandler(removeHandler));
  router.post(`${BASE}/:groupId/import`, asyncHandler(importHandler));
  router.get(`${BASE}/:groupId/delete`, asyncHandler(confirmDeleteHandler));
  router.post(`${BASE}/:groupId/delete`, asyncHandler(deleteHandler));
  return router;
}
