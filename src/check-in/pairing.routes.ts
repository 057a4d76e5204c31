import { Request, Response, Router } from 'express';
import { formatLocale, Locale, Translate } from '../i18n/i18n';
import { getLaunch, requireRole } from '../lti/launch-context.middleware';
import { teacherLink, teacherNav, teacherPath } from '../courses/teacher-nav';
import { MemberModel } from '../roster/member.model';
import { asyncHandler } from '../shared/async-handler';
import type { FeatureDeps } from '../shared/feature-deps';
import { withLtik } from '../shared/links';
import { activityTimezone } from '../sessions/sessions.service';
import { listPairings, PairingRow, revokePairings } from './qr-check-in.service';

/**
 * Paired phones, revocable by the teacher (every pairing of the course) and by the student
 * (their own, from the student home). Teacher paths are guarded by app.ts.
 */

const TEACHER = '/activity/:activityId/teacher/roster/phones';

export const studentUnpairPath = (activityId: string, pairingId: string) => `/activity/${activityId}/student/pairings/${encodeURIComponent(pairingId)}/unpair`;

export function formatDay(at: Date, timeZone: string, locale: Locale): string {
  return new Intl.DateTimeFormat(formatLocale(locale), { timeZone, day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
}

async function names(courseId: string, userIds: string[]): Promise<Map<string, string>> {
  const members = await MemberModel.find({ courseId, userId: { $in: userIds } }, { userId: 1, name: 1, givenName: 1, familyName: 1 }).lean<Array<{ userId: string; name?: string; givenName?: string; familyName?: string }>>();
  return new Map(members.map((m) => [m.userId, m.name || [m.givenName, m.familyName].filter(Boolean).join(' ') || m.userId]));
}

async function renderTeacher(req: Request, res: Response, deps: FeatureDeps): Promise<void> {
  const launch = getLaunch(res);
  const activityId = launch.activityId ?? '';
  const t = res.locals.t as Translate;
  const [rows, zone] = await Promise.all([listPairings(launch.courseId), activityTimezone(launch.courseId, activityId, deps.defaultTimezone)]);
  const who = await names(launch.courseId, rows.map((r) => r.userId));
  const view = rows
    .map((r: PairingRow) => ({
      name: who.get(r.userId) ?? r.userId, label: r.label || t('qr_check_in.home.unknown_device'),
      pairedAt: formatDay(r.createdAt, zone, launch.locale), lastUsed: r.lastUsedAt ? formatDay(r.lastUsedAt, zone, launch.locale) : t('qr_check_in.teacher.never'),
      action: teacherPath(launch, 'roster', `/phones/${encodeURIComponent(r.id)}/revoke`),
    }))
    .sort((a, b) => a.name.localeCompare(b.name, formatLocale(launch.locale)));
  res.render('check-in/pairings', {
    nav: teacherNav(launch, 'roster'), ltik: launch.ltik, rows: view, flash: req.query.revoked === '1', backHref: teacherLink(launch, 'roster'),
  });
}

export function pairingRouter(deps: FeatureDeps): Router {
  const router = Router();
  router.get(TEACHER, asyncHandler(async (req, res) => renderTeacher(req, res, deps)));

  router.post(`${TEACHER}/:pairingId/revoke`, asyncHandler(async (req, res) => {
    const launch = getLaunch(res);
    await revokePairings(launch.courseId, { pairingId: String(req.params.pairingId ?? '') });
    res.redirect(303, `${teacherLink(launch, 'roster', '/phones')}&revoked=1`);
  }));

  // A student may only remove their own pairings: the filter carries their user id.
  router.post('/activity/:activityId/student/pairings/:pairingId/unpair', requireRole('student'), asyncHandler(async (req, res) => {
    const launch = getLaunch(res);
    await revokePairings(launch.courseId, { pairingId: String(req.params.pairingId ?? ''), userId: launch.userId });
    res.redirect(303, `${withLtik(`/activity/${launch.activityId}/student`, launch.ltik)}&unpaired=1`);
  }));
  return router;
}
