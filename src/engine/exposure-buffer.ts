import type { Logger } from '../logger.ts';
import type { ExposureLog, ExposureRow } from '../store/ports/exposure-log.ts';

/** How an exposure buffer writes and when. */
export interface ExposureBufferOptions {
  log: Pick<ExposureLog, 'appendExposures'>;
  logger: Logger;
  /** How long an exposure waits for the next write at most (ms, default 100). */
  flushMs?: number;
  /** Write at once when this many are waiting (default 500). */
  flushRows?: number;
  /** After a failed write, wait this long before the next try (ms, default 1,000). */
  retryMs?: number;
  /**
   * Exposures kept while the store refuses them (default 200,000): past it, new ones are
   * refused with an error log and counted in `refused`, so an outage cannot exhaust memory.
   */
  maxRows?: number;
}

/**
 * Exposures on their way to the exposure log, off the request path: decide hands them over and
 * answers; they are written together every `flushMs` or `flushRows`, on this buffer's own
 * capacity (the clients' pending events never hold them up, nor they those). A failed write keeps
 * them and is retried after `retryMs`; `flush` and `close` wait until everything handed over by
 * then is written.
 */
export class ExposureBuffer {
  private readonly log: Pick<ExposureLog, 'appendExposures'>;
  private readonly logger: Logger;
  private readonly flushMs: number;
  private readonly flushRows: number;
  private readonly retryMs: number;
  private readonly maxRows: number;
  private waiting: ExposureRow[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** The write under way, if any: one at a time, so rows are written in the order handed over. */
  private writing: Promise<void> | undefined;
  private failures = 0;
  private closed = false;
  /** Exposures refused because `maxRows` were waiting. */
  refused = 0;

  constructor(options: ExposureBufferOptions) {
    this.log = options.log;
    this.logger = options.logger;
    this.flushMs = options.flushMs ?? 100;
    this.flushRows = options.flushRows ?? 500;
    this.retryMs = options.retryMs ?? 1_000;
    this.maxRows = options.maxRows ?? 200_000;
  }

  /** Exposures waiting to be written. */
  get pending(): number {
    return this.waiting.length;
  }

  /** Hands exposures over to be written soon; never waits and never throws. */
  add(rows: readonly ExposureRow[]): void {
    if (rows.length === 0) return;
    const room = this.maxRows - this.waiting.length;
    if (room < rows.length) {
      this.refused += rows.length - Math.max(room, 0);
      this.logger.error(
        { refused: rows.length - Math.max(room, 0), waiting: this.waiting.length },
        'exposure log unavailable and its buffer full: exposures refused',
      );
    }
    for (const row of rows.slice(0, Math.max(room, 0))) this.waiting.push(row);
    if (this.waiting.length >= this.flushRows && this.failures === 0) this.schedule(0);
    else this.schedule(this.failures === 0 ? this.flushMs : this.retryMs);
  }

  /**
   * Writes everything handed over so far; resolves once it is in the log, and throws when the
   * store refused it (the rows stay buffered and are retried).
   */
  async flush(): Promise<void> {
    if (this.waiting.length === 0 && this.writing === undefined) return;
    await this.write();
  }

  /**
   * Stops the timer and writes what is waiting; throws when the store refuses it (what is left
   * is then logged as lost: the store is closing).
   */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    if (this.timer !== undefined) {
      if (ms > 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.write().catch(() => undefined);
    }, ms);
    this.timer.unref();
  }

  /** Writes the waiting rows (after any write under way); on failure puts them back first in line. */
  private write(): Promise<void> {
    const run = async (): Promise<void> => {
      const rows = this.waiting;
      if (rows.length === 0) return;
      this.waiting = [];
      try {
        await this.log.appendExposures(rows);
        this.failures = 0;
      } catch (error) {
        this.failures += 1;
        this.waiting = rows.concat(this.waiting);
        this.logger.error({ err: error, rows: rows.length }, 'exposures not written yet: retrying');
        this.schedule(this.retryMs);
        throw error;
      }
      if (this.waiting.length > 0) this.schedule(this.waiting.length >= this.flushRows ? 0 : this.flushMs);
    };
    const previous = this.writing ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(run);
    this.writing = next;
    const clear = () => {
      if (this.writing === next) this.writing = undefined;
    };
    next.then(clear, clear);
    return next;
  }
}
