import { Schema, model } from 'mongoose';
import { RECORD_SOURCES } from './record-source';

/**
 * The audit trail: one entry per changed record per save (who, when, from → to). Entries are
 * only ever inserted. `from.statusId` is null when the student was unmarked before.
 */
const auditEntrySchema = new Schema(
  {
    _id: { type: String, required: true },
    courseId: { type: String, required: true },
    activityId: { type: String, required: true },
    sessionId: { type: String, required: true },
    /** The student whose record changed. */
    userId: { type: String, required: true },
    /** LMS user id of the person who made the change. */
    actorId: { type: String, required: true },
    at: { type: Date, required: true },
    from: {
      statusId: { type: String, default: null },
      remark: { type: String, default: '' },
    },
    to: {
      statusId: { type: String, required: true },
      remark: { type: String, default: '' },
    },
    source: { type: String, enum: RECORD_SOURCES, required: true },
  },
  { collection: 'attendance_audit', versionKey: false },
);
auditEntrySchema.index({ courseId: 1, activityId: 1, sessionId: 1, userId: 1, at: -1 });

export const AuditEntryModel = model('AttendanceAuditEntry', auditEntrySchema);
