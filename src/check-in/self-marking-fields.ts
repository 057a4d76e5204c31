import { versionedFields } from '../shared/versioned';
import { DEFAULT_SELF_MARKING, STATUS_MODES } from './settings';

/**
 * The mongoose field definitions of self-marking settings (src/check-in/settings.ts), shared by
 * a session's settings and the activity's defaults (which have no password: each session gets
 * its own). Defaults come from DEFAULT_SELF_MARKING so the two schemas and the rules agree.
 */
const d = DEFAULT_SELF_MARKING;
export const selfMarkingFields = {
  enabled: { type: Boolean, default: d.enabled },
  showQr: { type: Boolean, default: d.showQr },
  rotateSeconds: { type: Number, default: d.rotateSeconds },
  graceSeconds: { type: Number, default: d.graceSeconds },
  opensMinutesBefore: { type: Number, default: d.opensMinutesBefore },
  statusMode: { type: String, enum: [...STATUS_MODES], default: d.statusMode },
  lateAfterMinutes: { type: Number, default: d.lateAfterMinutes },
  allowChange: { type: Boolean, default: d.allowChange },
  oneDevicePerStudent: { type: Boolean, default: d.oneDevicePerStudent },
  allowedCidrs: { type: [String], default: [] },
  /**
   * The settings form's version and last editor (src/shared/versioned.ts). It lives inside the
   * settings, not on the session or activity: editing a session's times does not make its
   * self-marking form stale, nor the other way round.
   */
  ...versionedFields,
} as const;
