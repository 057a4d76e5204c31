import { Schema, model } from 'mongoose';

/**
 * The schema version of the tool's database: one document, `_id: 'schema'`. `version` is the id
 * of the last migration that finished; `applied` says which instance ran each one and when.
 */
const schemaVersionSchema = new Schema(
  {
    _id: { type: String, required: true },
    version: { type: Number, required: true, default: 0 },
    applied: [{ _id: false, id: Number, name: String, at: Date, by: String, ms: Number }],
  },
  { collection: 'schema_version', versionKey: false },
);

export const SchemaVersionModel = model('SchemaVersion', schemaVersionSchema);
export const SCHEMA_DOC_ID = 'schema';
