import type { Request, Response } from 'express';
import { Router } from 'express';
import { teacherNav } from '../courses/teacher-nav';
import { formatLocale, Translate } from '../i18n/i18n';
import { getLaunch } from '../lti/launch-context.middleware';
import { asyncHandler } from '../shared/async-handler';
import type { FeatureDeps } from '../shared/feature-deps';
import { FieldErrors, fieldErrors } from '../shared/forms';
import { csvChunks } from './csv';
import { contentDisposition, ExportFormat, exportFileName } from './export-filename';
import { buildExportTable, dateRange, ExportTable } from './export-table';
import { exportLabels, formValues, toExportFormView, xlsxLabels } from './export.presenter';
import { ExportQuery, exportQuerySchema } from './export.schema';
import { ExportChoices, loadExportChoices } from './export.service';
import { loadReport, ReportFilters } from './report-data.service';
import { writeXlsx } from './xlsx.adapter';

/**
 * Export (issue #6): a GET form, and two downloads taking the same parameters (URL contract:
 * who, group, students, from, to, id, remarks, descriptions, untaken). Bad parameters give the
 * form back with status 400 and nothing downloaded. Teacher guard: app.ts.
 */

const CONTENT_TYPE: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

function renderForm(req: Request, res: Response, choices: ExportChoices, errors: FieldErrors): void {
  const launch = getLaunch(res);
  const t = res.locals.t as Translate;
  res.status(Object.keys(errors).length > 0 ? 400 : 200);
  res.setHeader('Cache-Control', 'no-store');
  res.render('reports/export', { view: toExportFormView(choices, formValues(req.query), errors, launch, t), nav: teacherNav(launch, 'reports') });
}

function reportFilters(q: ExportQuery, timeZone: string): ReportFilters {
  return {
    ...dateRange(q.from || undefined, q.to || undefined, timeZone),
    ...(q.who === 'group' ? { groupId: q.group } : {}),
    ...(q.who === 'students' ? { userIds: q.students } : {}),
  };
}

/** Resolves when the response can take more, or has gone (a cancelled download). */
function writable(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

async function streamCsv(res: Response, table: ExportTable): Promise<void> {
  for (const chunk of csvChunks(table.columns.map((c) => c.header), table.rows())) {
    if (res.destroyed) return;
    if (!res.write(chunk)) await writable(res);
  }
  res.end();
}

async function download(deps: FeatureDeps, format: ExportFormat, req: Request, res: Response): Promise<void> {
  const launch = getLaunch(res);
  const t = res.locals.t as Translate;
  const activityId = launch.activityId ?? '';
  const choices = await loadExportChoices(launch.courseId, activityId);
  const known = { groupIds: new Set(choices.groups.map((g) => g.id)), studentIds: new Set(choices.students.map((s) => s.userId)) };
  const parsed = exportQuerySchema(known).safeParse(req.query);
  if (!parsed.success) return renderForm(req, res, choices, fieldErrors(parsed.error));
  const q = parsed.data;
  const now = deps.now();
  const { report, activity, groups } = await loadReport(launch.courseId, activityId, reportFilters(q, choices.timezone), now);
  const table = buildExportTable(report, {
    identifier: q.id, remarks: q.remarks, descriptions: q.descriptions, untaken: q.untaken,
    timeZone: activity.timezone, collation: formatLocale(launch.locale),
    groupNames: new Map(groups.map((g) => [g.id, g.name])), labels: exportLabels(t, q.id),
  });
  res.status(200);
  res.setHeader('Content-Type', CONTENT_TYPE[format]);
  res.setHeader('Content-Disposition', contentDisposition(exportFileName(choices.courseName, choices.activityTitle, now, activity.timezone, format)));
  res.setHeader('Cache-Control', 'no-store');
  try {
    if (format === 'csv') return await streamCsv(res, table);
    // exceljs waits for the response's 'finish', which a cancelled download never emits.
    await Promise.race([writeXlsx(res, table, xlsxLabels(t)), new Promise<void>((resolve) => res.once('close', resolve))]);
  } catch (err) {
    // Failed before the first byte: the error page must not arrive as a "downloaded file".
    if (!res.headersSent) ['Content-Disposition', 'Content-Type'].forEach((h) => res.removeHeader(h));
    throw err;
  }
}

export function exportRouter(deps: FeatureDeps): Router {
  const router = Router();
  const base = '/activity/:activityId/teacher/report/export';

  router.get(
    base,
    asyncHandler(async (req, res) => {
      const launch = getLaunch(res);
      renderForm(req, res, await loadExportChoices(launch.courseId, launch.activityId ?? ''), {});
    }),
  );
  for (const format of ['csv', 'xlsx'] as const) {
    router.get(`${base}.${format}`, asyncHandler((req, res) => download(deps, format, req, res)));
  }
  return router;
}
