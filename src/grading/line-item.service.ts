import { ActivityModel } from '../courses/activity.model';
import { LtiServiceError, type AgsServices, type ServiceEndpoints } from '../lti/lti-services';
import { Refusal } from '../shared/errors';
import { acquireLease, releaseLease } from '../shared/job-lease.service';
import type { Logger } from '../shared/logger';

/**
 * Which gradebook column (AGS line item) an activity's grades go to:
 * 1. the line item of the launch's AGS claim (Moodle creates one per graded resource link);
 * 2. otherwise ours: stored on the Activity, or found in the LMS by resource link id and our
 *    tag, or created (label = activity title, scoreMaximum = max grade, resourceLinkId).
 * A URL the LMS answered 404 for (the teacher deleted the column) is remembered as lost and
 * never used again, so the next delivery finds or creates a new one.
 *
 * Finding-or-creating runs under a lease per activity, so two instances (or two students'
 * jobs) never create two columns for one activity.
 */

export const LINE_ITEM_TAG = 'lti-attendance';
const LEASE_MS = 60_000;
const WAIT_STEP_MS = 100;
const WAIT_STEPS = 30;

type ActivityLean = {
  _id: string;
  resourceLinkId: string;
  title?: string;
  grading?: { maxGrade?: number };
  services?: {
    issuer?: string; clientId?: string; deploymentId?: string; agsLineItemsUrl?: string; agsLineItemUrl?: string; agsScopes?: string[];
  };
  gradeLineItemUrl?: string;
  gradeLineItemLostUrls?: string[];
};

export interface LineItemDeps {
  ags: AgsServices;
  now: () => Date;
  log: Logger;
  /** The worker's id, for the per-activity lease. */
  holder: string;
}

export type LineItemSource = 'launch' | 'tool' | 'none';

export interface GradeTarget {
  url: string;
  endpoints: ServiceEndpoints;
}

async function readActivity(courseId: string, activityId: string): Promise<ActivityLean> {
  const a = await ActivityModel.findOne(
    { _id: activityId, courseId },
    { resourceLinkId: 1, title: 1, grading: 1, services: 1, gradeLineItemUrl: 1, gradeLineItemLostUrls: 1 },
  ).lean<ActivityLean>();
  if (!a) throw new Refusal('not_found', 'ACTIVITY_NOT_FOUND');
  return a;
}

/** The endpoints stored at the last launch; without them the LMS never granted AGS. */
function endpointsOf(a: ActivityLean): ServiceEndpoints {
  const s = a.services ?? {};
  if (!s.issuer || !s.clientId || (!s.agsLineItemUrl && !s.agsLineItemsUrl)) throw new LtiServiceError('ags_unavailable');
  return {
    issuer: s.issuer, clientId: s.clientId, deploymentId: s.deploymentId ?? '',
    agsLineItemsUrl: s.agsLineItemsUrl, agsLineItemUrl: s.agsLineItemUrl, agsScopes: s.agsScopes,
  };
}

/** The launch's line item, else ours, unless the LMS told us it is gone. */
function knownUrl(a: ActivityLean): string | undefined {
  const lost = new Set(a.gradeLineItemLostUrls ?? []);
  return [a.services?.agsLineItemUrl, a.gradeLineItemUrl].find((u): u is string => !!u && !lost.has(u));
}

/** For the panel: where the grades go. */
export function lineItemSourceOf(a: Pick<ActivityLean, 'services' | 'gradeLineItemUrl' | 'gradeLineItemLostUrls'>): LineItemSource {
  const lost = new Set(a.gradeLineItemLostUrls ?? []);
  if (a.services?.agsLineItemUrl && !lost.has(a.services.agsLineItemUrl)) return 'launch';
  return a.gradeLineItemUrl && !lost.has(a.gradeLineItemUrl) ? 'tool' : 'none';
}

