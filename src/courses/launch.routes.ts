import type { Request, Response } from 'express';
import type { LaunchContext, LaunchData } from '../lti/launch-context';
import { assertDeploymentAllowed } from '../lti/launch-context.middleware';
import type { PlatformRegistry } from '../platforms/platform-registry';
import { Refusal } from '../shared/errors';
import { withLtik } from '../shared/links';
import { setLocale } from '../shared/locale.middleware';
import { DEEP_LINKING_PATH } from './deep-linking.routes';
import { recordLaunch } from './launch.service';
import { countLaunch } from '../metrics/metrics';

export interface LaunchHandlerDeps {
  registry: PlatformRegistry;
  defaultTimezone: string;
  now: () => Date;
  /** Feature work after the launch is recorded (default status set, roster refresh). */
  afterLaunch: (launch: LaunchContext) => Promise<void>;
}

export function homePath(launch: LaunchContext): string {
  const base = `/activity/${launch.activityId}`;
  return launch.role === 'teacher' ? `${base}/teacher` : `${base}/student`;
}

/** A validated resource-link launch: record who came from where, then go to the role's home. */
export function launchHandler(deps: LaunchHandlerDeps) {
  return async (_req: Request, res: Response, data: LaunchData, launch: LaunchContext): Promise<void> => {
    setLocale(res.locals, launch.locale);
    await assertDeploymentAllowed(deps.registry, launch);
    if (!launch.activityId) throw new Refusal('malformed_launch', 'NO_RESOURCE_LINK');
    // A teaching assistant's role depends on the activity's setting (read where the activity is recorded).
    const role = await recordLaunch(launch, data, { timezone: deps.defaultTimezone }, deps.now());
    const inActivity = { ...launch, role };
    countLaunch(role);
    await deps.afterLaunch(inActivity);
    res.redirect(303, withLtik(homePath(inActivity), launch.ltik));
  };
}

/**
 * Content selection (deep linking): on to the form that creates an attendance activity
 * (deep-linking.routes.ts, which also refuses non-teachers).
 */
export function deepLinkingHandler(deps: LaunchHandlerDeps) {
  return async (_req: Request, res: Response, _data: LaunchData, launch: LaunchContext): Promise<void> => {
    setLocale(res.locals, launch.locale);
    await assertDeploymentAllowed(deps.registry, launch);
    countLaunch('deep_linking');
    res.redirect(303, withLtik(DEEP_LINKING_PATH, launch.ltik));
  };
}
