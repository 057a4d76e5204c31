/**
 * Why a roster refresh failed, as short codes stored on the RosterSync record and shown as
 * roster.reasons.<code>. The first group comes from the NRPS adapter (LtiServiceError messages,
 * src/lti/nrps.adapter.ts); the last two are the roster's own refusals. Pure.
 */
import { NRPS_FAILURE_REASONS } from '../lti/lti-services';

export const SYNC_FAILURE_REASONS = [
  ...NRPS_FAILURE_REASONS,
  /** The LMS answered with nobody at all: never trusted, it would deactivate the whole course. */
  'empty_roster',
  /** The database refused the write (twice); nothing the LMS did. */
  'save_failed',
] as const;

export type SyncFailureReason = (typeof SYNC_FAILURE_REASONS)[number];

export function toSyncFailureReason(value: unknown): SyncFailureReason {
  return (SYNC_FAILURE_REASONS as readonly unknown[]).includes(value) ? (value as SyncFailureReason) : 'unknown';
}
