import type { Logger } from './logger.ts';

interface Window {
  start: number;
  written: number;
  suppressed: number;
}

/**
 * A logger for lines a caller without credentials can cause once per request (a bad link, a
 * workspace whose channels cannot be built, a failing request): per `kind`, at most `max`
 * lines per `intervalMs`; the first line past that says that more are suppressed, and the
 * first line of the next interval is preceded by one summary, `suppressed M`. So a flood of
 * any size writes at most `max + 2` lines per kind and interval. Kinds are fixed strings of
 * the code (never request data), so the table stays small.
 */
export class LimitedLog {
  private readonly logger: Logger;
  private readonly clock: () => number;
  private readonly max: number;
  private readonly intervalMs: number;
  private readonly windows = new Map<string, Window>();

  constructor(input: { logger: Logger; clock: () => number; max?: number; intervalMs?: number }) {
    this.logger = input.logger;
    this.clock = input.clock;
    this.max = input.max ?? 5;
    this.intervalMs = input.intervalMs ?? 60_000;
  }

  /** Logs at warn level, within the limit of `kind`. */
  warn(kind: string, object: object, message: string): void {
    if (this.admit(kind)) this.logger.warn({ ...object, kind }, message);
  }

  /** Logs at error level, within the limit of `kind`. */
  error(kind: string, object: object, message: string): void {
    if (this.admit(kind)) this.logger.error({ ...object, kind }, message);
  }

  private admit(kind: string): boolean {
    const now = this.clock();
    let window = this.windows.get(kind);
    if (window === undefined || now - window.start >= this.intervalMs || now < window.start) {
      if (window !== undefined && window.suppressed > 0) {
        this.logger.warn(
          { kind, suppressed: window.suppressed, since: new Date(window.start).toISOString() },
          `suppressed ${window.suppressed} log lines of this kind`,
        );
      }
      window = { start: now, written: 0, suppressed: 0 };
      this.windows.set(kind, window);
    }
    if (window.written < this.max) {
      window.written += 1;
      return true;
    }
    window.suppressed += 1;
    if (window.suppressed === 1) {
      this.logger.warn(
        { kind, until: new Date(window.start + this.intervalMs).toISOString() },
        `more than ${this.max} log lines of this kind in ${this.intervalMs / 1000} s: suppressing them until then`,
      );
    }
    return false;
  }
}
