import { TailorError } from '../errors.ts';

interface Waiter<T, R> {
  items: T[];
  resolve: (results: R[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: callers submit items and wait; everything submitted while the previous flush
 * runs is flushed together, so one durable write (one fsync) serves many requests. The
 * number of waiting items is bounded: past `maxPending`, `submit` fails with OVERLOADED (429)
 * instead of letting memory grow.
 */
export class GroupCommit<T, R> {
  private waiting: Waiter<T, R>[] = [];
  private waitingItems = 0;
  private draining = false;
  private readonly flush: (items: T[]) => Promise<R[]>;
  private readonly maxPending: number;

  constructor(input: { flush: (items: T[]) => Promise<R[]>; maxPending: number }) {
    this.flush = input.flush;
    this.maxPending = input.maxPending;
  }

  /** Items waiting for the next flush. */
  get pending(): number {
    return this.waitingItems;
  }

  /** Queues items for the next flush; resolves with one result per item once flushed. */
  submit(items: T[]): Promise<R[]> {
    if (items.length === 0) return Promise.resolve([]);
    if (this.waitingItems + items.length > this.maxPending && this.waitingItems > 0) {
      return Promise.reject(new TailorError('OVERLOADED'));
    }
    return new Promise<R[]>((resolve, reject) => {
      this.waiting.push({ items, resolve, reject });
      this.waitingItems += items.length;
      if (!this.draining) {
        this.draining = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  /** Resolves once nothing is waiting or being flushed, including items submitted by a flush itself. */
  async settled(): Promise<void> {
    while (this.draining || this.waiting.length > 0) await new Promise((resolve) => setImmediate(resolve));
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0) {
      const group = this.waiting;
      this.waiting = [];
      this.waitingItems = 0;
      const items: T[] = [];
      for (const waiter of group) items.push(...waiter.items);
      try {
        const results = await this.flush(items);
        let at = 0;
        for (const waiter of group) {
          waiter.resolve(results.slice(at, at + waiter.items.length));
          at += waiter.items.length;
        }
      } catch (error) {
        for (const waiter of group) waiter.reject(error);
      }
    }
    this.draining = false;
  }
}
