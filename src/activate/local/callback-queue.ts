/** How a local provider retries a callback its receiver did not take (ms). */
export interface CallbackRetry {
  /** The wait before the first retry; each next wait doubles. */
  firstMs: number;
  /** The longest wait between two tries. */
  maxMs: number;
}

/** Meta and Twilio retry from seconds up; locally a quarter second, doubling up to five. */
export const DEFAULT_CALLBACK_RETRY: CallbackRetry = { firstMs: 250, maxMs: 5_000 };

/**
 * Callbacks a local provider owes its receiver, delivered as a real provider does: each is
 * POSTed until the receiver answers 2xx, retried after connection errors and any other answer
 * with a doubling back-off, so a callback for a message accepted just before the receiver
 * crashed reaches it once it is back. `close()` gives up on what is still owed.
 */
export class CallbackQueue {
  private readonly retry: CallbackRetry;
  private readonly timers = new Set<NodeJS.Timeout>();
  private owed = 0;
  private done = 0;
  private closed = false;

  constructor(retry: CallbackRetry = DEFAULT_CALLBACK_RETRY) {
    this.retry = retry;
  }

  /** Starts delivering one callback: `post` is called again until it answers 2xx. */
  deliver(post: () => Promise<Response>): void {
    if (this.closed) return;
    this.owed += 1;
    const attempt = async (wait: number): Promise<void> => {
      if (this.closed) return;
      const ok = await post().then(
        async (response) => {
          await response.arrayBuffer().catch(() => undefined);
          return response.ok;
        },
        () => false,
      );
      if (ok) {
        this.owed -= 1;
        this.done += 1;
        return;
      }
      if (this.closed) return;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        void attempt(Math.min(wait * 2, this.retry.maxMs));
      }, wait);
      this.timers.add(timer);
    };
    void attempt(this.retry.firstMs);
  }

  /** Callbacks delivered (answered 2xx) and still owed. */
  counts(): { delivered: number; owed: number } {
    return { delivered: this.done, owed: this.owed };
  }

  /** Stops retrying: what is still owed is dropped. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
