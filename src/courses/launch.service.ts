import type { LaunchContext, LaunchData } from '../lti/launch-context';
import { mapRoles, type ToolRole } from '../lti/roles';
import { MemberModel } from '../roster/member.model';
import { teachingAssistantPolicyOf } from '../roster/teaching-assistants.service';
import { ActivityModel } from './activity.model';
import { CourseModel } from './course.model';
import { gradingFromCustom } from './deep-linking';
import { launchTimezone } from './launch-timezone';

/** Drops undefined values so `$set` never overwrites stored data with nothing. */
function defined<T extends Record<string, unknown>>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * The grading a deep link chose (custom grade_type / max_grade, see deep-linking.ts) for a new
 * Activity. Applied on insert only: once the Activity exists, its own settings win.
 */
function initialGrading(custom: Record<string, string> | undefined): Record<string, unknown> {
  const grading = gradingFromCustom(custom);
  if (!grading) return {};
  return defined({ 'grading.type': grading.type, 'grading.maxGrade': grading.type === 'points' ? grading.maxGrade : undefined });
}

/**
 * The course and activity documents every launch of a class would rewrite with the same values:
 * 300 students opening the activity at once wrote them 300 times. An instance now skips the
 * write when it wrote the same values less than REWRITE_AFTER_MS ago; a change (another title,
 * new service URLs) is written at once. Only their `lastLaunchAt` lags, by that much at most
 * (nothing shows it; the member's own `lastLaunchAt`, shown on Participants, is always written).
 */
const REWRITE_AFTER_MS = 60_000;
const MAX_REMEMBERED = 5_000;
const written = new Map<string, { signature: string; atMs: number }>();

/**
 * Runs `write` unless this instance wrote the same `values` to `key` within REWRITE_AFTER_MS
 * (of real time: a cache's age, not a domain fact, so not the injected clock).
 */
async function unlessRecent(key: string, values: object, write: () => Promise<unknown>): Promise<void> {
  const nowMs = Date.now();
  const signature = JSON.stringify(values);
  const last = written.get(key);
  if (last && last.signature === signature && nowMs - last.atMs >= 0 && nowMs - last.atMs < REWRITE_AFTER_MS) return;
  await write();
  written.delete(key);
  written.set(key, { signature, atMs: nowMs });
  for (const oldest of written.keys()) {
    if (written.size <= MAX_REMEMBERED) break;
    written.delete(oldest);
  }
}

/**
 * Records a launch: upserts the course, the activity (resource link) and the member.
 * Three independent single-document upserts: idempotent, no transaction needed, and two
 * launches racing each other converge on the same documents.
 * Returns the launch's role in its activity (a teaching assistant's depends on the activity's setting).
 */
export async function recordLaunch(
  launch: LaunchContext,
  data: LaunchData,
  defaults: { timezone: string },
  now: Date,
): Promise<ToolRole> {
  const { courseId, activityId } = launch;
  // A launch that grants nothing (an empty or unknown role list, an observer) decides only what
  // that launch may see: it records a role for someone new, but never replaces the course role
  // that NRPS or an earlier launch established (issue #15). NRPS still updates it.
  const keepsCourseRole = data.role === 'limited';
  const course = defined({
    issuer: data.issuer,
    clientId: data.clientId,
    contextId: data.context?.id,
    label: data.context?.label,
    title: data.context?.title ?? data.resourceLink?.title,
    lastDeploymentId: data.deploymentId,
  });
  const ops: Promise<unknown>[] = [
    unlessRecent(`course:${courseId}`, course, () => CourseModel.updateOne({ _id: courseId }, { $set: { ...course, lastLaunchAt: now } }, { upsert: true })),
    MemberModel.updateOne(
      { courseId, userId: data.userId },
      {
        $set: defined({
          givenName: data.user.givenName,
          familyName: data.user.familyName,
          name: data.user.name,
          email: data.user.email,
          sourcedId: data.user.sourcedId,
          username: data.user.username,
          ...(keepsCourseRole ? {} : { ltiRoles: data.ltiRoles, role: data.role }),
          active: true,
          lastLaunchAt: now,
        }),
        ...(keepsCourseRole ? { $setOnInsert: { ltiRoles: data.ltiRoles, role: data.role } } : {}),
      },
      { upsert: true },
    ),
  ];
  if (activityId && data.resourceLink) {
    const s = data.services;
    // The zone (a launching teacher's, else DEFAULT_TIMEZONE) is set on insert only, like grading:
    // a later launch by someone in another zone never overrides the teacher's choice.
    const zone = (data.role === 'teacher' ? launchTimezone(data.custom) : undefined) ?? defaults.timezone;
    const activity = defined({
      title: data.resourceLink.title,
      description: data.resourceLink.description,
      lmsReturnUrl: data.returnUrl && /^https?:\/\//i.test(data.returnUrl) ? data.returnUrl : undefined,
      'services.issuer': data.issuer,
      'services.clientId': data.clientId,
      'services.deploymentId': data.deploymentId,
      'services.agsLineItemsUrl': s.agsLineItemsUrl,
      'services.agsLineItemUrl': s.agsLineItemUrl,
      'services.agsScopes': s.agsScopes,
      'services.nrpsUrl': s.nrpsUrl,
    });
    const onInsert = { courseId, resourceLinkId: data.resourceLink.id, timezone: zone, ...initialGrading(data.custom) };
    ops.push(
      // The insert-only values (a teacher's zone) are part of the signature: a teacher's first
      // launch after students' is still written.
      unlessRecent(`activity:${activityId}`, { activity, onInsert }, () =>
        ActivityModel.updateOne({ _id: activityId }, { $set: { ...activity, lastLaunchAt: now }, $setOnInsert: onInsert }, { upsert: true }),
      ),
    );
  }
  await Promise.all(ops);
  if (!data.teachingAssistant || !activityId) return data.role;
  return mapRoles(data.ltiRoles, { teachingAssistants: await teachingAssistantPolicyOf(courseId, activityId) });
}

export interface ActivityHomeData {
  course: { title: string; label: string };
  activity: { title: string; description: string; timezone: string; gradingType: string; maxGrade: number };
}

/** Scoped read: the activity must belong to the launch's course. */
export async function loadActivityHome(courseId: string, activityId: string): Promise<ActivityHomeData | undefined> {
  const [course, activity] = await Promise.all([
    CourseModel.findOne({ _id: courseId }).lean(),
    ActivityModel.findOne({ _id: activityId, courseId }).lean(),
  ]);
  if (!course || !activity) return undefined;
  return {
    course: { title: course.title ?? '', label: course.label ?? '' },
    activity: {
      title: activity.title ?? '',
      description: activity.description ?? '',
      timezone: activity.timezone,
      gradingType: activity.grading?.type ?? 'points',
      maxGrade: activity.grading?.maxGrade ?? 100,
    },
  };
}
