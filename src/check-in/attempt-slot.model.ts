import { Schema, model } from 'mongoose';

/**
 * One of a student's `limit` attempts at a session's check-in code (attempt-slots.service.ts).
 * The id is `<sessionId>|<userId>|<k>`, k = 0..limit-1, so the unique `_id` index lets exactly
 * one request hold a slot at a time, with no transaction. A slot is held while `until` is in the
 * future: a wrong code keeps its slot for the whole window (this IS the failed attempt's record);
 * any other outcome deletes it at once. Expired slots are deleted by the cleanup job (no TTL
 * index: the stand-in ignores them).
 */
const attemptSlotSchema = new Schema(
  {
    _id: { type: String, required: true },
    courseId: { type: String, required: true },
    activityId: { type: String, required: true },
    sessionId: { type: String, required: true },
    userId: { type: String, required: true },
    /** Free again from this instant: a wrong code's time + the policy's window. */
    until: { type: Date, required: true },
    /** The holding request's own random id, so only it can give the slot back early. */
    token: { type: String, required: true },
  },
  { collection: 'check_in_attempts', versionKey: false },
);
attemptSlotSchema.index({ until: 1 });

export const AttemptSlotModel = model('AttemptSlot', attemptSlotSchema);
