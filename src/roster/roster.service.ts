import { ActivityModel } from '../courses/activity.model';
import type { ToolRole } from '../lti/roles';
import { Refusal } from '../shared/errors';
import { MemberModel } from './member.model';
import type { RosterStatus } from './roster-diff';
import { RosterSyncModel } from './roster-sync.model';

export interface RosterRow {
  userId: string;
  givenName: string;
  familyName: string;
  name: string;
  email?: string;
  username?: string;
  role: ToolRole;
  /** As the LMS last sent them: the roster names teaching assistants from these. */
  ltiRoles?: string[];
  active: boolean;
  rosterStatus?: RosterStatus;
  lastLaunchAt?: Date;
}

export interface RosterSyncState {
  status: 'ok' | 'failed' | 'unavailable';
  at: Date;
  reason?: string;
  httpStatus?: number;
  counts: { active: number; inactive: number; added: number };
  lastSuccessAt?: Date;
}

export interface RosterData {
  timezone: string;
  /** The LMS offered NRPS in this activity's last launch. */
  nrpsAvailable: boolean;
  members: RosterRow[];
  sync?: RosterSyncState;
}

const opt = <T>(v: T | null | undefined): T | undefined => v ?? undefined;

/** Everything the roster page shows; the activity must belong to the course (else 404). */
export async function loadRoster(courseId: string, activityId: string): Promise<RosterData> {
  const [activity, members, sync] = await Promise.all([
    ActivityModel.findOne({ _id: activityId, courseId }, { timezone: 1, services: 1 }).lean(),
    MemberModel.find({ courseId }).lean(),
    RosterSyncModel.findOne({ _id: courseId }).lean(),
  ]);
  if (!activity) throw new Refusal('not_found', 'ACTIVITY_NOT_IN_COURSE');
  return {
    timezone: activity.timezone,
    nrpsAvailable: Boolean(activity.services?.nrpsUrl),
    members: members.map((m) => ({
      userId: m.userId,
      givenName: m.givenName ?? '',
      familyName: m.familyName ?? '',
      name: m.name ?? '',
      email: opt(m.email),
      username: opt(m.username),
      role: m.role as ToolRole,
      ltiRoles: [...(m.ltiRoles ?? [])],
      active: m.active ?? true,
      rosterStatus: opt(m.rosterStatus) as RosterStatus | undefined,
      lastLaunchAt: opt(m.lastLaunchAt),
    })),
    sync: sync
      ? {
          status: sync.status as RosterSyncState['status'],
          at: sync.at,
          reason: opt(sync.reason),
          httpStatus: opt(sync.httpStatus),
          counts: { active: sync.counts?.active ?? 0, inactive: sync.counts?.inactive ?? 0, added: sync.counts?.added ?? 0 },
          lastSuccessAt: opt(sync.lastSuccessAt),
        }
      : undefined,
  };
}
