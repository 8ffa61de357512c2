import { setImmediate as yieldToIo } from 'node:timers/promises';
import { TailorError } from '../errors.ts';
import type { FlushOutcome } from './flush-outcome.ts';

/**
 * Who submitted items: a client's events are limited (count and queue time) and may be refused
 * with OVERLOADED; Tailor's own records (decisions served or triggered, timers) have capacity
 * apart and are never refused because clients filled the queue.
 */
export type Submitter = 'client' | 'internal';

interface Waiter<T, R> {
  items: T[];
  submitter: Submitter;
  /** When it was submitted, on the group commit's own monotonic clock (ms). */
  since: number;
  resolve: (results: R[]) => void;
  reject: (error: unknown) => void;
}

/** How a group commit flushes and what it lets wait. */
export interface GroupCommitOptions<T, R> {
  /** Writes items durably; says whether a failure wrote nothing (then the group is split and retried). */
  flush: (items: T[]) => Promise<FlushOutcome<R>>;
  /** Client items that may wait; past it a client `submit` fails with OVERLOADED. */
  maxPending: number;
  /** Items one flush takes at most (a single submission is never split), so one flush blocks the loop for a bounded time. */
  maxGroupItems?: number;
  /** A client submission still waiting this long when its group forms is refused with OVERLOADED (ms). */
  maxWaitMs?: number;
  /** Monotonic milliseconds for queue times (default `performance.now`); tests pass a fake. */
  now?: () => number;
}

/**
 * Group commit: callers submit items and wait; what was submitted while the previous flush ran
 * is flushed together, so one durable write (one fsync) serves many requests.
 *
 * - A flush that fails having written nothing is retried submission by submission, so one bad
 *   event fails only its own request. A flush that fails after writing (or in doubt) fails its
 *   whole group: a retry would log the events again as duplicates that are never applied.
 * - What waits is bounded: client items by count (`maxPending`) and by queue time
 *   (`maxWaitMs`), refused with OVERLOADED (429) and nothing written. Internal submissions
 *   are counted apart and never refused.
 * - A flush takes at most `maxGroupItems`, and the drain yields to I/O before flushing clients'
 *   items, so a long queue never starves other requests (`/health`) of the event loop.
 * - While the writer recovers from a fault it is `hold`: clients are refused at once with the
 *   hold's error; internal submissions wait, and flush once it is `release`d.
 */
export class GroupCommit<T, R> {
  private waiting: Waiter<T, R>[] = [];
  private clientItems = 0;
  private internalItems = 0;
  private draining = false;
  /** Set while the writer cannot flush: the error clients are refused with. */
  private heldBy: Error | undefined;
  /** Submissions of the current flush put back at the head of the line, in their order. */
  private requeued = 0;
  private readonly flush: (items: T[]) => Promise<FlushOutcome<R>>;
  private readonly maxPending: number;
  private readonly maxGroupItems: number;
  private readonly maxWaitMs: number;
  private readonly now: () => number;

  constructor(input: GroupCommitOptions<T, R>) {
    this.flush = input.flush;
    this.maxPending = input.maxPending;
    this.maxGroupItems = input.maxGroupItems ?? Number.POSITIVE_INFINITY;
    this.maxWaitMs = input.maxWaitMs ?? Number.POSITIVE_INFINITY;
    this.now = input.now ?? (() => performance.now());
  }

  /** Items waiting for a flush, clients' and internal. */
  get pending(): number {
    return this.clientItems + this.internalItems;
  }

  /** How long the oldest waiting client submission has waited (ms; 0 when none waits). */
  oldestClientWaitMs(): number {
    const now = this.now();
    for (const waiter of this.waiting) if (waiter.submitter === 'client') return now - waiter.since;
    return 0;
  }

  /** Whether flushing is on hold (`hold`). */
  get held(): boolean {
    return this.heldBy !== undefined;
  }

  /**
   * Stops flushing: clients waiting, and clients who submit until `release`, are refused with
   * `error`; internal submissions keep waiting. A flush already running finishes.
   */
  hold(error: Error): void {
    this.heldBy = error;
    const kept: Waiter<T, R>[] = [];
    for (const waiter of this.waiting) {
      if (waiter.submitter === 'internal') kept.push(waiter);
      else {
        this.count(waiter.submitter, -waiter.items.length);
        waiter.reject(error);
      }
    }
    this.waiting = kept;
  }

