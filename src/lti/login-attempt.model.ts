import { Schema, model } from 'mongoose';

/**
 * One OIDC login this tool started, keyed by the `state` ltijs generated: the nonce we put into
 * the authorization redirect (the id_token must carry exactly it, and the pair is used once,
 * marked by `usedAt`), and the login parameters, so that when the browser drops our state
 * cookie (third-party cookies blocked in the LMS iframe) the refusal page can offer the very
 * same launch in a new top-level window.
 * Short-lived: the cleanup job deletes them (no TTL index: the offline stand-in ignores TTL).
 */
const loginAttemptSchema = new Schema(
  {
    state: { type: String, required: true },
    nonce: { type: String },
    params: {
      iss: String,
      login_hint: String,
      target_link_uri: String,
      lti_message_hint: String,
      client_id: String,
      lti_deployment_id: String,
    },
    createdAt: { type: Date, required: true },
    /** When an id_token for this login was accepted for checking; a second one is refused. */
    usedAt: { type: Date },
  },
  { collection: 'login_attempts', versionKey: false },
);
loginAttemptSchema.index({ state: 1 }, { unique: true });
loginAttemptSchema.index({ createdAt: 1 });

export const LoginAttemptModel = model('LoginAttempt', loginAttemptSchema);
