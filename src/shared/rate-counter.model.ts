import { Schema, model } from 'mongoose';

/**
 * One fixed-window counter of a per-address (or per-key) limit, shared by every app instance.
 * The id is `<rule>|<key>|<window start ms>`, so counting is one atomic upsert on the unique
 * `_id` index. Old windows are deleted by the cleanup job (no TTL index: the stand-in ignores it).
 */
const rateCounterSchema = new Schema(
  {
    _id: { type: String, required: true },
    count: { type: Number, required: true },
    /** The end of the window: the counter means nothing after it. */
    expiresAt: { type: Date, required: true },
  },
  { collection: 'rate_counters', versionKey: false },
);
rateCounterSchema.index({ expiresAt: 1 });

export const RateCounterModel = model('RateCounter', rateCounterSchema);
