import { Schema, model, InferSchemaType } from 'mongoose';
import { LMS_KINDS } from './platform.schema';

/**
 * Our record of an LMS registration. ltijs keeps its own copy (with the tool's key pair for
 * that platform); this one adds what ltijs lacks: allowed deployment ids and a status.
 */
const platformSchema = new Schema(
  {
    issuer: { type: String, required: true },
    clientId: { type: String, required: true },
    name: { type: String, required: true },
    authUrl: { type: String, required: true },
    tokenUrl: { type: String, required: true },
    jwksUrl: { type: String, required: true },
    /** Empty = every deployment of this registration may launch. */
    deploymentIds: { type: [String], default: [] },
    status: { type: String, enum: ['active', 'pending'], default: 'active' },
    source: { type: String, enum: ['file', 'cli', 'admin', 'dynamic'], required: true },
    /** The LMS this is, when the admin said so (Open edX deep linking differs, see src/courses/deep-linking.ts). */
    lms: { type: String, enum: LMS_KINDS },
  },
  { timestamps: true, collection: 'platforms' },
);
platformSchema.index({ issuer: 1, clientId: 1 }, { unique: true });

export type PlatformDoc = InferSchemaType<typeof platformSchema>;
export const PlatformModel = model('Platform', platformSchema);
