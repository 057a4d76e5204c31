import { Schema, model } from 'mongoose';
import { selfMarkingFields } from '../check-in/self-marking-fields';
import { TEACHING_ASSISTANT_POLICIES } from '../lti/roles';
import { versionedFields } from '../shared/versioned';

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

/**
 * The self check-in settings new sessions of the activity start with (src/check-in/settings.ts
 * SelfMarkingSettings without the password: every session gets its own). Absent until saved.
 */
const selfMarkingDefaultsSchema = new Schema(
  { ...selfMarkingFields },
  { _id: false },
);

/**
 * Who may take attendance when a teaching assistant launches (src/lti/roles.ts
 * TeachingAssistantPolicy), versioned for its form on the Participants page. Absent = the default.
 */
const teachingAssistantsSchema = new Schema(
  { policy: { type: String, enum: TEACHING_ASSISTANT_POLICIES }, ...versionedFields },
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
      /** Grade rule option: unmarked past sessions count as the set's automatic status. */
      countUnmarkedAsAuto: { type: Boolean, default: false },
      /** Grade rule option: statuses flagged excused count in neither sum. */
      excludeExcused: { type: Boolean, default: false },
    },
    /** Reports highlight students below this percentage (0–100). */
    reportThreshold: { type: Number, default: 70 },
    services: { type: servicesSchema, default: () => ({}) },
    /** Grade sync: the line item found or created when the launch carries none (src/grading/line-item.service.ts). */
    gradeLineItemUrl: { type: String },
    /** Line item URLs the LMS answered 404 for (deleted there): never used again. */
    gradeLineItemLostUrls: { type: [String], default: undefined },
    lastLaunchAt: { type: Date },
    /** The launch's return URL last seen (the LMS course page): where a phone's QR page sends the student. */
    lmsReturnUrl: { type: String },
    /** The teacher's own link to this activity in the LMS (Settings), preferred over lmsReturnUrl. */
    lmsActivityUrl: { type: String },
    selfMarkingDefaults: { type: selfMarkingDefaultsSchema },
    teachingAssistants: { type: teachingAssistantsSchema },
  },
  { timestamps: true, collection: 'activities' },
);
activitySchema.index({ courseId: 1 });

export const ActivityModel = model('Activity', activitySchema);
