import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `.env` is optional (the defaults run the tool); when present it is read once at start.
 * Variables already set in the environment win, as usual.
 */
export function loadDotEnvIfPresent(root: string): string | undefined {
  const path = join(root, '.env');
  if (!existsSync(path)) return undefined;
  process.loadEnvFile(path);
  return path;
}
