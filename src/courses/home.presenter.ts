import type { Translate } from '../i18n/i18n';
import type { LaunchContext } from '../lti/launch-context';
import { withLtik } from '../shared/links';
import type { ActivityHomeData } from './launch.service';

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
