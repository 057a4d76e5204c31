import { Schema, model } from 'mongoose';

/**
 * A registration link for LTI Dynamic Registration (see registration-link.ts). Only the token's
 * SHA-256 (hex) is stored. A use is taken by one atomic findOneAndUpdate that also checks the
 * expiry, so parallel attempts can never take more uses than the link has. Expired and used-up
 * links stay until revoked, so `npm run platform -- registration-links` can show what happened
 * to them (no TTL index: the offline stand-in never expires anything, DATABASE.md).
 */
const registrationLinkSchema = new Schema(
  {
    _id: { type: String, required: true },
    tokenHash: { type: String, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    uses: { type: Number, required: true },
    usesLeft: { type: Number, required: true },
    lastUsedAt: { type: Date },
  },
  { collection: 'registration_links', versionKey: false },
);
registrationLinkSchema.index({ tokenHash: 1 }, { unique: true });

export const RegistrationLinkModel = model('RegistrationLink', registrationLinkSchema);
