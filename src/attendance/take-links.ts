import { teacherPath } from '../courses/teacher-nav';
import type { LaunchContext } from '../lti/launch-context';
import { withLtik } from '../shared/links';

/** Addresses of the take pages; the sessions list links here with `takeLink`. */

export function takePath(launch: LaunchContext, sessionId: string): string {
  return teacherPath(launch, 'sessions', `/${encodeURIComponent(sessionId)}/take`);
}

export function takeLink(launch: LaunchContext, sessionId: string, query = ''): string {
  return withLtik(`${takePath(launch, sessionId)}${query ? `?${query}` : ''}`, launch.ltik);
}

/** The whole session's change history, or one student's. */
export function historyLink(launch: LaunchContext, sessionId: string, userId?: string): string {
  const rest = userId === undefined ? '' : `/${encodeURIComponent(userId)}`;
  return withLtik(`${takePath(launch, sessionId)}/history${rest}`, launch.ltik);
}
