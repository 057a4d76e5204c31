import { Schema, model } from 'mongoose';

/**
 * A phone paired with one student of a course: a QR scanned on it checks that student in at
 * once. The phone only holds a signed random device id (first-party cookie); the pairing lives
 * here, so the teacher or the student can revoke it. One student per device per course.
 */
const devicePairingSchema = new Schema(
  {
    _id: { type: String, required: true },
    courseId: { type: String, required: true },
    deviceId: { type: String, required: true },
    userId: { type: String, required: true },
    /** Browser and system in a few words ("Chrome on Android"), so people can tell phones apart. */
    label: { type: String, default: '' },
    createdAt: { type: Date, required: true },
    lastUsedAt: { type: Date },
  },
  { collection: 'device_pairings', versionKey: false },
);
devicePairingSchema.index({ courseId: 1, deviceId: 1 }, { unique: true });
devicePairingSchema.index({ courseId: 1, userId: 1 });

export const DevicePairingModel = model('DevicePairing', devicePairingSchema);
