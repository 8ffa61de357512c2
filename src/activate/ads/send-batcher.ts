import type { SendOutcome } from '../channel.ts';

/** One send waiting in a batch, and how to tell its attempt the batch's outcome. */
interface Waiting<T> {
  item: T;
  resolve: (outcome: SendOutcome) => void;
}

/** A batch filling up for one key (an audience and what is asked of it). */
interface Filling<T> {
  items: Waiting<T>[];
  timer: NodeJS.Timeout;
}

/** How a batcher groups sends and sends a batch. */
export interface SendBatcherOptions<T> {
  /** The most sends in one request (the platform's limit). */
  maxSize: number;
  /** How long the first send of a batch waits for others before the batch goes (ms). */
  windowMs: number;
  /**
   * Sends one batch of the key's items in one request and says what became of each, in order
   * (one outcome for all when the request succeeded or failed as a whole). Never throws.
   */
  flush(key: string, items: T[]): Promise<SendOutcome | SendOutcome[]>;
}

/**
 * Turns the dispatcher's one-send-at-a-time attempts into the batched requests ad platforms
 * want: `add` holds a send until `maxSize` sends of its key are waiting or `windowMs` has passed
 * since the first, then sends them in one request and answers each attempt with the batch's
 * outcome. Batches of one key go one after the other, in the order they filled, so a platform
 * sees a person's changes in the order the outbox handed them over. The outbox keeps each send
 * durable meanwhile: a stop loses nothing, a retried batch is retried send by send.
 */
export class SendBatcher<T> {
  private readonly options: SendBatcherOptions<T>;
  private readonly filling = new Map<string, Filling<T>>();
  /** The last batch of each key sent or sending, which the next one waits for. */
  private readonly sending = new Map<string, Promise<void>>();

  constructor(options: SendBatcherOptions<T>) {
    this.options = options;
  }

  /** Adds a send to its key's batch; resolves with what the platform made of it. */
  add(key: string, item: T): Promise<SendOutcome> {
    return new Promise((resolve) => {
      let batch = this.filling.get(key);
      if (batch === undefined) {
        const timer = setTimeout(() => this.go(key), this.options.windowMs);
        batch = { items: [], timer };
        this.filling.set(key, batch);
      }
      batch.items.push({ item, resolve });
      if (batch.items.length >= this.options.maxSize) this.go(key);
    });
  }

  private go(key: string): void {
    const batch = this.filling.get(key);
    if (batch === undefined) return;
    this.filling.delete(key);
    clearTimeout(batch.timer);
    const previous = this.sending.get(key) ?? Promise.resolve();
    const next = previous.then(() => this.send(key, batch.items));
    this.sending.set(key, next);
    void next.finally(() => {
      if (this.sending.get(key) === next) this.sending.delete(key);
    });
  }

  private async send(key: string, waiting: Waiting<T>[]): Promise<void> {
    let outcomes: SendOutcome | SendOutcome[];
    try {
      outcomes = await this.options.flush(
        key,
        waiting.map((entry) => entry.item),
      );
    } catch (error) {
      outcomes = { kind: 'retry', reason: error instanceof Error ? error.message : 'the batch failed' };
    }
    waiting.forEach((entry, i) => {
      const outcome = Array.isArray(outcomes) ? outcomes[i] : outcomes;
      entry.resolve(outcome ?? { kind: 'retry', reason: 'no outcome for this send in the batch' });
    });
  }
}
