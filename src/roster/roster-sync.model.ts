import { Schema, model } from 'mongoose';

/**
 * The outcome of the last roster refresh from the LMS, one document per course (_id = courseId):
 * the roster belongs to the course, whichever of its activities triggered the refresh.
 * A failed refresh keeps `lastSuccessAt` and `counts` of the last good one, so the page can say
 * which list it is showing.
 */
const rosterSyncSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** The activity whose NRPS endpoint was used last. */
    activityId: { type: String, required: true },
    status: { type: String, enum: ['ok', 'failed', 'unavailable'], required: true },
    at: { type: Date, required: true },
    /** Short reason code (roster.reasons.*) when status is failed. */
    reason: { type: String },
    /** The LMS's HTTP status behind a failure, when there was one. */
    httpStatus: { type: Number },
    counts: {
      active: { type: Number, default: 0 },
      inactive: { type: Number, default: 0 },
      added: { type: Number, default: 0 },
    },
    lastSuccessAt: { type: Date },
  },
  { timestamps: true, collection: 'roster_syncs' },
);

export const RosterSyncModel = model('RosterSync', rosterSyncSchema);
