import mongoose from 'mongoose';
import type { Logger } from '../shared/logger';
import { deleteExpiredHeldScans } from '../check-in/held-scan.service';
import { deleteExpiredProjectorLinks } from '../check-in/projector-link.service';
import { deleteEndedCounters } from '../shared/rate-limit.service';
import { deleteFreeAttempts } from '../check-in/attempt-slots.service';
import { LoginAttemptModel } from './login-attempt.model';

/**
 * ltijs relies on TTL indexes to expire nonces, states and tokens; the offline stand-in never
 * expires anything, so we delete them ourselves (on a real MongoDB this merely duplicates TTL).
 * Idempotent: running it on several instances at once is harmless, so it needs no lease.
 */
export interface CleanupOptions {
  ltijsDbName: string;
  tokenMaxAgeSeconds: number;
}

const HOUR = 3600;

export function retentionSeconds(tokenMaxAgeSeconds: number): Record<string, number> {
  return {
    // A nonce must outlive every id_token that could still be replayed (ltijs refuses older
    // tokens by iat), or a replay after cleanup would pass.
    nonces: Math.max(600, tokenMaxAgeSeconds * 2),
    states: 600,
    accesstokens: HOUR,
    idtokens: 24 * HOUR,
    contexttokens: 24 * HOUR,
  };
}

export async function cleanupExpired(opts: CleanupOptions, now: Date): Promise<Record<string, number>> {
  const ltijsDb = mongoose.connection.useDb(opts.ltijsDbName, { useCache: true });
  const removed: Record<string, number> = {};
  for (const [collection, seconds] of Object.entries(retentionSeconds(opts.tokenMaxAgeSeconds))) {
    const cutoff = new Date(now.getTime() - seconds * 1000);
    const res = await ltijsDb.collection(collection).deleteMany({ createdAt: { $lt: cutoff } });
    removed[collection] = res.deletedCount;
  }
  const loginCutoff = new Date(now.getTime() - 15 * 60 * 1000);
  removed.login_attempts = (await LoginAttemptModel.deleteMany({ createdAt: { $lt: loginCutoff } })).deletedCount;
  removed.rate_counters = await deleteEndedCounters(now);
  removed.check_in_attempts = await deleteFreeAttempts(now);
  removed.held_scans = await deleteExpiredHeldScans(now);
  removed.projector_links = await deleteExpiredProjectorLinks(now);
  return removed;
}

export function startCleanupWorker(opts: CleanupOptions & { intervalSeconds: number; log: Logger; now: () => Date }): { stop(): void } {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const removed = await cleanupExpired(opts, opts.now());
      opts.log.debug({ removed }, 'expired launch data removed');
    } catch (err) {
      opts.log.warn({ err }, 'cleanup of expired launch data failed; will retry');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), opts.intervalSeconds * 1000);
  timer.unref();
  void tick();
  return { stop: () => clearInterval(timer) };
}
