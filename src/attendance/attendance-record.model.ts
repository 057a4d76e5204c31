import { Schema, model } from 'mongoose';

/**
 * One mark per (session, student). First cut: what status sets and sessions need to know
 * ("is this status in use?", "how many records go with this session?"); the take-attendance
 * issue adds remarks, sources and the audit trail.
 */
const attendanceRecordSchema = new Schema(
  {
    courseId: { type: String, required: true },
    activityId: { type: String, required: true },
    sessionId: { type: String, required: true },
    userId: { type: String, required: true },
    statusSetId: { type: String, required: true },
    statusId: { type: String, required: true },
  },
  { timestamps: true, collection: 'attendance_records' },
);
attendanceRecordSchema.index({ sessionId: 1, userId: 1 }, { unique: true });
attendanceRecordSchema.index({ activityId: 1, statusId: 1 });

export const AttendanceRecordModel = model('AttendanceRecord', attendanceRecordSchema);
