import type { Logger } from '../shared/logger';

/**
 * One step of the database schema. `id`s count up from 1 without gaps; a migration never
 * changes once released (add a new one instead). `up` must be idempotent: an instance that
 * crashes half-way leaves the version at the previous step, and the next start runs the step
 * again from the beginning.
 */
export interface Migration {
  id: number;
  /** Short, for the log and the `applied` list, e.g. "requeue given-up grades". */
  name: string;
  up(ctx: MigrationContext): Promise<void>;
}

export interface MigrationContext {
  now: () => Date;
  log: Logger;
}

/** Throws at start-up when the list is not 1, 2, 3, … (a wiring mistake, caught by the unit test too). */
export function checkMigrationList(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.id !== i + 1) throw new Error(`migration ${i + 1} has id ${m.id}: ids must be 1, 2, 3, … in order`);
  });
}
