import { gradeSyncFailingSince } from './0001-grade-sync-failing-since';
import type { Migration } from './migration';

/**
 * Every migration of the tool's database, in order (see migration.ts and
 * migration-runner.ts). Append only; never edit or remove a released one.
 */
export const MIGRATIONS: readonly Migration[] = [gradeSyncFailingSince];
