import { Schema, model } from 'mongoose';

/**
 * One class meeting. Stored as a UTC instant plus the activity's time zone at the time it was
 * saved, so a later change of the activity's zone never moves a meeting. Sessions created
 * together by a weekly rule share a `seriesId`.
 */
const audienceSchema = new Schema(
  {
    kind: { type: String, enum: ['all', 'group'], required: true },
    groupId: { type: String },
  },
  { _id: false },
);

const attendanceSessionSchema = new Schema(
  {
    _id: { type: String, required: true },
    courseId: { type: String, required: true },
    activityId: { type: String, required: true },
    startsAt: { type: Date, required: true },
    durationMinutes: { type: Number, required: true, min: 1, max: 1440 },
    timezone: { type: String, required: true },
    description: { type: String, default: '', maxlength: 500 },
    audience: { type: audienceSchema, required: true },
    statusSetId: { type: String, required: true },
    seriesId: { type: String },
    createdBy: { type: String, required: true },
  },
  { timestamps: true, collection: 'attendance_sessions' },
);
attendanceSessionSchema.index({ courseId: 1, activityId: 1, startsAt: 1 });
attendanceSessionSchema.index({ seriesId: 1 });

export const AttendanceSessionModel = model('AttendanceSession', attendanceSessionSchema);
