import { Schema, model } from 'mongoose';

/**
 * A named lease: "holder H owns job K until T". Background jobs (automatic marking, and grade
 * sync later) claim work through these so that several app instances never do the same piece
 * at once, and a crashed instance's claim lapses by itself. The key is the document id, so the
 * unique `_id` index is what makes claiming atomic (the stand-in database honours it).
 */
const jobLeaseSchema = new Schema(
  {
    /** What is leased, e.g. `auto-mark:<sessionId>`. */
    _id: { type: String, required: true },
    /** Who holds it: an instance id from newHolderId(). */
    holder: { type: String, required: true },
    /** The lease lapses at this instant; anyone may take it over after. */
    until: { type: Date, required: true },
  },
  { collection: 'job_leases', versionKey: false },
);

export const JobLeaseModel = model('JobLease', jobLeaseSchema);
