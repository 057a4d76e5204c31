import { Router } from 'express';
import type { FeatureDeps } from '../shared/feature-deps';

/** Public QR check-in entry (/checkin/<publicId>), mounted before ltijs. */
export function qrCheckInRouter(_deps: FeatureDeps): Router {
  return Router();
}
