import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { ActivityModel } from '../courses/activity.model';
import { GroupModel } from '../groups/group.model';
import { Locale, t, toLocale } from '../i18n/i18n';
import { MemberModel } from '../roster/member.model';
import { AttendanceSessionModel } from '../sessions/attendance-session.model';
import { CalendarFeedTokenModel } from './calendar-feed.model';
import { IcalEvent, writeCalendar } from './ical';

/**
 * The student's private iCalendar feed. The token in the URL is the only credential (calendar
 * apps cannot launch from the LMS): 32 random bytes, looked up by its SHA-256 hash, replaced on
 * renew, deleted on turn-off.
 */

const DAY_MS = 24 * 3600 * 1000;
/** A class that just ended stays in the feed for a month, so today's meeting never vanishes mid-day. */
export const FEED_PAST_DAYS = 30;
/** Series span at most a year; the feed looks as far ahead. */
export const FEED_AHEAD_DAYS = 366;
export const FEED_REFRESH_HOURS = 6;
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/;

export const feedPath = (token: string) => `/calendar/${token}.ics`;
export const isFeedToken = (s: string) => TOKEN_FORMAT.test(s);

const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('base64url');
const sealKey = (signingKey: Buffer) => createHmac('sha256', signingKey).update('lti-attendance/calendar-feed/v1').digest();
const scope = (courseId: string, activityId: string, userId: string) => Buffer.from(JSON.stringify([courseId, activityId, userId]), 'utf8');

