import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Development convenience: the LTI key encrypts stored platform keys, so it must stay the
 * same across restarts. Generate it once and keep it under the data directory.
 */
export function loadOrCreateDevLtiKey(dataDir: string): { key: string; created: boolean; path: string } {
  const path = join(dataDir, 'lti-key');
  if (existsSync(path)) {
    const key = readFileSync(path, 'utf8').trim();
    if (key.length >= 32) return { key, created: false, path };
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32).toString('hex');
  writeFileSync(path, `${key}\n`, { mode: 0o600 });
  return { key, created: true, path };
}
