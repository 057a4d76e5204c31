import type { Logger } from './logger';

/**
 * The loop shared by the background workers (automatic marking, grade sync): a tick every
 * `intervalMs`, the first at start (how a restarted instance catches up); never two ticks at
 * once; within a tick, batches follow one another while a batch reports more work, up to
 * `maxBatches`; errors are logged and the next tick retries. Leases in each job's service
 * share the work between instances.
 */
export interface IntervalWorker {
  /** Stops the timer and waits for a run in progress, so the database can be closed after. */
  stop(): Promise<void>;
}

export interface IntervalWorkerOptions {
  /** 0 or less = do not run. */
  intervalMs: number;
  maxBatches: number;
  log: Logger;
  /** Used in the log line of a failed tick. */
  name: string;
  /** One batch; resolves true when another batch should follow right away. */
  runBatch: () => Promise<boolean>;
}

export function startIntervalWorker(opts: IntervalWorkerOptions): IntervalWorker {
  if (opts.intervalMs <= 0) return { stop: async () => undefined };
  let current: Promise<void> | undefined;
  let stopped = false;

  const runBatches = async () => {
    for (let i = 0; i < opts.maxBatches && !stopped; i++) {
      if (!(await opts.runBatch())) return;
    }
  };
  const tick = () => {
    if (current || stopped) return;
    current = runBatches()
      .catch((err: unknown) => opts.log.error({ err }, `${opts.name} run failed; will retry`))
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
