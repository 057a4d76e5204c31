import type { LaunchContext } from '../lti/launch-context';
import { withLtik } from '../shared/links';

export type TeacherSection = 'home' | 'sessions' | 'reports' | 'statusSets' | 'roster' | 'groups' | 'settings';

export interface TeacherNav {
  current: TeacherSection;
  links: Record<TeacherSection, string>;
}

/** Paths of the teacher pages; every page of every feature builds its links from here. */
export function teacherPath(launch: LaunchContext, section: TeacherSection, rest = ''): string {
  const base = `/activity/${launch.activityId}/teacher`;
  const paths: Record<TeacherSection, string> = {
    home: base,
    sessions: `${base}/sessions`,
    reports: `${base}/report`,
    statusSets: `${base}/status-sets`,
    roster: `${base}/roster`,
    groups: `${base}/groups`,
    settings: `${base}/settings`,
  };
  return `${paths[section]}${rest}`;
}

/** Link with the ltik, for <a href>. Forms carry the ltik in a hidden field instead. */
export function teacherLink(launch: LaunchContext, section: TeacherSection, rest = ''): string {
  return withLtik(teacherPath(launch, section, rest), launch.ltik);
}

export function teacherNav(launch: LaunchContext, current: TeacherSection): TeacherNav {
  const sections: TeacherSection[] = ['home', 'sessions', 'reports', 'statusSets', 'roster', 'groups', 'settings'];
  return { current, links: Object.fromEntries(sections.map((s) => [s, teacherLink(launch, s)])) as Record<TeacherSection, string> };
}
