import { local } from './storage.ts';

/** One Segment message as `/v1/batch` takes it. */
export type Message = Record<string, unknown>;

/** How events travel to Tailor. */
export interface DeliveryOptions {
  /** `https://tailor.example.com`, without a path. */
  host: string;
  writeKey: string;
  /** Send when this many events wait (default 20). */
  flushAt?: number;
  /** Send at most this long after an event (ms, default 1,000). */
  flushInterval?: number;
  /** Events kept while Tailor cannot be reached (default 500); past it the oldest are dropped. */
  maxQueue?: number;
}

/** The localStorage key holding events not yet accepted, so a reload or going offline keeps them. */
export const QUEUE_KEY = 'tailor_queue';
/** A beacon or keepalive request may carry at most 64 KB; stay under it. */
const BEACON_BYTES = 60_000;
const MAX_BACKOFF_MS = 60_000;

/**
 * The events on their way to `/v1/batch`: sent together every `flushInterval` or `flushAt`
 * events, kept in localStorage until Tailor accepts them (a reload or a tab closed offline sends
 * them later), retried with exponential back-off and jitter after a network error, a 429 or a
 * 5xx, and handed to `sendBeacon` when the page is hidden (and online). Bodies are `text/plain` with the write
 * key inside, so no CORS preflight is needed. Tailor drops a message it already holds (same
 * `messageId`), so a batch sent twice is counted once.
 */
export class Delivery {
  private queue: Message[];
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The batch on its way, if one is. */
  private sending: Promise<void> | undefined;
  private failures = 0;
  private readonly flushAt: number;
  private readonly flushInterval: number;
  private readonly maxQueue: number;
  /** Whether sending may start (false until consent when the site asks for it). */
  private open: boolean;

  constructor(
    private readonly options: DeliveryOptions,
    open: boolean,
  ) {
    this.flushAt = options.flushAt ?? 20;
    this.flushInterval = options.flushInterval ?? 1_000;
    this.maxQueue = options.maxQueue ?? 500;
    this.open = open;
    const saved = open ? local.get(QUEUE_KEY) : null;
    this.queue = Array.isArray(saved) ? saved.filter(isMessage) : [];
    addEventListener('online', () => this.schedule(0));
    addEventListener('pagehide', () => this.beacon());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') this.beacon();
    });
    if (this.queue.length > 0) this.schedule(0);
  }

  /** Events waiting to be accepted. */
  get pending(): number {
    return this.queue.length;
  }

  /** Lets sending start (consent given); what waited is saved and sent. */
  start(): void {
    if (this.open) return;
    this.open = true;
    this.save();
    this.schedule(0);
  }

  /** Queues one event; never throws, never waits. */
  add(message: Message): void {
    this.queue.push(message);
    if (this.queue.length > this.maxQueue) this.queue.splice(0, this.queue.length - this.maxQueue);
    this.save();
    this.schedule(this.queue.length >= this.flushAt ? 0 : this.flushInterval);
  }

  /**
   * Sends what waits now; resolves when Tailor accepted it or the try failed (it is retried).
   * A batch already on its way does not carry what was queued after it: that one is awaited,
   * then the rest is sent.
   */
  async flush(): Promise<void> {
    while (this.sending !== undefined) await this.sending;
    if (!this.open || this.queue.length === 0) return;
    if (!navigator.onLine) return; // the `online` event sends them
    this.sending = this.send().finally(() => {
      this.sending = undefined;
    });
    await this.sending;
  }

  private async send(): Promise<void> {
    const batch = this.queue.slice(0, 100);
    try {
      const body = this.body(batch);
      const response = await fetch(`${this.options.host}/v1/batch`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body,
        keepalive: body.length < BEACON_BYTES,
      });
      // 4xx other than 429: Tailor refused the batch as such (a bad key); retrying cannot help.
      if (response.ok || (response.status >= 400 && response.status < 500 && response.status !== 429)) {
        this.drop(batch);
        this.failures = 0;
      } else this.failures++;
    } catch {
      this.failures++;
    }
    if (this.failures > 0) this.schedule(backoff(this.failures));
    else if (this.queue.length > 0) this.schedule(0);
  }

  /** On page hide: hands what waits to the browser, which sends it after the page is gone. */
  private beacon(): void {
    if (!this.open || this.queue.length === 0 || typeof navigator.sendBeacon !== 'function') return;
    if (!navigator.onLine) return; // kept in localStorage for the next page
    const batch: Message[] = [];
    let size = 0;
    for (const message of this.queue) {
      size += JSON.stringify(message).length;
      if (size > BEACON_BYTES) break;
      batch.push(message);
    }
    if (batch.length === 0) return;
    const body = new Blob([this.body(batch)], { type: 'text/plain' });
    if (!navigator.sendBeacon(`${this.options.host}/v1/batch`, body)) return;
    // Out of memory but still in localStorage: a beacon can be lost, so the next page sends them
    // again (Tailor drops what it already has by messageId); a page that stays saves without them.
    const sent = new Set(batch);
    this.queue = this.queue.filter((message) => !sent.has(message));
  }

  private body(batch: Message[]): string {
    return JSON.stringify({ batch, writeKey: this.options.writeKey, sentAt: new Date().toISOString() });
  }

  private drop(batch: Message[]): void {
    const sent = new Set(batch);
    this.queue = this.queue.filter((message) => !sent.has(message));
    this.save();
  }

  private save(): void {
    if (this.open) local.set(QUEUE_KEY, this.queue.length === 0 ? null : this.queue);
  }

  private schedule(ms: number): void {
    if (!this.open) return;
    if (this.timer !== undefined) {
      if (ms > 0) return; // one is already due
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, ms);
  }
}

/** Exponential back-off with full jitter: up to 1 s, 2 s, 4 s … capped at a minute. */
function backoff(failures: number): number {
  return Math.random() * Math.min(MAX_BACKOFF_MS, 500 * 2 ** failures);
}

function isMessage(value: unknown): value is Message {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
