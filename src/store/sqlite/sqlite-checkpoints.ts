import type { Worker } from 'node:worker_threads';
import { startSqliteWorker } from './start-worker.ts';

/** How often the checkpoint thread copies the WAL into the database file (ms). */
const CHECKPOINT_INTERVAL_MS = 250;

/**
 * WAL checkpoints on a thread of their own. SQLite's automatic checkpoint runs inside the commit
 * that crosses its threshold, on the writing connection: with a view commit of thousands of
 * profiles that was every commit, and the pages copied into the file and its fsync held up the
 * appends queued behind it — acknowledged events waiting on derived state. Here a third
 * connection checkpoints (PASSIVE, so it never blocks the writer) every 250 ms, and the write
 * connection keeps an automatic checkpoint only as a backstop, at a larger threshold.
 *
 * The thread dying costs nothing but the backstop taking over; it is not restarted.
 */
export class SqliteCheckpoints {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;

  constructor(path: string) {
    this.worker = startSqliteWorker('sqlite-checkpoint-worker', { path, intervalMs: CHECKPOINT_INTERVAL_MS });
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    // A failure to start (the file gone) leaves the backstop; it must not crash the process.
    this.worker.on('error', () => undefined);
    this.worker.unref();
  }

  /** Stops checkpointing and closes the thread's connection. */
  async close(): Promise<void> {
    this.worker.postMessage('close');
    await Promise.race([this.exited, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
    await this.worker.terminate();
  }
}