export async function resolveLineItem(courseId: string, activityId: string, deps: LineItemDeps): Promise<GradeTarget> {
  const activity = await readActivity(courseId, activityId);
  const endpoints = endpointsOf(activity);
  const known = knownUrl(activity);
  if (known) return { url: known, endpoints };
  if (!endpoints.agsLineItemsUrl) throw new LtiServiceError('ags_unavailable');
  const key = `grade-line-item:${activityId}`;
  if (!(await acquireLease(key, deps.holder, LEASE_MS, deps.now()))) return { url: await waitForOther(courseId, activityId), endpoints };
  try {
    // Someone may have stored one between our read and the lease.
    const fresh = await readActivity(courseId, activityId);
    const url = knownUrl(fresh) ?? (await findOrCreate(fresh, endpoints, deps));
    await ActivityModel.updateOne({ _id: activityId, courseId }, { $set: { gradeLineItemUrl: url } });
    return { url, endpoints };
  } finally {
    await releaseLease(key, deps.holder);
  }
}

async function findOrCreate(a: ActivityLean, endpoints: ServiceEndpoints, deps: LineItemDeps): Promise<string> {
  const lost = new Set(a.gradeLineItemLostUrls ?? []);
  const found = (await deps.ags.findLineItems(endpoints, { resourceLinkId: a.resourceLinkId, tag: LINE_ITEM_TAG }))
    // Some LMSs ignore the filters: check them ourselves.
    .find((i) => !lost.has(i.id) && i.tag === LINE_ITEM_TAG && (i.resourceLinkId === undefined || i.resourceLinkId === a.resourceLinkId));
  if (found) {
    deps.log.info({ activityId: a._id, lineItem: found.id }, 'grade sync: found our line item in the LMS');
    return found.id;
  }
  const created = await deps.ags.createLineItem(endpoints, {
    label: a.title?.trim() || 'Attendance', scoreMaximum: a.grading?.maxGrade ?? 100, resourceLinkId: a.resourceLinkId,
    tag: LINE_ITEM_TAG, resourceId: a._id,
  });
  deps.log.info({ activityId: a._id, lineItem: created.id, replacesLost: [...lost] }, 'grade sync: created a line item in the LMS');
  return created.id;
}

/** Another instance holds the lease: it is finding or creating the line item right now. */
async function waitForOther(courseId: string, activityId: string): Promise<string> {
  for (let i = 0; i < WAIT_STEPS; i++) {
    await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
    const url = knownUrl(await readActivity(courseId, activityId));
    if (url) return url;
  }
  const err = new LtiServiceError('unknown');
  err.cause = 'another instance is still finding or creating the line item';
  throw err;
}

/** The LMS answered 404 for `url`: never use it again (the next resolve finds or creates another). */
export async function markLineItemLost(courseId: string, activityId: string, url: string, log: Logger): Promise<void> {
  await ActivityModel.updateOne({ _id: activityId, courseId }, { $addToSet: { gradeLineItemLostUrls: url } });
  await ActivityModel.updateOne({ _id: activityId, courseId, gradeLineItemUrl: url }, { $unset: { gradeLineItemUrl: 1 } });
  log.warn({ courseId, activityId, lineItem: url }, 'grade sync: the LMS no longer has this line item (deleted?); a new one will be found or created');
}

/**
 * The LMS offers grade services (a line items URL) but the launch names no column of its own:
 * in Moodle, the activity was added without "Select content", so Moodle made no grade item and
 * our grades go to a separate column. The panel then tells the teacher how to link it.
 */
export function columnNotLinked(a: Pick<ActivityLean, 'services'>): boolean {
  return !!a.services?.agsLineItemsUrl && !a.services.agsLineItemUrl;
}

/** For the panel: where grades go, and whether the activity's own column is missing. */
export async function loadLineItemStatus(courseId: string, activityId: string): Promise<{ source: LineItemSource; notLinked: boolean }> {
  const activity = await readActivity(courseId, activityId);
  return { source: lineItemSourceOf(activity), notLinked: columnNotLinked(activity) };
}
