import type { AgsServices } from '../lti/lti-services';
import { IntervalWorker, startIntervalWorker } from '../shared/interval-worker';
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

export type GradeSyncWorker = IntervalWorker;

/** A full batch means a backlog (e.g. "Resync everyone"): keep going within the tick, up to this many batches. */
const MAX_BATCHES_PER_TICK = 20;

const worthLogging = (s: ProcessSummary) => s.claimed > 0;

export function startGradeSyncWorker(opts: GradeSyncWorkerOptions): GradeSyncWorker {
  const holder = newHolderId('grade-sync');
  return startIntervalWorker({
    intervalMs: opts.intervalMs, maxBatches: MAX_BATCHES_PER_TICK, log: opts.log, name: 'grade sync',
    runBatch: async () => {
      const summary = await processGradeSync({ ags: opts.ags, now: opts.now, log: opts.log }, { holder, batchSize: opts.batchSize });
      if (worthLogging(summary)) opts.log.info({ ...summary, holder }, 'grade sync run');
      // Go on while more is due and this batch claimed something (not all claimed elsewhere).
      return summary.more && summary.claimed > 0;
    },
  });
}
