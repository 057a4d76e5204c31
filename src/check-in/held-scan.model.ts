import { Schema, model } from 'mongoose';

/**
 * A valid QR scan held for an unpaired phone until the student has launched from the LMS
 * (flow 2). The phone's cookie carries only this record's id (signed): the record ties the scan
 * to the device that made it, lets it be used once (consumedAt is set by one atomic update),
 * and ends it a few minutes after the scan. Expired records are deleted by the cleanup job
 * (no TTL index: the offline stand-in ignores them).
 */
const heldScanSchema = new Schema(
  {
    _id: { type: String, required: true },
    courseId: { type: String, required: true },
    activityId: { type: String, required: true },
    sessionId: { type: String, required: true },
    publicId: { type: String, required: true },
    /** The QR token scanned; the check-in is judged as of scannedAt. */
    code: { type: String, required: true },
    scannedAt: { type: Date, required: true },
    /** The la_device id of the phone that scanned. */
    deviceId: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    consumedAt: { type: Date, default: null },
    /** The student whose completion used the scan. */
    consumedBy: { type: String, default: null },
  },
  { collection: 'held_scans', versionKey: false },
);
heldScanSchema.index({ expiresAt: 1 });

export const HeldScanModel = model('HeldScan', heldScanSchema);
