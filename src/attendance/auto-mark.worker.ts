import { IntervalWorker, startIntervalWorker } from '../shared/interval-worker';
import { newHolderId } from '../shared/job-lease.service';
import type { Logger } from '../shared/logger';
import { runAutoMark, RunSummary } from './auto-mark.service';

/**
 * Runs automatic marking every `intervalMs` (20 s by default: students are marked within a
 * minute of the end) on every instance; the per-session leases in auto-mark.service.ts share
 * the work out. The first run happens at start, which is also how a restarted installation
 * catches up with sessions that ended while it was down.
 */
export interface AutoMarkWorkerOptions {
  /** 0 or less = do not run (tests that drive the service themselves). */
  intervalMs: number;
  log: Logger;
  now: () => Date;
  batchSize?: number;
}

export type AutoMarkWorker = IntervalWorker;

/** A full batch means a backlog (after downtime): keep going within the same tick, up to this many batches. */
const MAX_BATCHES_PER_TICK = 10;

function worthLogging(s: RunSummary): boolean {
  return s.sessions + s.closed + s.failed > 0;
}

export function startAutoMarkWorker(opts: AutoMarkWorkerOptions): AutoMarkWorker {
  const holder = newHolderId('auto-mark');
  return startIntervalWorker({
    intervalMs: opts.intervalMs, maxBatches: MAX_BATCHES_PER_TICK, log: opts.log, name: 'automatic marking',
    runBatch: async () => {
      const summary = await runAutoMark({ now: opts.now, log: opts.log }, { holder, batchSize: opts.batchSize });
      if (worthLogging(summary)) opts.log.info({ ...summary, holder }, 'automatic marking run');
      // Go on while more is waiting and this batch achieved something (not all claimed elsewhere or failing).
      return summary.more && summary.sessions + summary.closed > 0;
    },
  });
}
