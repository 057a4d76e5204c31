import { Schema, model } from 'mongoose';
import { versionedFields } from '../shared/versioned';

/** Tool-side groups of a course (LMSs send none over LTI). Members are LMS user ids. */
const groupSchema = new Schema(
  {
    _id: { type: String, required: true },
    courseId: { type: String, required: true },
    name: { type: String, required: true },
    /** Lower-cased, trimmed name: unique per course. */
    nameKey: { type: String, required: true },
    memberIds: { type: [String], default: [] },
    /** The rename form's version and last editor (src/shared/versioned.ts). */
    ...versionedFields,
    /**
     * Moves on with every membership change. Membership forms do not refuse a stale page: they
     * add or remove exactly what they name (so nobody's change is undone) and this tells the page
     * that it merged with someone else's change.
     */
    membersVersion: { type: Number },
  },
  { timestamps: true, collection: 'groups' },
);
groupSchema.index({ courseId: 1, nameKey: 1 }, { unique: true });

export const GroupModel = model('Group', groupSchema);
