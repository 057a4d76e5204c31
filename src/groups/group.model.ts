import { Schema, model } from 'mongoose';

/** Tool-side groups of a course (LMSs send none over LTI). Members are LMS user ids. */
const groupSchema = new Schema(
  {
    _id: { type: String, required: true },
    courseId: { type: String, required: true },
    name: { type: String, required: true },
    /** Lower-cased, trimmed name: unique per course. */
    nameKey: { type: String, required: true },
    memberIds: { type: [String], default: [] },
  },
  { timestamps: true, collection: 'groups' },
);
groupSchema.index({ courseId: 1, nameKey: 1 }, { unique: true });

export const GroupModel = model('Group', groupSchema);
