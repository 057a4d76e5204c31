import type { RequestHandler, Response } from 'express';
import type { Locale } from '../i18n/i18n';
import type { PlatformRegistry } from '../platforms/platform-registry';
import { teachingAssistantPolicyOf } from '../roster/teaching-assistants.service';
import { asyncHandler } from '../shared/async-handler';
import { Refusal } from '../shared/errors';
import { setLocale } from '../shared/locale.middleware';
import type { LaunchContext } from './launch-context';
import { launchFromLocals } from './lti.adapter';
import { mapRoles, type TeachingAssistantPolicy, type ToolRole } from './roles';

/** The activity's teaching-assistant setting (default: read from the database on each TA request). */
export type TeachingAssistantPolicyLookup = (courseId: string, activityId: string) => Promise<TeachingAssistantPolicy>;

/**
 * Turns ltijs's validated session into our LaunchContext (res.locals.launch) and switches the
 * UI to the launch locale. ltijs accepts every deployment, so the registration's allowed
 * deployment ids are enforced here, on every request, not only at launch.
 * A teaching assistant's role is decided by the activity's setting as it is now, so a teacher's
 * change applies to the TA's next request; nobody else's request reads anything for it.
 */
export function launchContextMiddleware(
  registry: PlatformRegistry,
  defaultLocale: Locale,
  policyOf: TeachingAssistantPolicyLookup = teachingAssistantPolicyOf,
): RequestHandler {
  return asyncHandler(async (_req, res, next) => {
    const found = launchFromLocals(res, defaultLocale);
    if (!found) throw new Refusal('session_expired', 'NO_LAUNCH_CONTEXT');
    const { data } = found;
    let { launch } = found;
    await assertDeploymentAllowed(registry, launch);
    if (launch.teachingAssistant && launch.activityId) {
      const policy = await policyOf(launch.courseId, launch.activityId);
      launch = { ...launch, role: mapRoles(data.ltiRoles, { teachingAssistants: policy }) };
    }
    res.locals.launch = launch;
    setLocale(res.locals, launch.locale);
    next();
  });
}

export async function assertDeploymentAllowed(registry: PlatformRegistry, launch: LaunchContext): Promise<void> {
  const verdict = await registry.checkDeployment(launch.issuer, launch.clientId, launch.deploymentId);
  if (verdict === 'unknown_platform') throw new Refusal('unregistered_platform', 'PLATFORM_REMOVED');
  if (verdict === 'deployment_not_allowed') throw new Refusal('deployment_not_allowed', `DEPLOYMENT ${launch.deploymentId}`);
}

export function getLaunch(res: Response): LaunchContext {
  const launch = res.locals.launch as LaunchContext | undefined;
  if (!launch) throw new Refusal('session_expired', 'NO_LAUNCH_CONTEXT');
  return launch;
}

/** The activity in the URL must be the one this launch is for: course A cannot reach course B. */
export const requireLaunchActivity: RequestHandler = (req, res, next) => {
  const launch = getLaunch(res);
  if (!launch.activityId || req.params.activityId !== launch.activityId) {
    return next(new Refusal('wrong_activity', 'ACTIVITY_NOT_IN_LAUNCH'));
  }
  next();
};

export function requireRole(...roles: ToolRole[]): RequestHandler {
  return (_req, res, next) => {
    const launch = getLaunch(res);
    if (!roles.includes(launch.role)) return next(new Refusal('wrong_role', `ROLE_${launch.role.toUpperCase()}`));
    next();
  };
}
