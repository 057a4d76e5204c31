import { Schema, model } from 'mongoose';
import { selfMarkingFields } from '../check-in/self-marking-fields';
import { versionedFields } from '../shared/versioned';

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

/** Self check-in settings (src/check-in/settings.ts SelfMarkingSettings); absent until first saved. */
const selfMarkingSchema = new Schema(
  { ...selfMarkingFields, password: { type: String, default: '' } },
  { _id: false },
);

/**
 * Automatic marking's bookkeeping (src/attendance/auto-mark.service.ts); absent until the job has
 * handled the session. `doneAt` set = never looked at again by the job.
 */
const autoMarkSchema = new Schema(
  {
    doneAt: { type: Date, required: true },
    /** marked: the set's automatic status was given; no_auto_status: the set has none; created_after_end: skipped (see auto-mark.ts); gone: its status set or activity no longer exists. */
    outcome: { type: String, enum: ['marked', 'no_auto_status', 'created_after_end', 'gone'], required: true },
    /** Records the finishing run inserted. */
    inserted: { type: Number, default: 0 },
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
    selfMarking: { type: selfMarkingSchema },
    /** 32 random bytes (base64) for rotating/QR codes; made when self-marking is first saved, never shown. */
    checkInSecret: { type: String },
    /**
     * Unguessable id for the QR's public URL (/checkin/<publicId>), made with the secret. The
     * internal id stays out of URLs that students photograph and pass around.
     */
    publicId: { type: String },
    autoMark: { type: autoMarkSchema },
    /**
     * The edit form's version and last editor (src/shared/versioned.ts): bumped by every write of
     * the form's fields (edit, bulk duration), not by automatic marking's bookkeeping above.
     * Self-marking settings carry their own version inside `selfMarking`.
     */
    ...versionedFields,
  },
  { timestamps: true, collection: 'attendance_sessions' },
);
attendanceSessionSchema.index({ courseId: 1, activityId: 1, startsAt: 1 });
attendanceSessionSchema.index({ seriesId: 1 });
attendanceSessionSchema.index({ publicId: 1 }, { unique: true, sparse: true });

export const AttendanceSessionModel = model('AttendanceSession', attendanceSessionSchema);
