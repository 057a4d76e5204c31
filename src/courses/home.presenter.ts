import { formatLocale, Locale, Translate } from '../i18n/i18n';
import type { LaunchContext } from '../lti/launch-context';
import { withLtik } from '../shared/links';
import { takeLink } from '../attendance/take-links';
import type { HomeSession, TeacherSessionSummary } from './home-sessions.service';
import type { ActivityHomeData } from './launch.service';
import { teacherLink } from './teacher-nav';

export interface HomeView {
  pageTitle: string;
  courseTitle: string;
  courseLabel: string;
  activityTitle: string;
  activityDescription: string;
  userName: string;
  roleLabel: string;
  timezone: string;
  grading: string;
  returnUrl?: string;
  homeHref: string;
}

export interface SessionLine {
  when: string;
  description: string;
}

/** "Mon 2 Mar, 10:00–11:30" in the activity's time zone and the person's language. */
export function formatSession(s: Pick<HomeSession, 'startsAt' | 'durationMinutes' | 'description'>, timeZone: string, locale: Locale): SessionLine {
  const end = new Date(s.startsAt.getTime() + s.durationMinutes * 60_000);
  const day = new Intl.DateTimeFormat(formatLocale(locale), { timeZone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }).format(s.startsAt);
  const time = new Intl.DateTimeFormat(formatLocale(locale), { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return { when: `${day}, ${time.format(s.startsAt)}–${time.format(end)}`, description: s.description };
}

export interface TeacherSessionsView {
  total: number;
  /** Not ended yet, running ones included: the same number as the Sessions list's "Upcoming". */
  upcoming: number;
  /** The "Now" card: sessions under way, each with its take page. */
  running: Array<SessionLine & { takeHref: string }>;
  next?: SessionLine;
  links: { list: string; addOne: string; addSeries: string };
}

export function toTeacherSessionsView(summary: TeacherSessionSummary, launch: LaunchContext, timeZone: string): TeacherSessionsView {
  return {
    total: summary.total,
    upcoming: summary.upcoming,
    running: summary.running.map((s) => ({ ...formatSession(s, timeZone, launch.locale), takeHref: takeLink(launch, s.id) })),
    next: summary.next && formatSession(summary.next, timeZone, launch.locale),
    links: {
      list: teacherLink(launch, 'sessions'),
      addOne: teacherLink(launch, 'sessions', '/new'),
      addSeries: teacherLink(launch, 'sessions', '/series'),
    },
  };
}

export function toHomeView(data: ActivityHomeData, launch: LaunchContext, t: Translate): HomeView {
  const activityTitle = data.activity.title || t('home.untitled_activity');
  return {
    pageTitle: activityTitle,
    courseTitle: data.course.title || t('home.untitled_course'),
    courseLabel: data.course.label,
    activityTitle,
    activityDescription: data.activity.description,
    userName: launch.userName || t('home.unknown_user'),
    roleLabel: t(`roles.${launch.role}`),
    timezone: data.activity.timezone,
    grading:
      data.activity.gradingType === 'none'
        ? t('home.teacher.grading_none')
        : t('home.teacher.grading_points', { max: data.activity.maxGrade }),
    returnUrl: launch.returnUrl,
    homeHref: withLtik(`/activity/${launch.activityId}`, launch.ltik),
  };
}
