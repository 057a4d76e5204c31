import { decideRestart, DEFAULT_RESTART_POLICY, RestartPolicy } from './restart-policy';
import type { DbLogger, StartedDatabase } from './select-database';

/**
 * Keeps an embedded database server alive: when its process dies on its own (a crash, the OOM
 * killer, kill -9), it is started again on the same data and the same port, so the connection
 * string every client holds stays right and the drivers simply reconnect. A server that keeps
 * dying is given up on loudly (decideRestart), rather than restarted for ever.
 */

/** A server we started and can watch: `exited` settles when its process has ended, for whatever reason. */
export interface WatchedDatabase extends StartedDatabase {
  exited: Promise<unknown>;
}

export interface SupervisorOptions {
  log: DbLogger;
  policy?: RestartPolicy;
  /** Called once after the supervisor has given up (e.g. to stop the tool so a process manager restarts it). */
  onGiveUp?: () => void;
  nowMs?: () => number;
}

export interface SupervisedDatabase<T extends WatchedDatabase = WatchedDatabase> extends StartedDatabase {
  /** The server running now (a new one after each restart). */
  current(): T;
  /** How many times the server was restarted. */
  restarts(): number;
  /** Settles when the server is back after a restart in progress (or at once when it is up). */
  ready(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export function superviseDatabase<T extends WatchedDatabase>(first: T, restart: () => Promise<T>, opts: SupervisorOptions): SupervisedDatabase<T> {
  const policy = opts.policy ?? DEFAULT_RESTART_POLICY;
  const nowMs = opts.nowMs ?? Date.now;
  const history: number[] = [];
  let current = first;
  let stopping = false;
  let recovering: Promise<void> | undefined;

  async function recover(): Promise<void> {
    opts.log.error({ db: current.kind, description: current.description }, 'The embedded database stopped unexpectedly; restarting it on the same data');
    for (;;) {
      const decision = decideRestart(history, nowMs(), policy);
      if (decision.action === 'give_up') {
        opts.log.error(
          { db: current.kind, restarts: decision.recent, windowSeconds: policy.windowMs / 1000 },
          'The embedded database keeps stopping; gave up restarting it. Check its log and the disk, then restart the tool.',
        );
        opts.onGiveUp?.();
        return;
      }
      await sleep(decision.delayMs);
      if (stopping) return;
      history.push(nowMs());
      try {
        const next = await restart();
        if (stopping) {
          await next.stop();
          return;
        }
        current = next;
        watch(next);
        opts.log.info({ db: next.kind, restarts: history.length }, 'The embedded database is running again');
        return;
      } catch (err) {
        opts.log.error({ err }, 'Restarting the embedded database failed; will try again');
      }
    }
  }

  function watch(db: T): void {
    void db.exited.then(() => {
      if (stopping || db !== current) return;
      recovering = recover().finally(() => {
        recovering = undefined;
      });
    });
  }
  watch(first);

  return {
    kind: first.kind,
    uri: first.uri,
    description: first.description,
    current: () => current,
    restarts: () => history.length,
    ready: async () => {
      await recovering;
    },
    stop: async () => {
      stopping = true;
      await recovering?.catch(() => undefined);
      await current.stop();
    },
  };
}
