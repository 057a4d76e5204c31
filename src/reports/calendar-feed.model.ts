import { Schema, model } from 'mongoose';

/**
 * A student's private calendar feed link (/calendar/<token>.ics) for one activity. One per
 * (course, activity, student): renewing replaces the token, turning it off deletes the document.
 * The token itself is never stored in the clear: `tokenHash` (SHA-256, base64url) finds the
 * document when a calendar app fetches the feed; `tokenSealed` is the token encrypted with a key
 * derived from the tool's signing key (AES-256-GCM), only so the student can copy the link again
 * later. A database dump alone therefore gives no working feed URL.
 */
const calendarFeedTokenSchema = new Schema(
  {
    _id: { type: String, required: true },
    courseId: { type: String, required: true },
    activityId: { type: String, required: true },
    userId: { type: String, required: true },
    tokenHash: { type: String, required: true },
    tokenSealed: { type: String, required: true },
    /** The student's UI language when the link was made: the feed's few words use it. */
    locale: { type: String, default: 'en' },
    createdAt: { type: Date, required: true },
    lastUsedAt: { type: Date },
  },
  { collection: 'calendar_feed_tokens', versionKey: false },
);
calendarFeedTokenSchema.index({ tokenHash: 1 }, { unique: true });
calendarFeedTokenSchema.index({ courseId: 1, activityId: 1, userId: 1 }, { unique: true });

export const CalendarFeedTokenModel = model('CalendarFeedToken', calendarFeedTokenSchema);
