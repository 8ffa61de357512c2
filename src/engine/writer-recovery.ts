import type { Logger } from '../logger.ts';

/** How long recovery waits before its attempt `attempt` (ms): at once, then doubling from 50 ms up to 1 s. */
export const recoveryDelay = (attempt: number): number =>
  attempt === 0 ? 0 : Math.min(1_000, 50 * 2 ** (attempt - 1));

/** What recovery does and whom it tells. */
export interface WriterRecoveryOptions {
  logger: Logger;
  /** One attempt to rebuild the writer's state from the store (drop the views, replay the log); throws when it fails. */
  attempt: () => Promise<void>;
  /** The writer stopped: refuse work until `onRecovered`. */
  onStop: () => void;
  /** An attempt succeeded: the writer may go on. */
  onRecovered: () => void;
}

/**
 * The fail-stop writer's state: running, or stopped by a storage fault and recovering. `stop`
 * logs the fault once and retries `attempt` with back-off until it succeeds or `close` is called.
 */
export class WriterRecovery {
  private stopped: { error: unknown; during: string; since: number } | undefined;
  private running: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private closed = false;
  private readonly options: WriterRecoveryOptions;

  constructor(options: WriterRecoveryOptions) {
    this.options = options;
  }

  /** Whether the writer is stopped and recovering. */
  get recovering(): boolean {
    return this.stopped !== undefined;
  }

  /** Stops the writer for `error` (met while `during`) and starts recovering; no-op when already stopped. */
  stop(error: unknown, during: string): void {
    if (this.stopped !== undefined) return;
    this.stopped = { error, during, since: Date.now() };
    this.options.logger.error(
      { err: error, during },
      'storage fault: the writer stopped and recovers by replaying the log from the last checkpoint',
    );
    this.options.onStop();
    if (!this.closed) this.running = this.retry();
  }

  /** Resolves once the writer is not recovering (or recovery was closed). */
  async recovered(): Promise<void> {
    while (this.running !== undefined && !this.closed) await this.running;
  }

  /** Ends recovery: a wait in progress ends at once, and no attempt starts after it. */
  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.running;
  }

  private async retry(): Promise<void> {
    const since = Date.now();
    for (let attempt = 0; !this.closed; attempt += 1) {
      await new Promise<void>((resolve) => {
        const timeout = setTimeout(resolve, recoveryDelay(attempt));
        timeout.unref();
        this.wake = () => {
          clearTimeout(timeout);
          resolve();
        };
      });
      this.wake = undefined;
      if (this.closed) return;
      try {
        await this.options.attempt();
      } catch (error) {
        this.options.logger.warn({ err: error, attempt: attempt + 1 }, 'recovery failed; trying again');
        continue;
      }
      this.options.logger.info({ attempts: attempt + 1, ms: Date.now() - since }, 'the writer recovered');
      this.stopped = undefined;
      this.running = undefined;
      this.options.onRecovered();
      return;
    }
  }
}