/** AES-256-GCM, bound to its (course, activity, student) so a sealed token cannot be moved. */
function seal(signingKey: Buffer, token: string, aad: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealKey(signingKey), iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

/** undefined when the signing key changed since (the link still works; renewing shows a new one). */
function unseal(signingKey: Buffer, sealed: string, aad: Buffer): string | undefined {
  const [v, iv, tag, body] = sealed.split('.');
  if (v !== 'v1' || !iv || !tag || !body) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', sealKey(signingKey), Buffer.from(iv, 'base64url'));
    decipher.setAAD(aad);
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

export interface CalendarFeedState {
  active: boolean;
  /** The full private URL, when it can be shown. */
  url?: string;
  createdAt?: Date;
  lastUsedAt?: Date;
}

type TokenLean = { _id: string; courseId: string; activityId: string; userId: string; tokenSealed: string; locale?: string; createdAt: Date; lastUsedAt?: Date };

export async function calendarFeedState(courseId: string, activityId: string, userId: string, signingKey: Buffer, publicUrl: string): Promise<CalendarFeedState> {
  const doc = await CalendarFeedTokenModel.findOne({ courseId, activityId, userId }).lean<TokenLean>();
  if (!doc) return { active: false };
  const token = unseal(signingKey, doc.tokenSealed, scope(courseId, activityId, userId));
  return { active: true, url: token ? `${publicUrl}${feedPath(token)}` : undefined, createdAt: doc.createdAt, lastUsedAt: doc.lastUsedAt };
}

/**
 * `create` makes the student's link unless one exists (a second click, or a stale page in
 * another tab, must not break a subscription already made); `renew` replaces it, and the old
 * token stops working at once.
 */
export async function issueCalendarFeed(
  courseId: string, activityId: string, userId: string, mode: 'create' | 'renew', locale: Locale, signingKey: Buffer, now: Date,
): Promise<void> {
  const token = randomBytes(32).toString('base64url');
  const fields = { tokenHash: hashToken(token), tokenSealed: seal(signingKey, token, scope(courseId, activityId, userId)), locale, createdAt: now };
  const filter = { courseId, activityId, userId };
  const update = mode === 'create'
    ? { $setOnInsert: { _id: randomUUID(), ...fields } }
    : { $set: fields, $unset: { lastUsedAt: 1 }, $setOnInsert: { _id: randomUUID() } };
  try {
    await CalendarFeedTokenModel.updateOne(filter, update, { upsert: true });
  } catch (err) {
    // Two clicks racing: the other upsert inserted first. For create that one stands; renew replaces it.
    if ((err as { code?: number }).code !== 11000) throw err;
    if (mode === 'renew') await CalendarFeedTokenModel.updateOne(filter, { $set: fields, $unset: { lastUsedAt: 1 } });
  }
}

export async function revokeCalendarFeed(courseId: string, activityId: string, userId: string): Promise<void> {
  await CalendarFeedTokenModel.deleteOne({ courseId, activityId, userId });
}

type ActivityLean = { title?: string; timezone: string };
type SessionLean = { _id: string; startsAt: Date; durationMinutes: number; description?: string; audience: { kind: 'all' | 'group'; groupId?: string }; updatedAt?: Date };

/** Sessions of the student's audience (all students + their groups) in the feed's window. */
async function feedSessions(courseId: string, activityId: string, userId: string, now: Date): Promise<{ sessions: SessionLean[]; groupNames: Map<string, string> }> {
  const member = await MemberModel.findOne({ courseId, userId }, { active: 1 }).lean<{ active?: boolean }>();
  // Someone who left the course keeps a working link but sees no sessions (not an error).
  if (!member || member.active === false) return { sessions: [], groupNames: new Map() };
  const groups = await GroupModel.find({ courseId, memberIds: userId }, { name: 1 }).lean<Array<{ _id: string; name: string }>>();
  const sessions = await AttendanceSessionModel.find(
    {
      courseId, activityId,
      startsAt: { $gte: new Date(now.getTime() - FEED_PAST_DAYS * DAY_MS), $lt: new Date(now.getTime() + FEED_AHEAD_DAYS * DAY_MS) },
      $or: [{ 'audience.kind': 'all' }, { 'audience.groupId': { $in: groups.map((g) => g._id) } }],
    },
    { startsAt: 1, durationMinutes: 1, description: 1, audience: 1, updatedAt: 1 },
  ).sort({ startsAt: 1 }).lean<SessionLean[]>();
  return { sessions, groupNames: new Map(groups.map((g) => [g._id, g.name])) };
}

function toEvent(s: SessionLean, title: string, groupNames: Map<string, string>, host: string, locale: Locale): IcalEvent {
  const group = s.audience.kind === 'group' ? groupNames.get(s.audience.groupId ?? '') : undefined;
  return {
    uid: `${s._id}@${host}`,
    start: s.startsAt,
    end: new Date(s.startsAt.getTime() + s.durationMinutes * 60_000),
    summary: s.description ? `${title} – ${s.description}` : title,
    description: group ? t(locale, 'student_view.feed.group', { name: group }) : t(locale, 'student_view.feed.all_students'),
    lastModified: s.updatedAt,
  };
}

/**
 * The feed for a token, or undefined (unknown, revoked, or its activity gone). Not scoped by a
 * course id argument: the token is what names the course, activity and student.
 */
export async function calendarFeedFor(token: string, now: Date, publicUrl: string): Promise<string | undefined> {
  if (!isFeedToken(token)) return undefined;
  const doc = await CalendarFeedTokenModel.findOne({ tokenHash: hashToken(token) }).lean<TokenLean>();
  if (!doc) return undefined;
  const { courseId, activityId, userId } = doc;
  const activity = await ActivityModel.findOne({ _id: activityId, courseId }, { title: 1, timezone: 1 }).lean<ActivityLean>();
  if (!activity) return undefined;
  const locale = toLocale(doc.locale) ?? 'en';
  const [{ sessions, groupNames }] = await Promise.all([
    feedSessions(courseId, activityId, userId, now),
    CalendarFeedTokenModel.updateOne({ _id: doc._id, tokenHash: hashToken(token) }, { $set: { lastUsedAt: now } }),
  ]);
  const title = activity.title || t(locale, 'home.untitled_activity');
  const host = new URL(publicUrl).host;
  return writeCalendar({
    prodId: '-//LTI Attendance//Calendar feed//EN', name: title, timezone: activity.timezone, stamp: now,
    refreshHours: FEED_REFRESH_HOURS, events: sessions.map((s) => toEvent(s, title, groupNames, host, locale)),
  });
}
