import type { PartitionOwner, RoundOutcome } from './partition-owner.ts';

/** How often the owner's rounds and work run, and who hears of them. */
export interface OwnerLoopOptions {
  /** Between rounds (heartbeat, renewals, rebalancing): a third of the lease's length or less. */
  roundMs: number;
  /** Between two passes of work when the last one found nothing to do. */
  idleMs: number;
  /** Events pulled per partition per pass. */
  batch: number;
  onRound?: (outcome: RoundOutcome) => void;
  /** Partitions whose commit was refused during work. */
  onLost?: (partitions: number[]) => void;
  /** A round or a pass failed (the database or NATS away): the loop goes on and tries again. */
  onError?: (error: unknown) => void;
}

/** A running loop: `stop` ends it and lets the node's partitions go (committed, released). */
export interface OwnerLoop {
  stop(): Promise<void>;
}

/**
 * Runs a node's `PartitionOwner` on timers: rounds every `roundMs`, and work passes back to back
 * while they find events, every `idleMs` otherwise. Round and work never overlap (one chain of
 * timers, not intervals), so a slow commit delays the next renewal rather than racing it; the
 * lease's length must leave room for that.
 */
export function runPartitionOwner(owner: PartitionOwner, options: OwnerLoopOptions): OwnerLoop {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let nextRound = 0;

  const tick = async (): Promise<void> => {
    let busy = false;
    try {
      if (Date.now() >= nextRound) {
        nextRound = Date.now() + options.roundMs;
        options.onRound?.(await owner.round());
      }
      const lost = await owner.work(options.batch);
      if (lost.length > 0) options.onLost?.(lost);
      busy = owner.owned.length > 0 && lost.length === 0 && (await owner.pending());
    } catch (error) {
      options.onError?.(error);
    }
    if (!stopped) timer = setTimeout(schedule, busy ? 0 : options.idleMs);
  };
  const schedule = () => {
    running = tick();
  };
  schedule();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      await owner.stop();
    },
  };
}
