import { Schema, model } from 'mongoose';

/**
 * One per LTI resource link: the analogue of one mod_attendance instance. Keeps the service
 * endpoints last seen at launch so background jobs (grade sync, roster refresh) can call the
 * LMS without a live launch.
 */
const servicesSchema = new Schema(
  {
    issuer: String,
    clientId: String,
    deploymentId: String,
    agsLineItemsUrl: String,
    agsLineItemUrl: String,
    agsScopes: { type: [String], default: undefined },
    nrpsUrl: String,
  },
  { _id: false },
);

const activitySchema = new Schema(
  {
    _id: { type: String, required: true },
    courseId: { type: String, required: true },
    resourceLinkId: { type: String, required: true },
    title: { type: String, default: '' },
    description: { type: String, default: '' },
    timezone: { type: String, required: true },
    grading: {
      type: { type: String, enum: ['points', 'none'], default: 'points' },
      maxGrade: { type: Number, default: 100 },
    },
    services: { type: servicesSchema, default: () => ({}) },
    lastLaunchAt: { type: Date },
  },
  { timestamps: true, collection: 'activities' },
);
activitySchema.index({ courseId: 1 });

export const ActivityModel = model('Activity', activitySchema);
