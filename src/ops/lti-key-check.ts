import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config/config';

/**
 * ltijs encrypts the stored LMS keys with the LTI key, so a restore is only useful together with
 * the key of the tool that made the backup. The archive never holds the key (it would turn every
 * copy of a backup into a secret); it holds a fingerprint, so restore can say "wrong or missing
 * key" before writing anything instead of leaving a tool whose registrations cannot be decrypted.
 */

/** The key the tool would use with this configuration: LTI_KEY, else the development key file. Never creates one. */
export function ltiKeyInEffect(config: Pick<Config, 'ltiKey' | 'dataDir'>): { key?: string; where: string } {
  if (config.ltiKey) return { key: config.ltiKey, where: 'LTI_KEY' };
  const file = path.join(config.dataDir, 'lti-key');
  let key: string | undefined;
  try {
    key = readFileSync(file, 'utf8').trim();
  } catch {
    key = undefined;
  }
  // Same rule as config/lti-key.ts: a shorter file would be replaced by a new key at start.
  return { key: key && key.length >= 32 ? key : undefined, where: file };
}

/** A domain-separated SHA-256: reveals nothing usable about a random key, and no more than the encrypted data already does. */
export function ltiKeyFingerprint(key: string): string {
  return createHash('sha256').update(`lti-attendance backup key check v1\0${key}`).digest('hex').slice(0, 32);
}

/** Why this restore would leave registrations unusable, or undefined when the key fits (or the backup names none). */
export function restoreKeyProblem(backupFingerprint: string | null, inEffect: { key?: string; where: string }): string | undefined {
  if (!backupFingerprint) return undefined;
  const copyHint = 'Set LTI_KEY to the key of the tool that made the backup, or copy that tool\'s DATA_DIR/lti-key';
  if (!inEffect.key) return `No LTI key is set here (no LTI_KEY, no ${inEffect.where}). ${copyHint} to ${inEffect.where} first.`;
  if (ltiKeyFingerprint(inEffect.key) !== backupFingerprint) return `The LTI key here (${inEffect.where}) is not the one the backup was made with. ${copyHint}.`;
  return undefined;
}
