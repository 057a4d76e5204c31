import type { LtiServices } from '../lti/lti-services';
import type { Logger } from './logger';

/** What every feature router gets from the composition root (src/server.ts). */
export interface FeatureDeps {
  now: () => Date;
  defaultTimezone: string;
  log: Logger;
  lti: LtiServices;
}
