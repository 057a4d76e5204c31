import { Router } from 'express';
import type { FeatureDeps } from '../shared/feature-deps';

/** Teacher's projector view (filled in by the projector work). */
export function projectorRouter(_deps: FeatureDeps): Router {
  return Router();
}
