import { Schema, model } from 'mongoose';

/**
 * Claims of the last id_token ltijs *verified* for a user of a platform (issuer, client id,
 * deployment id, LMS user id: the key of ltijs's own stored idtoken), that ltijs itself drops:
 * the OIDC `preferred_username` (Open edX sends the username only there). Written by
 * verified-claims.ts from the payload ltijs's signature check returned, never from a raw POST;
 * read by the launch handler that follows the same launch. One document per user and platform,
 * replaced on every launch, like ltijs's idtoken.
 */
const verifiedClaimsSchema = new Schema(
  {
    /** verifiedClaimsId(key): every read and write is a point look-up by _id, on any server. */
    _id: { type: String, required: true },
    issuer: { type: String, required: true },
    clientId: { type: String, required: true },
    deploymentId: { type: String, required: true },
    userId: { type: String, required: true },
    /** Absent when the last verified id_token had none (a stale one must not outlive it). */
    preferredUsername: { type: String },
    verifiedAt: { type: Date, required: true },
  },
  { collection: 'verified_claims', versionKey: false },
);
verifiedClaimsSchema.index({ issuer: 1, clientId: 1, deploymentId: 1, userId: 1 }, { unique: true });

export const VerifiedClaimsModel = model('VerifiedClaims', verifiedClaimsSchema);

/** The document id of a user of a platform: the four parts, JSON-encoded (no separator can collide). */
export function verifiedClaimsId(key: { issuer: string; clientId: string; deploymentId: string; userId: string }): string {
  return JSON.stringify([key.issuer, key.clientId, key.deploymentId, key.userId]);
}
