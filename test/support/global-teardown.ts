/** jest globalTeardown: stops the server global-setup.ts started (no-op for MONGODB_URI). */
import type { StartedDatabase } from '../../src/db/database';

export default async function globalTeardown(): Promise<void> {
  const holder = globalThis as { __ATTENDANCE_DB__?: StartedDatabase };
  const db = holder.__ATTENDANCE_DB__;
  holder.__ATTENDANCE_DB__ = undefined;
  await db?.stop();
}
