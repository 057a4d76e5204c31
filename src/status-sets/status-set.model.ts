import { Schema, model } from 'mongoose';
import { versionedFields } from '../shared/versioned';

/**
 * A named set of statuses (P/L/E/A by default) of one activity. Sessions point at one set,
 * records at one status of it. Statuses are never deleted while records use them (hidden instead).
 */
const statusSchema = new Schema(
  {
    _id: { type: String, required: true },
    acronym: { type: String, required: true },
    description: { type: String, required: true },
    /** Up to 2 decimals. */
    points: { type: Number, required: true },
    order: { type: Number, required: true },
    visible: { type: Boolean, default: true },
    /** An excused absence: the activity's option "exclude Excused" leaves it out of both grade sums. */
    excused: { type: Boolean, default: false },
    /** May students pick it when checking in: always, never, or only within N minutes of the start. */
    studentPick: {
      mode: { type: String, enum: ['always', 'never', 'within'], default: 'never' },
      minutes: { type: Number },
    },
  },
  { _id: false },
);

const statusSetSchema = new Schema(
  {
    _id: { type: String, required: true },
    courseId: { type: String, required: true },
    activityId: { type: String, required: true },
    name: { type: String, required: true },
    isDefault: { type: Boolean, default: false },
    statuses: { type: [statusSchema], default: [] },
    /** Status given automatically to students left unmarked when a session ends; null = none. */
    autoStatusId: { type: String, default: null },
    /** The edit page's version and last editor (src/shared/versioned.ts); every change of the set bumps it. */
    ...versionedFields,
  },
  { timestamps: true, collection: 'status_sets' },
);
statusSetSchema.index({ activityId: 1 });

export const StatusSetModel = model('StatusSet', statusSetSchema);
