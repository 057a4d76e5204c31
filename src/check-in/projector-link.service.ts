import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Locale, toLocale } from '../i18n/i18n';
import { getSession } from '../sessions/sessions.service';
import { Refusal } from '../shared/errors';
import { ProjectorLinkModel } from './projector-link.model';
import { loadProjector, ProjectorFacts } from './projector.service';
import { checkInWindow } from './window';

/**
 * Projector links: the lecture hall's screen shows a session's projector through a random token
 * instead of a URL holding the teacher's ltik (issue #12). A token grants reading that one
 * session's projector and nothing else. Tokens are stored hashed, so the teacher cannot be shown
 * an existing one again: every "Projector" click mints a new one (each screen gets its own), and
 * revoking deletes all of the session's at once.
 */

/** How long a link outlives the end of its session's check-in: the final count stays up while the room empties. */
export const LINK_MARGIN_MINUTES = 30;
/** A further click drops the oldest, so endless clicking cannot grow the collection without bound. */
export const MAX_LINKS_PER_SESSION = 20;
/** 32 random bytes (256 bits) in base64url. */
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/;

const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('base64url');

type LinkLean = { courseId: string; activityId: string; sessionId: string; locale?: string };

/** A new link to the session's projector (404 when the session is not the activity's). Returns the token. */
export async function mintProjectorLink(
  courseId: string, activityId: string, sessionId: string, by: { userId: string; locale: Locale }, now: Date,
): Promise<string> {
  const session = await getSession(courseId, activityId, sessionId);
  const closesAt = checkInWindow(session, 0, now.getTime()).closesAt.getTime();
  // Opened after the end (to show the final count), it still lives for the margin.
  const expiresAt = new Date(Math.max(now.getTime(), closesAt) + LINK_MARGIN_MINUTES * 60_000);
  const token = randomBytes(32).toString('base64url');
  await ProjectorLinkModel.create({
    _id: randomUUID(), courseId, activityId, sessionId: session.id, tokenHash: hashToken(token),
    locale: by.locale, createdBy: by.userId, createdAt: now, expiresAt,
  });
  await dropOldest(courseId, activityId, session.id);
  return token;
}

async function dropOldest(courseId: string, activityId: string, sessionId: string): Promise<void> {
  const old = await ProjectorLinkModel.find({ courseId, activityId, sessionId }, { _id: 1 })
    .sort({ createdAt: -1, _id: 1 }).skip(MAX_LINKS_PER_SESSION).lean<Array<{ _id: string }>>();
  if (old.length > 0) await ProjectorLinkModel.deleteMany({ _id: { $in: old.map((d) => d._id) } });
}

/** Deletes every link of the session (404 when the session is not the activity's); returns how many. */
export async function revokeProjectorLinks(courseId: string, activityId: string, sessionId: string): Promise<number> {
  const session = await getSession(courseId, activityId, sessionId);
  const res = await ProjectorLinkModel.deleteMany({ courseId, activityId, sessionId: session.id });
  return res.deletedCount;
}

/**
 * The projector behind a token, in the language of the teacher who made it; undefined when the
 * token is malformed, unknown, revoked or expired, or its session is gone. Callers answer all of
 * these alike, so a visitor learns nothing about which it was. Not scoped by a course argument:
 * the token is what names the course, activity and session.
 */
export async function openProjectorLink(token: string, now: Date, fallbackZone: string): Promise<{ facts: ProjectorFacts; locale: Locale } | undefined> {
  if (!TOKEN_FORMAT.test(token)) return undefined;
  const link = await ProjectorLinkModel.findOne({ tokenHash: hashToken(token), expiresAt: { $gt: now } }).lean<LinkLean>();
  if (!link) return undefined;
  try {
    const facts = await loadProjector(link.courseId, link.activityId, link.sessionId, fallbackZone);
    return { facts, locale: toLocale(link.locale) ?? 'en' };
  } catch (err) {
    if (err instanceof Refusal && err.kind === 'not_found') return undefined;
    throw err;
  }
}

/** For the cleanup job: expired links are already refused; this only reclaims their space. */
export async function deleteExpiredProjectorLinks(now: Date): Promise<number> {
  return (await ProjectorLinkModel.deleteMany({ expiresAt: { $lte: now } })).deletedCount;
}
