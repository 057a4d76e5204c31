import { Schema, model } from 'mongoose';

/**
 * A projector link (/projector/<token>): read-only access to one session's projector, for the
 * lecture hall's screen, which must never hold the teacher's ltik. Each "Projector" click makes
 * one; revoking deletes all of the session's. Only the token's SHA-256 (base64url) is stored, so a
 * database dump holds no working link. `expiresAt` is checked on every use and a cleanup job
 * deletes passed ones (no TTL index: the offline stand-in never expires anything, DATABASE.md).
 */
const projectorLinkSchema = new Schema(
  {
    _id: { type: String, required: true },
    courseId: { type: String, required: true },
    activityId: { type: String, required: true },
    sessionId: { type: String, required: true },
    tokenHash: { type: String, required: true },
    /** The teacher's UI language at the click: the lecture hall sees the projector in it. */
    locale: { type: String, default: 'en' },
    createdBy: { type: String, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'projector_links', versionKey: false },
);
projectorLinkSchema.index({ tokenHash: 1 }, { unique: true });
projectorLinkSchema.index({ courseId: 1, activityId: 1, sessionId: 1, createdAt: -1 });
projectorLinkSchema.index({ expiresAt: 1 });

export const ProjectorLinkModel = model('ProjectorLink', projectorLinkSchema);
