import { Schema, model } from 'mongoose';

/**
 * The OIDC login parameters of a launch, keyed by the `state` ltijs generated. When the
 * browser then drops our state cookie (third-party cookies blocked in the LMS iframe), the
 * refusal page can offer to restart the very same launch in a new top-level window.
 * Short-lived: the cleanup job deletes them (no TTL index: the offline stand-in ignores TTL).
 */
const loginAttemptSchema = new Schema(
  {
    state: { type: String, required: true },
    params: {
      iss: String,
      login_hint: String,
      target_link_uri: String,
      lti_message_hint: String,
      client_id: String,
      lti_deployment_id: String,
    },
    createdAt: { type: Date, required: true },
  },
  { collection: 'login_attempts', versionKey: false },
);
loginAttemptSchema.index({ state: 1 }, { unique: true });
loginAttemptSchema.index({ createdAt: 1 });

export const LoginAttemptModel = model('LoginAttempt', loginAttemptSchema);
