import { Request, Router } from 'express';
import { gradeSyncLink } from '../grading/grade-sync.routes';
import { getLaunch, requireRole } from '../lti/launch-context.middleware';
import { asyncHandler } from '../shared/async-handler';
import { Refusal } from '../shared/errors';
import { withLtik } from '../shared/links';
import type { LaunchContext } from '../lti/launch-context';
import type { FeatureDeps } from '../shared/feature-deps';
import { checkInPath } from '../check-in/check-in.routes';
import { openCheckIns, OpenCheckIn } from '../check-in/check-in.service';
import { issueTicket } from '../check-in/completion-ticket';
import { readPending } from '../check-in/phone-cookies';
import { formatDay, studentUnpairPath } from '../check-in/pairing.routes';
import { listPairings } from '../check-in/qr-check-in.service';
import { teacherSessionSummary } from './home-sessions.service';
import { formatSession, toHomeView, toTeacherSessionsView } from './home.presenter';
import { OpenEntry, toStudentNowCard } from './now-card.presenter';
import { teacherNav } from './teacher-nav';
import { homePath } from './launch.routes';
import { loadActivityHome } from './launch.service';
import type { Translate } from '../i18n/i18n';
import { toCalendarCard, toStudentAttendanceView } from '../reports/student-view.presenter';
import { loadStudentHome } from '../reports/student-view.service';

export function homeRouter(deps: FeatureDeps): Router {
  const router = Router();

  router.get('/activity/:activityId', (_req, res) => {
    const launch = getLaunch(res);
    res.redirect(303, withLtik(homePath(launch), launch.ltik));
  });

  const load = async (launch: LaunchContext) => {
    const data = await loadActivityHome(launch.courseId, launch.activityId ?? '');
    if (!data) throw new Refusal('session_expired', 'ACTIVITY_NOT_RECORDED');
    return data;
  };

  // Teacher guard: app.ts (every /activity/:id/teacher path).
  router.get(
    '/activity/:activityId/teacher',
    asyncHandler(async (_req, res) => {
      const launch = getLaunch(res);
      const data = await load(launch);
      const summary = await teacherSessionSummary(launch.courseId, launch.activityId ?? '', deps.now());
      res.render('home/teacher', {
        view: toHomeView(data, launch, res.locals.t),
        sessions: toTeacherSessionsView(summary, launch, data.activity.timezone),
        nav: teacherNav(launch, 'home'),
        gradeSyncHref: gradeSyncLink(launch),
      });
    }),
  );

  /**
   * A QR session's "Complete check-in" opens a top-level page with a signed ticket (our cookies
   * may be blocked in this iframe, and ltijs's with them): there the phone's held scan is read.
   * When this page is itself top-level, the held scan is visible here and the button says so.
   */
  const openView = (req: Request, launch: LaunchContext, open: OpenCheckIn[], zone: string) => {
    const now = deps.now().getTime();
    const held = readPending(req, deps.signingKey, now);
    const ticket = open.some((s) => s.qr) ? issueTicket(deps.signingKey, { courseId: launch.courseId, activityId: launch.activityId ?? '', userId: launch.userId, locale: launch.locale }, now) : '';
    return open.map((s): OpenEntry => ({
      id: s.id,
      ...formatSession(s, zone, launch.locale),
      href: withLtik(checkInPath(launch.activityId ?? '', s.id), launch.ltik),
      completeHref: s.qr ? `${deps.publicUrl}/checkin/complete?t=${encodeURIComponent(ticket)}` : undefined,
      held: s.qr && held !== undefined && held.s === s.publicId,
    }));
  };

  /**
   * The student home: the "Now" card first (running sessions and open check-ins, with the
   * recorded status once there is one), then their own attendance (the report's numbers for this
   * one student), their sessions so far, the next upcoming ones, the calendar feed card and paired
   * phones. Observers and other limited roles get the limited page without any of it.
   */
  router.get(
    '/activity/:activityId/student',
    requireRole('student', 'limited'),
    asyncHandler(async (req, res) => {
      const launch = getLaunch(res);
      const data = await load(launch);
      const view = toHomeView(data, launch, res.locals.t);
      if (launch.role !== 'student') {
        res.render('home/student', { view, role: launch.role, ltik: launch.ltik });
        return;
      }
      const activityId = launch.activityId ?? '';
      const now = deps.now();
      const [home, open, pairings] = await Promise.all([
        loadStudentHome(launch.courseId, activityId, launch.userId, now, { signingKey: deps.signingKey, publicUrl: deps.publicUrl }),
        openCheckIns(launch.courseId, activityId, launch.userId, now),
        listPairings(launch.courseId, launch.userId),
      ]);
      const zone = data.activity.timezone;
      const t = res.locals.t as Translate;
      const attendance = toStudentAttendanceView(home.attendance, { userId: launch.userId, now, locale: launch.locale, t });
      res.render('home/student', {
        view,
        role: launch.role,
        ltik: launch.ltik,
        attendance,
        calendar: toCalendarCard(home.calendar, { activityId, timezone: zone, locale: launch.locale, t, flash: req.query.calendar }),
        nowCard: toStudentNowCard(attendance, openView(req, launch, open, zone)),
        pairings: pairings.map((p) => ({ label: p.label, pairedOn: formatDay(p.createdAt, zone, launch.locale), action: studentUnpairPath(activityId, p.id) })),
        unpaired: req.query.unpaired === '1',
      });
    }),
  );
  return router;
}
