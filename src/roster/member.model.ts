import { Schema, model } from 'mongoose';

/** A person in a course, from launches and (later) the LMS roster. Never deleted with records. */
const memberSchema = new Schema(
  {
    courseId: { type: String, required: true },
    /** The LMS user id: id_token `sub`, NRPS `user_id`. */
    userId: { type: String, required: true },
    givenName: { type: String, default: '' },
    familyName: { type: String, default: '' },
    name: { type: String, default: '' },
    email: { type: String },
    sourcedId: { type: String },
    username: { type: String },
    ltiRoles: { type: [String], default: [] },
    role: { type: String, enum: ['teacher', 'student', 'limited'], required: true },
    active: { type: Boolean, default: true },
    lastLaunchAt: { type: Date },
    lastRosterSyncAt: { type: Date },
  },
  { timestamps: true, collection: 'members' },
);
memberSchema.index({ courseId: 1, userId: 1 }, { unique: true });

export const MemberModel = model('Member', memberSchema);
