import type { AgsServices } from '../lti/lti-services';
import { newHolderId } from '../shared/job-lease.service';
import type { Logger } from '../shared/logger';
import { processGradeSync, ProcessSummary } from './grade-sync.service';

/**
 * Delivers due grades every `intervalMs` (5 s by default) on every instance; the per-job
 * leases in grade-sync.service.ts share the work out. The first run happens at start, which
 * is also how a restarted instance picks up what was pending when it stopped.
 */
export interface GradeSyncWorkerOptions {
  /** 0 or less = do not run (tests drive processGradeSync themselves). */
  intervalMs: number;
  ags: AgsServices;
  log: Logger;
  now: () => Date;
  batchSize?: number;
}

export interface GradeSyncWorker {
  /** Stops the timer and waits for a run in progress, so the database can be closed after. */
  stop(): Promise<void>;
}

/** A full batch means a backlog (e.g. "Resync everyone"): keep going within the tick, up to this many batches. */
const MAX_BATCHES_PER_TICK = 20;

const worthLogging = (s: ProcessSummary) => s.claimed > 0;

export function startGradeSyncWorker(opts: GradeSyncWorkerOptions): GradeSyncWorker {
  if (opts.intervalMs <= 0) return { stop: async () => undefined };
  const holder = newHolderId('grade-sync');
  let current: Promise<void> | undefined;
  let stopped = false;

  const runBatches = async () => {
    for (let i = 0; i < MAX_BATCHES_PER_TICK && !stopped; i++) {
      const summary = await processGradeSync({ ags: opts.ags, now: opts.now, log: opts.log }, { holder, batchSize: opts.batchSize });
      if (worthLogging(summary)) opts.log.info({ ...summary, holder }, 'grade sync run');
      // Stop when nothing more is due, or when this batch achieved nothing (all claimed elsewhere).
      if (!summary.more || summary.claimed === 0) return;
    }
  };
  const tick = () => {
    if (current || stopped) return;
    current = runBatches()
      .catch((err: unknown) => opts.log.error({ err }, 'grade sync run failed; will retry'))
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