  /** Flushes again what waits, after a `hold`. */
  release(): void {
    this.heldBy = undefined;
    this.startDrain();
  }

  /** Refuses everything waiting, internal submissions too, with `error` (the writer is closing for good). */
  abandon(error: Error): void {
    for (const waiter of this.waiting) waiter.reject(error);
    this.waiting = [];
    this.clientItems = 0;
    this.internalItems = 0;
  }

  /** Queues items for a flush; resolves with one result per item once flushed. */
  submit(items: T[], submitter: Submitter = 'client'): Promise<R[]> {
    if (items.length === 0) return Promise.resolve([]);
    if (submitter === 'client' && this.heldBy !== undefined) return Promise.reject(this.heldBy);
    if (submitter === 'client' && this.clientItems + items.length > this.maxPending && this.clientItems > 0) {
      return Promise.reject(new TailorError('OVERLOADED'));
    }
    return new Promise<R[]>((resolve, reject) => {
      this.waiting.push({ items, submitter, since: this.now(), resolve, reject });
      this.count(submitter, items.length);
      this.startDrain();
    });
  }

  private startDrain(): void {
    if (this.draining || this.heldBy !== undefined || this.waiting.length === 0) return;
    this.draining = true;
    setImmediate(() => void this.drain());
  }

  /**
   * Resolves once nothing is waiting or being flushed, including items submitted by a flush
   * itself; while on hold, once the running flush is done (what waits, waits for `release`).
   */
  async settled(): Promise<void> {
    while (this.draining || (this.waiting.length > 0 && this.heldBy === undefined)) await yieldToIo();
  }

  private count(submitter: Submitter, delta: number): void {
    if (submitter === 'client') this.clientItems += delta;
    else this.internalItems += delta;
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0 && this.heldBy === undefined) {
      const group = this.takeGroup();
      if (group.length > 0) await this.flushGroup(group);
      // Clients' work waits for I/O to get in first; records a flush itself made (triggered
      // decisions) follow it at once, so whoever awaited that flush finds them written.
      if (this.waiting.some((waiter) => waiter.submitter === 'client')) await yieldToIo();
    }
    this.draining = false;
  }

  /** Refuses client submissions that waited too long, then takes the next group from the head. */
  private takeGroup(): Waiter<T, R>[] {
    const now = this.now();
    const kept: Waiter<T, R>[] = [];
    for (const waiter of this.waiting) {
      if (waiter.submitter === 'client' && now - waiter.since > this.maxWaitMs) {
        this.count(waiter.submitter, -waiter.items.length);
        waiter.reject(new TailorError('OVERLOADED'));
      } else kept.push(waiter);
    }
    let items = 0;
    let taken = 0;
    for (const waiter of kept) {
      if (taken > 0 && items + waiter.items.length > this.maxGroupItems) break;
      items += waiter.items.length;
      taken += 1;
      this.count(waiter.submitter, -waiter.items.length);
    }
    this.waiting = kept.slice(taken);
    return kept.slice(0, taken);
  }

  private async flushGroup(group: Waiter<T, R>[]): Promise<void> {
    this.requeued = 0;
    const items: T[] = [];
    for (const waiter of group) items.push(...waiter.items);
    const outcome = await this.run(items);
    if (outcome.kind === 'unwritten' && group.length > 1) {
      // Nothing of the group is durable: each submission alone, so only the bad one fails.
      for (const waiter of group) this.settle(waiter, await this.run(waiter.items));
      return;
    }
    let at = 0;
    for (const waiter of group) {
      this.settle(waiter, outcome, at);
      at += waiter.items.length;
    }
  }

  private settle(waiter: Waiter<T, R>, outcome: FlushOutcome<R>, at = 0): void {
    if (outcome.kind === 'flushed') waiter.resolve(outcome.results.slice(at, at + waiter.items.length));
    else if (this.heldBy !== undefined && waiter.submitter === 'internal') this.requeue(waiter);
    else waiter.reject(outcome.error);
  }

  /** Puts an internal submission whose flush failed as the writer went on hold back in line, to flush after `release`. */
  private requeue(waiter: Waiter<T, R>): void {
    this.waiting.splice(this.requeued, 0, waiter);
    this.requeued += 1;
    this.count(waiter.submitter, waiter.items.length);
  }

  private async run(items: T[]): Promise<FlushOutcome<R>> {
    try {
      return await this.flush(items);
    } catch (error) {
      return { kind: 'failed', error };
    }
  }
}
