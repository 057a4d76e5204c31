import { Schema, model } from 'mongoose';

/**
 * One wrong check-in code typed by a student for a session (attempts.ts counts the recent ones).
 * Only inserted and read by time; old entries are harmless (the window ignores them).
 */
const checkInFailureSchema = new Schema(
  {
    _id: { type: String, required: true },
    courseId: { type: String, required: true },
    activityId: { type: String, required: true },
    sessionId: { type: String, required: true },
    userId: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'check_in_failures', versionKey: false },
);
checkInFailureSchema.index({ sessionId: 1, userId: 1, at: -1 });

export const CheckInFailureModel = model('CheckInFailure', checkInFailureSchema);
