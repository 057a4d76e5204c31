import { Schema, model } from 'mongoose';

/**
 * A check-in refused because the phone had already checked in another student for the same
 * session (one device per student). The take page flags both students to the teacher.
 */
const deviceConflictSchema = new Schema(
  {
    _id: { type: String, required: true },
    courseId: { type: String, required: true },
    activityId: { type: String, required: true },
    sessionId: { type: String, required: true },
    /** The student whose check-in was refused. */
    userId: { type: String, required: true },
    /** The student the device had already checked in. */
    otherUserId: { type: String, required: true },
    deviceId: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'check_in_device_conflicts', versionKey: false },
);
deviceConflictSchema.index({ sessionId: 1, at: -1 });

export const DeviceConflictModel = model('CheckInDeviceConflict', deviceConflictSchema);
