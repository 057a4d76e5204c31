import type { RosterMember } from '../lti/lti-services';
import { mapRoles, type ToolRole } from '../lti/roles';

/**
 * Roster diffing (pure): what the course's stored members + one complete NRPS answer mean for
 * the database. Members are never deleted — attendance records point at them — so people the
 * LMS reports Inactive/Deleted, or no longer returns at all, only become inactive.
 */

export type RosterStatus = 'active' | 'inactive' | 'deleted' | 'absent';

/** A stored member; the optional fields let the diff skip members whose data did not change. */
export interface KnownMember {
  userId: string;
  active: boolean;
  rosterStatus?: RosterStatus | null;
  givenName?: string | null;
  familyName?: string | null;
  name?: string | null;
  email?: string | null;
  sourcedId?: string | null;
  username?: string | null;
  ltiRoles?: readonly string[] | null;
  role?: ToolRole | null;
}

export interface MemberFields {
  givenName?: string;
  familyName?: string;
  name?: string;
  email?: string;
  sourcedId?: string;
  username?: string;
  ltiRoles: string[];
  role: ToolRole;
  active: boolean;
  rosterStatus: RosterStatus;
  lastRosterSyncAt: Date;
}

export interface MemberUpsert {
  userId: string;
  isNew: boolean;
  /** Only what the LMS told us: a field the LMS left out (e.g. email hidden by privacy settings) keeps its stored value. */
  set: MemberFields;
}

export interface RosterDiff {
  /** New members and members whose data changed. */
  upserts: MemberUpsert[];
  /** Listed by the LMS exactly as stored: only their lastRosterSyncAt moves (one updateMany, not one write each). */
  unchanged: string[];
  /** User ids to mark inactive because the LMS no longer returns them. */
  deactivations: string[];
  counts: { active: number; inactive: number; added: number };
}

const STATUS: Record<RosterMember['status'], RosterStatus> = { Active: 'active', Inactive: 'inactive', Deleted: 'deleted' };

function fieldsOf(m: RosterMember, now: Date): MemberFields {
  const name = m.name ?? ([m.givenName, m.familyName].filter(Boolean).join(' ') || undefined);
  const optional = { givenName: m.givenName, familyName: m.familyName, name, email: m.email, sourcedId: m.sourcedId, username: m.username };
  const defined = Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined));
  return {
    ...defined,
    ltiRoles: [...m.roles],
    role: mapRoles(m.roles),
    active: m.status === 'Active',
    rosterStatus: STATUS[m.status],
    lastRosterSyncAt: now,
  };
}

function sameValue(stored: unknown, next: unknown): boolean {
  if (Array.isArray(next)) {
    return Array.isArray(stored) && stored.length === next.length && next.every((v, i) => stored[i] === v);
  }
  return (stored ?? undefined) === next;
}

function changed(stored: KnownMember, set: MemberFields): boolean {
  return Object.entries(set).some(([key, value]) => key !== 'lastRosterSyncAt' && !sameValue(stored[key as keyof KnownMember], value));
}

export function diffRoster(existing: readonly KnownMember[], lms: readonly RosterMember[], now: Date): RosterDiff {
  // A paged answer can repeat a member across pages when the course changes mid-sync: the last one wins.
  const fromLms = new Map<string, RosterMember>();
  for (const m of lms) if (m.userId) fromLms.set(m.userId, m);
  const known = new Map(existing.map((m) => [m.userId, m]));

  const upserts: MemberUpsert[] = [];
  const unchanged: string[] = [];
  let active = 0;
  for (const m of fromLms.values()) {
    const set = fieldsOf(m, now);
    const stored = known.get(m.userId);
    if (set.active) active += 1;
    if (stored && !changed(stored, set)) unchanged.push(m.userId);
    else upserts.push({ userId: m.userId, isNew: !stored, set });
  }
  const missing = existing.filter((m) => !fromLms.has(m.userId));
  const deactivations = missing.filter((m) => m.active || m.rosterStatus !== 'absent').map((m) => m.userId);
  return {
    upserts,
    unchanged,
    deactivations,
    counts: { active, inactive: fromLms.size - active + missing.length, added: upserts.filter((u) => u.isNew).length },
  };
}
