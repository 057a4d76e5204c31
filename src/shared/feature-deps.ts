import type { LtiServices } from '../lti/lti-services';
import type { Logger } from './logger';

/** What every feature router gets from the composition root (src/server.ts). */
export interface FeatureDeps {
  now: () => Date;
  defaultTimezone: string;
  log: Logger;
  lti: LtiServices;
  /** The tool's public base URL (QR codes, links opened outside the LMS). */
  publicUrl: string;
  /** HMAC key for our own signed cookies and tickets; derived from the LTI key, so equal on every instance. */
  signingKey: Buffer;
}
