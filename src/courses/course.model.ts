import { Schema, model } from 'mongoose';

/** One per (LMS issuer, client id, context id); `_id` is courseKey(...). */
const courseSchema = new Schema(
  {
    _id: { type: String, required: true },
    issuer: { type: String, required: true },
    clientId: { type: String, required: true },
    /** Absent when the LMS sent no context claim (the resource link stands in). */
    contextId: { type: String },
    label: { type: String, default: '' },
    title: { type: String, default: '' },
    lastDeploymentId: { type: String },
    lastLaunchAt: { type: Date },
  },
  { timestamps: true, collection: 'courses' },
);

export const CourseModel = model('Course', courseSchema);
