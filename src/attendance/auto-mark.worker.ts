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

export interface AutoMarkWorker {
  /** Stops the timer and waits for a run in progress, so the database can be closed after. */
  stop(): Promise<void>;
}

/** A full batch means a backlog (after downtime): keep going within the same tick, up to this many batches. */
const MAX_BATCHES_PER_TICK = 10;

function worthLogging(s: RunSummary): boolean {
  return s.sessions + s.closed + s.failed > 0;
}

export function startAutoMarkWorker(opts: AutoMarkWorkerOptions): AutoMarkWorker {
  if (opts.intervalMs <= 0) return { stop: async () => undefined };
  const holder = newHolderId('auto-mark');
  let current: Promise<void> | undefined;
  let stopped = false;

  const runBatches = async () => {
    for (let i = 0; i < MAX_BATCHES_PER_TICK && !stopped; i++) {
      const summary = await runAutoMark({ now: opts.now, log: opts.log }, { holder, batchSize: opts.batchSize });
      if (worthLogging(summary)) opts.log.info({ ...summary, holder }, 'automatic marking run');
      // Stop when nothing more is waiting, or when this batch achieved nothing (all claimed elsewhere or failing).
      if (!summary.more || summary.sessions + summary.closed === 0) return;
    }
  };
  const tick = () => {
    if (current || stopped) return;
    current = runBatches()
      .catch((err: unknown) => opts.log.error({ err }, 'automatic marking run failed; will retry'))
      .finally(() => {
        current = undefined;
      });
  };
  const timer = setInterval(tick, opts.intervalMs);
  timer.unref();
  tick();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await current;
    },
  };
}
