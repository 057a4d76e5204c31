import QRCode from 'qrcode';
import { AttendanceRecordModel } from '../attendance/attendance-record.model';
import { splitAudience } from '../attendance/take-rules';
import { findGroup } from '../groups/group-lookup.service';
import { MemberModel } from '../roster/member.model';
import { activityTimezone, getSession, StoredSession } from '../sessions/sessions.service';
import type { SelfMarkingSettings } from './settings';
import { readExtras, settingsFrom } from './self-marking.service';

/**
 * What the teacher's projector shows: the session, its self-marking settings and keys, and how
 * many of its audience have a mark. Scoped by (courseId, activityId); read-only.
 */

export interface AudienceCount {
  /** Students of the audience who checked themselves in (a self-recorded time, whatever the teacher changed since). */
  checkedIn: number;
  /** Students of the audience with a record in this session (any source: also the take page, automatic marking). */
  marked: number;
  /** Active students of the audience (everyone, or the group's members). */
  expected: number;
}

export interface ProjectorFacts {
  session: StoredSession;
  timezone: string;
  /** Undefined until the teacher saved the self-marking settings once. */
  settings?: SelfMarkingSettings;
  /** Undefined when the session has no check-in keys (settings never saved). */
  keys?: { secret: Buffer; sessionId: string; publicId: string };
  counts: AudienceCount;
}

type MemberLean = { userId: string; role: string; active?: boolean | null };

/**
 * Only records of students still in the audience count, so the counter never shows more than
 * everyone (a student who left the group keeps their record, but is no longer expected).
 */
export async function countCheckedIn(courseId: string, activityId: string, session: StoredSession): Promise<AudienceCount> {
  const groupId = session.audience.kind === 'group' ? session.audience.groupId ?? '' : undefined;
  const [group, records] = await Promise.all([
    groupId === undefined ? Promise.resolve(undefined) : findGroup(courseId, groupId),
    AttendanceRecordModel.find({ courseId, activityId, sessionId: session.id }, { userId: 1, selfRecordedAt: 1 }).lean<Array<{ userId: string; selfRecordedAt?: Date | null }>>(),
  ]);
  // A group session whose group is gone has nobody left in its audience (as on the take page).
  const groupMembers = groupId === undefined ? undefined : group?.memberIds ?? [];
  const filter = groupMembers ? { courseId, userId: { $in: groupMembers } } : { courseId, role: 'student', active: true };
  const members = await MemberModel.find(filter, { userId: 1, role: 1, active: 1 }).lean<MemberLean[]>();
  const facts = members.map((m) => ({ userId: m.userId, role: m.role, active: m.active ?? true }));
  const audience = splitAudience(facts, [], groupMembers ? new Set(groupMembers) : undefined).students;
  const marked = new Set(records.map((r) => r.userId));
  const self = new Set(records.filter((r) => r.selfRecordedAt).map((r) => r.userId));
  return {
    checkedIn: audience.filter((s) => self.has(s.userId)).length,
    marked: audience.filter((s) => marked.has(s.userId)).length,
    expected: audience.length,
  };
}

export async function loadProjector(courseId: string, activityId: string, sessionId: string, fallbackZone: string): Promise<ProjectorFacts> {
  const [session, timezone, extras] = await Promise.all([
    getSession(courseId, activityId, sessionId),
    activityTimezone(courseId, activityId, fallbackZone),
    readExtras(courseId, activityId, sessionId),
  ]);
  const counts = await countCheckedIn(courseId, activityId, session);
  const secret = Buffer.from(extras.checkInSecret ?? '', 'base64');
  const keys = secret.length > 0 && extras.publicId ? { secret, sessionId: session.id, publicId: extras.publicId } : undefined;
  return { session, timezone, settings: settingsFrom(extras.selfMarking), keys, counts };
}

/**
 * The QR as an SVG data URI (the CSP allows data: images, and an <img> keeps the markup out of
 * our templates). A projector asks every few seconds for the same slot's URL: keep the last few.
 */
const svgCache = new Map<string, string>();
const SVG_CACHE_SIZE = 200;

export async function qrDataUri(url: string): Promise<string> {
  const cached = svgCache.get(url);
  if (cached) return cached;
  const svg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  const uri = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
  if (svgCache.size >= SVG_CACHE_SIZE) {
    const oldest = svgCache.keys().next().value;
    if (oldest !== undefined) svgCache.delete(oldest);
  }
  svgCache.set(url, uri);
  return uri;
}
