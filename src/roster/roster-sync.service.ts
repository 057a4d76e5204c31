import { ActivityModel } from '../courses/activity.model';
import type { LaunchContext } from '../lti/launch-context';
import { LtiServiceError, type RosterMember, type ServiceEndpoints } from '../lti/lti-services';
import { Refusal } from '../shared/errors';
import type { FeatureDeps } from '../shared/feature-deps';
import { MemberModel } from './member.model';
import { diffRoster, type RosterDiff } from './roster-diff';
import { RosterSyncModel } from './roster-sync.model';
import { toSyncFailureReason, type SyncFailureReason } from './sync-reasons';

export type SyncDeps = Pick<FeatureDeps, 'lti' | 'now' | 'log'>;

export type SyncOutcome =
  | { status: 'ok'; counts: RosterDiff['counts'] }
  | { status: 'failed'; reason: SyncFailureReason; httpStatus?: number }
  | { status: 'unavailable' };

/** How long a teacher's launch waits for the roster before going on (the refresh then finishes in the background). */
export const LAUNCH_SYNC_WAIT_MS = 5_000;

type StoredServices = { issuer?: string | null; clientId?: string | null; deploymentId?: string | null; nrpsUrl?: string | null } | null | undefined;

function toEndpoints(s: StoredServices): ServiceEndpoints | undefined {
  if (!s?.nrpsUrl || !s.issuer || !s.clientId) return undefined;
  return { issuer: s.issuer, clientId: s.clientId, deploymentId: s.deploymentId ?? '', nrpsUrl: s.nrpsUrl };
}

async function record(courseId: string, activityId: string, at: Date, outcome: SyncOutcome): Promise<SyncOutcome> {
  const set: Record<string, unknown> = { activityId, status: outcome.status, at };
  const unset: Record<string, 1> = { reason: 1, httpStatus: 1 };
  if (outcome.status === 'ok') Object.assign(set, { counts: outcome.counts, lastSuccessAt: at });
  if (outcome.status === 'failed') {
    set.reason = outcome.reason;
    delete unset.reason;
    if (outcome.httpStatus !== undefined) {
      set.httpStatus = outcome.httpStatus;
      delete unset.httpStatus;
    }
  }
  await RosterSyncModel.updateOne({ _id: courseId }, { $set: set, ...(Object.keys(unset).length > 0 ? { $unset: unset } : {}) }, { upsert: true });
  return outcome;
}

function toBulkOps(courseId: string, diff: RosterDiff, syncedAt: Date): Parameters<typeof MemberModel.bulkWrite>[0] {
  return [
    ...diff.upserts.map((u) => ({ updateOne: { filter: { courseId, userId: u.userId }, update: { $set: u.set }, upsert: true } })),
    ...(diff.unchanged.length > 0
      ? [{ updateMany: { filter: { courseId, userId: { $in: diff.unchanged } }, update: { $set: { lastRosterSyncAt: syncedAt } } } }]
      : []),
    ...diff.deactivations.map((userId) => ({
      updateOne: { filter: { courseId, userId }, update: { $set: { active: false, rosterStatus: 'absent' as const } } },
    })),
  ];
}

/** One bulkWrite; retried once because a student launching at the same moment can win the upsert race (E11000). Idempotent. */
async function applyDiff(courseId: string, diff: RosterDiff, syncedAt: Date): Promise<void> {
  const ops = toBulkOps(courseId, diff, syncedAt);
  try {
    await MemberModel.bulkWrite(ops, { ordered: false });
  } catch {
    await MemberModel.bulkWrite(ops, { ordered: false });
  }
}

function describeFailure(err: unknown): { reason: SyncFailureReason; httpStatus?: number } {
  if (!(err instanceof LtiServiceError)) return { reason: 'unknown' };
  return { reason: toSyncFailureReason(err.message), httpStatus: err.status };
}

/**
 * Refreshes the course roster from the LMS (NRPS, every page) through the activity's stored
 * endpoints. An LMS failure changes no member; only a complete, non-empty answer is applied.
 */
export async function syncRoster(courseId: string, activityId: string, deps: SyncDeps): Promise<SyncOutcome> {
  const activity = await ActivityModel.findOne({ _id: activityId, courseId }, { services: 1 }).lean();
  if (!activity) throw new Refusal('not_found', 'ACTIVITY_NOT_IN_COURSE');
  const endpoints = toEndpoints(activity.services);
  if (!endpoints) return record(courseId, activityId, deps.now(), { status: 'unavailable' });

  const startedAt = deps.now();
  let members: RosterMember[];
  try {
    members = await deps.lti.getMembers(endpoints);
  } catch (err) {
    const failure = describeFailure(err);
    deps.log.warn({ err, courseId, activityId, ...failure }, 'roster refresh from the LMS failed; previous roster kept');
    return record(courseId, activityId, deps.now(), { status: 'failed', ...failure });
  }
  if (members.length === 0) {
    deps.log.warn({ courseId, activityId }, 'the LMS returned an empty roster; previous roster kept');
    return record(courseId, activityId, deps.now(), { status: 'failed', reason: 'empty_roster' });
  }

  const existing = await MemberModel.find({ courseId }).lean();
  const diff = diffRoster(existing, members, startedAt);
  try {
    await applyDiff(courseId, diff, startedAt);
  } catch (err) {
    deps.log.error({ err, courseId, activityId }, 'saving the roster from the LMS failed');
    return record(courseId, activityId, deps.now(), { status: 'failed', reason: 'save_failed' });
  }
  deps.log.info({ courseId, activityId, ...diff.counts, deactivated: diff.deactivations.length }, 'roster refreshed from the LMS');
  return record(courseId, activityId, deps.now(), { status: 'ok', counts: diff.counts });
}

/**
 * Called (and awaited) after every teacher launch. Never throws: a roster problem must not stop
 * the teacher from getting in. Waits at most `waitMs`; a slower LMS finishes in the background
 * and records its own outcome.
 */
export async function syncRosterAfterTeacherLaunch(deps: FeatureDeps, launch: LaunchContext, waitMs = LAUNCH_SYNC_WAIT_MS): Promise<void> {
  const { courseId, activityId } = launch;
  if (!activityId) return;
  const sync = syncRoster(courseId, activityId, deps).catch(async (err: unknown) => {
    deps.log.error({ err, courseId, activityId }, 'roster refresh after a teacher launch failed');
    await record(courseId, activityId, deps.now(), { status: 'failed', reason: 'unknown' }).catch(() => undefined);
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), waitMs);
  });
  try {
    const result = await Promise.race([sync, timeout]);
    if (result === 'timeout') deps.log.warn({ courseId, activityId, waitMs }, 'roster refresh is slow; the launch goes on without waiting');
  } finally {
    clearTimeout(timer);
  }
}
