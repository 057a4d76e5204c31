import { Schema, model } from 'mongoose';

/** A person in a course, from launches and the LMS roster (NRPS). Never deleted with records. */
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
    /**
     * What the last LMS roster sync said about this person: active / inactive / deleted as the
     * LMS reported it, or absent (no longer returned). Unset for people known only from launches.
     * `active` stays the one flag other features read; this only explains it on the roster page.
     */
    rosterStatus: { type: String, enum: ['active', 'inactive', 'deleted', 'absent'] },
  },
  { timestamps: true, collection: 'members' },
);
memberSchema.index({ courseId: 1, userId: 1 }, { unique: true });

export const MemberModel = model('Member', memberSchema);
