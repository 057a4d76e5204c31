import type { DatabaseRole } from './backup-manifest';

/**
 * The order a backup pass reads collections in: what the tool writes LAST is read FIRST.
 *
 * A record is written after its session exists, so reading records before sessions means every
 * record in the pass finds its session there too (sessions are not deleted under it), even when
 * the pass is not the stable one. ltijs writes a platform's key pair before the platform itself,
 * so platforms are read before the keys; its launch tokens are written after the platform, so
 * they are read before it. Collections not named here (new ones, short-lived ones) come first.
 * This is a second line of defence: the stable-pass check (stable-passes.ts) is the guarantee.
 */
const READ_LAST: Record<DatabaseRole, readonly string[]> = {
  app: ['attendance_sessions', 'groups', 'members', 'status_sets', 'activities', 'courses', 'platforms'],
  ltijs: ['platforms', 'platformstatuses', 'publickeys', 'privatekeys'],
};

/** Databases: ours first (launch data is written after ltijs has validated the launch). */
export const DATABASE_READ_ORDER: readonly DatabaseRole[] = ['app', 'ltijs'];

export function readingOrder(role: DatabaseRole, collections: readonly string[]): string[] {
  const last = READ_LAST[role];
  const first = collections.filter((c) => !last.includes(c)).sort();
  return [...first, ...last.filter((c) => collections.includes(c))];
}
