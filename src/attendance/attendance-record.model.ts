import { randomUUID } from 'node:crypto';
import { Schema, model } from 'mongoose';
import { RECORD_SOURCES } from './record-source';

/**
 * One mark per (session, student). Writers upsert on (sessionId, userId), which the unique index
 * keeps single even under concurrent saves; the take page writes a change only if the record
 * still holds what the page showed (take-save.service.ts). Every change also goes to the audit
 * trail (audit-entry.model.ts). Older records (first cut) may have ObjectId ids; new ones get UUIDs.
 */
const attendanceRecordSchema = new Schema(
  {
    _id: { type: String, default: () => randomUUID() },
    courseId: { type: String, required: true },
    activityId: { type: String, required: true },
    sessionId: { type: String, required: true },
    userId: { type: String, required: true },
    statusSetId: { type: String, required: true },
    statusId: { type: String, required: true },
    /** The teacher's own remark (at most REMARK_MAX, checked by take-rules before any write). */
    remark: { type: String, default: '' },
    source: { type: String, enum: RECORD_SOURCES, default: 'teacher' },
    /** LMS user id of whoever wrote the record last (a teacher, or the student for a check-in). */
    updatedBy: { type: String },
    /**
     * When the student checked in themselves. Kept apart from the teacher's remark (the page shows
     * "Self-recorded" beside it) and kept when a teacher later overrides the status.
     */
    selfRecordedAt: { type: Date },
    /** The device cookie's id for a QR check-in on a phone (one-device-per-student, the take page's flag). */
    deviceId: { type: String },
  },
  { timestamps: true, collection: 'attendance_records' },
);
attendanceRecordSchema.index({ sessionId: 1, userId: 1 }, { unique: true });
/**
 * Implied by the index above (so it never refuses a write). It exists for the take page's
 * compare-and-set (take-save.service.ts), whose filter names exactly these fields: the offline
 * stand-in uses an index only for a filter naming exactly its fields and would otherwise scan
 * the whole collection once per saved row (1–5 s for 500 rows on 4 000–20 000 records).
 */
attendanceRecordSchema.index({ sessionId: 1, userId: 1, statusId: 1, remark: 1 }, { unique: true });
attendanceRecordSchema.index({ activityId: 1, statusId: 1 });
attendanceRecordSchema.index({ sessionId: 1, deviceId: 1 });

export const AttendanceRecordModel = model('AttendanceRecord', attendanceRecordSchema);
