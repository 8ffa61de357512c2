import { DEFAULT_RETRY, type RetryPolicy, retryDelay } from '../activate/backoff.ts';
import {
  type ChannelAdapter,
  PROVIDER_CHANNELS,
  type ProviderChannel,
  type SendConfirmation,
  type SendOutcome,
} from '../activate/channel.ts';
import { RateLimiter } from '../activate/rate-limiter.ts';
import type { SendRecord, SendUpdate } from '../activate/send-record.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { Outbox } from '../store/ports/outbox.ts';

/** The adapter for a workspace's channel, when the workspace configures one. */
export type AdapterLookup = (workspaceId: string, channel: ProviderChannel) => ChannelAdapter | undefined;

/** What happened to one attempt, for the feedback loop and for tests. */
export type AttemptListener = (
  send: SendRecord,
  outcome: SendOutcome | { kind: 'dead'; reason: string },
) => void;

/** How the dispatcher is wired and tuned. */
export interface DispatcherOptions {
  outbox: Outbox;
  adapters: AdapterLookup;
  clock: Clock;
  logger: Logger;
  retry?: RetryPolicy;
  /** Sends per second per workspace and channel (default 50). */
  ratePerSecond?: (workspaceId: string, channel: ProviderChannel) => number | undefined;
  /** How often to look for due sends when nothing woke it (ms). */
  pollMs?: number;
  /** Sends claimed per round. */
  batch?: number;
  /** Attempts in flight at most (default 500); a round claims only as many as there is room for. */
  maxInFlight?: number;
  onAttempt?: AttemptListener;
  /** The workspaces whose channels may have sends in flight: asked at start, for the adapters that confirm by callback. */
  workspaceIds?: () => readonly string[];
  /**
   * How long a send left in doubt by a stop (handed to its provider, no answer written), on a
   * channel whose provider confirms sends by callback, waits for that confirmation before it is
   * sent again (ms, default `DEFAULT_RECONCILE_MS`).
   */
  reconcileMs?: number;
  /**
   * Asked just before a send goes to its provider: a reason to drop it (the person withdrew
   * consent or became unreachable while it waited for quiet hours or a retry), or null.
   */
  stillAllowed?: (send: SendRecord) => Promise<string | null>;
  /**
   * Asked just before a send goes to its provider, once it is allowed: the content to send
   * instead of the one recorded, or undefined to send that. A CRM upsert carries the person's
   * values as they are now, so a retried older change never overwrites a newer one.
   */
  currentContent?: (send: SendRecord) => Promise<Record<string, unknown> | undefined>;
}

/** How long a send waits before trying again when the person could not be checked (ms). */
const RECHECK_MS = 1_000;

/** A send waiting for its `calledAt` to be written, and the attempt waiting on that. */
interface PendingMark {
  call: { workspaceId: string; id: string };
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * How long a send in doubt waits for its provider's confirming callback after a restart: a
 * provider posts its first status callback within seconds of accepting a message and retries
 * one that failed (Meta and Twilio back off from seconds), so a minute covers a restart of tens
 * of seconds while delaying the sends that truly did not go out by no more than that.
 */
export const DEFAULT_RECONCILE_MS = 60_000;

/**
 * How long a provider confirmation received is remembered in memory (ms): long past the time its
 * write to the outbox takes, and a claim that read the send before that write reaches its call.
 */
const RECEIVED_KEEP_MS = 120_000;

/** A provider's confirmation of a send as this process received it. */
interface ReceivedConfirmation {
  providerMessageId: string;
  /** When it was received, by the dispatcher's clock. */
  at: number;
}

/** An attempt in flight: a confirmation received before its call stops the call. */
interface Calling {
  confirmedAs?: string;
}

function sendKey(workspaceId: string, id: string): string {
  return `${workspaceId}\u0000${id}`;
}

/**
 * Drains the outbox: claims due sends, waits for its provider's rate limit, hands each to its
 * channel adapter and writes the outcome back — sent; pending again after an exponential,
 * jittered back-off (or the provider's Retry-After) on a temporary failure; failed at once on
 * a permanent one; dead once retries run out. A send is claimed durably, and the claim counts it
 * as handed to its provider; one that must wait for its rate-limit slot is marked waiting
 * (`Outbox.markWaiting`) and, when the slot comes, handed over again (`Outbox.markCalled`), each
 * durably before what follows, so a send under the rate costs no write beyond its claim. When
 * the dispatcher starts again, a send a stop left claimed but never handed over is released at
 * once; one handed over is in doubt: released at once on a channel whose provider never tells
 * (it may then be sent twice), after the reconcile window on one whose provider confirms sends
 * by callback — a callback that names it meanwhile marks it sent (`Outbox.confirmSend`), so it is
 * not sent again (see docs/channels.md). A callback counts from the moment it is received
 * (`confirmationsReceived`), before its write to the outbox is done: a send it names is not
 * handed to its provider again, whether its window ends or its claim was already out meanwhile.
 * `wake()` starts a round at once, so a fresh decision does not wait a poll.
 */
export class Dispatcher {
  private readonly options: DispatcherOptions;
  private readonly retry: RetryPolicy;
  private readonly limiters = new Map<string, RateLimiter>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private readonly inFlight = new Set<Promise<void>>();
  /** Sends that began waiting for their slot, or whose slot came, in this turn of the event loop: one write each. */
  private readonly marks: Record<'waiting' | 'called', PendingMark[]> = { waiting: [], called: [] };
  /** Outcomes of attempts that ended in this turn of the event loop: one write for all. */
  private finishes: { update: SendUpdate; resolve: () => void; reject: (error: unknown) => void }[] = [];
  /** Provider confirmations received in the last `RECEIVED_KEEP_MS`, oldest first, by send key. */
  private readonly received = new Map<string, ReceivedConfirmation>();
  /** Listeners beside `options.onAttempt` (`onAttempts`). */
  private readonly attemptListeners: AttemptListener[] = [];
  /** Attempts in flight, by send key. */
  private readonly calling = new Map<string, Calling>();

  constructor(options: DispatcherOptions) {
    this.options = options;
    this.retry = options.retry ?? DEFAULT_RETRY;
  }

  /**
   * Releases sends a previous run left claimed — those it had handed to a provider that
   * confirms by callback due only once the reconcile window has passed — then starts polling.
   * The window starts now: start the dispatcher once provider callbacks can be received (the
   * HTTP server listens), or the window is shorter than it says.
   */
  async start(): Promise<void> {
    const { outbox, clock, logger } = this.options;
    const at = clock();
    const until = at + (this.options.reconcileMs ?? DEFAULT_RECONCILE_MS);
    const { released, neverCalled, awaiting } = await outbox.releaseSending({
      at,
      awaiting: {
        channels: this.confirmingChannels(),
        until,
        reason: `in doubt after a restart: waiting until ${new Date(until).toISOString()} for the provider's confirmation before sending again`,
      },
    });
    if (neverCalled > 0)
      logger.info(
        { released: neverCalled },
        'sends a stop caught before their provider was called go out now',
      );
    if (released > neverCalled)
      logger.info({ released: released - neverCalled }, 'sends left in flight by a stop will be retried');
    if (awaiting > 0)
      logger.info({ awaiting, until }, "sends left in flight by a stop wait for the provider's confirmation");
    this.stopped = false;
    this.timer = setInterval(() => this.wake(), this.options.pollMs ?? 250);
    this.timer.unref();
    this.wake();
  }

  /**
   * Takes note of verified provider callbacks confirming sends, as soon as they are read and
   * before `confirmSends` has written them: a send they name that is claimed or falls due before
   * that write is done is marked sent instead of being handed to its provider again.
   */
  confirmationsReceived(workspaceId: string, confirmations: readonly SendConfirmation[]): void {
    if (confirmations.length === 0) return;
    const at = this.options.clock();
    for (const [key, received] of this.received) {
      if (received.at > at - RECEIVED_KEEP_MS) break;
      this.received.delete(key);
    }
    for (const { sendId, providerMessageId } of confirmations) {
      const key = sendKey(workspaceId, sendId);
      this.received.delete(key);
      this.received.set(key, { providerMessageId, at });
      const calling = this.calling.get(key);
      if (calling !== undefined) calling.confirmedAs = providerMessageId;
    }
  }

  /** Calls `listener` with every attempt's outcome too, after `options.onAttempt` (metrics). */
  onAttempts(listener: AttemptListener): void {
    this.attemptListeners.push(listener);
  }

  /** Runs a round now (or right after the current one). */
  wake(): void {
    if (this.stopped) return;
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    this.running = this.round()
      .catch((error: unknown) => this.options.logger.error({ err: error }, 'dispatch round failed'))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** Runs rounds until nothing is due now: for tests and benchmarks that drive the clock. */
  async drain(): Promise<void> {
    for (;;) {
      const due = await this.options.outbox.nextSendDue();
      const isDue = due !== undefined && due <= this.options.clock();
      if (!isDue && this.inFlight.size === 0) break;
      if (isDue) await this.round();
      await Promise.all(this.inFlight);
    }
  }

  /** Stops polling and waits for the attempts in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.running;
    await Promise.all(this.inFlight);
  }

  /**
   * Claims as many due sends as there is room for in flight and starts them, without waiting
   * for them: a slow provider (or one send waiting for its rate) never holds back a retry that
   * falls due meanwhile. Each attempt that ends wakes the dispatcher again.
   */
  private async round(): Promise<void> {
    const { outbox, clock, logger } = this.options;
    const room = (this.options.maxInFlight ?? 500) - this.inFlight.size;
    if (room <= 0) return;
    const limit = Math.min(room, this.options.batch ?? 100);
    const claimed = await outbox.claimSends(clock(), limit);
    for (const send of claimed) {
      const key = sendKey(send.workspaceId, send.id);
      const calling: Calling = {};
      this.calling.set(key, calling);
      const attempt: Promise<void> = this.attempt(send, calling)
        .catch((error: unknown) => logger.error({ err: error, send: send.id }, 'send attempt failed'))
        .finally(() => {
          if (this.calling.get(key) === calling) this.calling.delete(key);
          this.inFlight.delete(attempt);
          this.wake();
        });
      this.inFlight.add(attempt);
    }
    if (claimed.length === limit) this.again = true;
  }

  private async attempt(send: SendRecord, calling: Calling): Promise<void> {
    const { clock, logger } = this.options;
    const adapter = this.options.adapters(send.workspaceId, send.channel);
    if (adapter === undefined) {
      const reason = `the workspace has no ${send.channel} channel configured`;
      await this.finish({
        workspaceId: send.workspaceId,
        id: send.id,
        status: 'failed',
        lastError: reason,
        at: clock(),
      });
      this.attempted(send, { kind: 'failed', reason, unreachable: false });
      return;
    }
    let refused: string | null;
    try {
      refused = (await this.options.stillAllowed?.(send)) ?? null;
    } catch (error) {
      // The profile could not be read (the writer recovering from a storage fault, the database
      // away): the send goes back in line, rather than staying claimed until the next restart.
      await this.finish({
        workspaceId: send.workspaceId,
        id: send.id,
        status: 'pending',
        nextAttemptAt: clock() + RECHECK_MS,
        lastError: `could not check the person before sending: ${error instanceof Error ? error.message : String(error)}`,
        at: clock(),
      });
      return;
    }
    if (refused !== null) {
      await this.finish({
        workspaceId: send.workspaceId,
        id: send.id,
        status: 'failed',
        lastError: refused,
        at: clock(),
      });
      this.attempted(send, { kind: 'failed', reason: refused, unreachable: false });
      return;
    }
    const wait = this.limiter(send).delay(clock());
    if (wait > 0) {
      // The claim counted the send as on its way to the provider; it waits for its rate-limit
      // slot instead, so a stop meanwhile leaves it untouched and it goes out at once after.
      await this.mark(send, 'waiting');
      await new Promise((resolve) => setTimeout(resolve, wait));
      // From here on the provider may take it again.
      await this.mark(send, 'called');
    }
    // The provider said it has this send, in a callback received but perhaps not yet written.
    const confirmedAs =
      calling.confirmedAs ?? this.received.get(sendKey(send.workspaceId, send.id))?.providerMessageId;
    if (confirmedAs !== undefined) {
      await this.finish({
        workspaceId: send.workspaceId,
        id: send.id,
        at: clock(),
        status: 'sent',
        providerMessageId: confirmedAs,
      });
      this.attempted(send, { kind: 'sent', providerMessageId: confirmedAs });
      return;
    }
    let outcome: SendOutcome;
    try {
      const content = await this.options.currentContent?.(send);
      outcome = await adapter.send(content === undefined ? send : { ...send, content });
    } catch (error) {
      // Adapters classify provider answers; a throw is a bug or a network failure: retry.
      outcome = { kind: 'retry', reason: error instanceof Error ? error.message : 'the adapter failed' };
    }
    const at = clock();
    const base = { workspaceId: send.workspaceId, id: send.id, at };
    if (outcome.kind === 'sent') {
      await this.finish({ ...base, status: 'sent', providerMessageId: outcome.providerMessageId });
    } else if (outcome.kind === 'failed') {
      await this.finish({ ...base, status: 'failed', lastError: outcome.reason });
    } else if (send.attempts >= this.retry.maxAttempts) {
      const reason = `gave up after ${send.attempts} attempts: ${outcome.reason}`;
      await this.finish({ ...base, status: 'dead', lastError: reason });
      logger.warn({ workspace: send.workspaceId, send: send.id }, 'send is dead');
      this.attempted(send, { kind: 'dead', reason });
      return;
    } else {
      const delay = retryDelay({
        policy: this.retry,
        attempt: send.attempts,
        retryAfterMs: outcome.retryAfterMs,
      });
      await this.finish({
        ...base,
        status: 'pending',
        nextAttemptAt: at + delay,
        lastError: outcome.reason,
      });
    }
    this.attempted(send, outcome);
  }

  /**
   * Records that `send` waits for its rate-limit slot, or that its slot came and it is handed to
   * its provider, together with every other send that does the same in this turn of the event
   * loop (a burst the rate limit holds back, or lets through): one transaction, so one disk
   * flush, for all of them. A send its slot lets through at once needs no write: the claim
   * already counted it as on its way.
   */
  private mark(send: SendRecord, kind: 'waiting' | 'called'): Promise<void> {
    return new Promise((resolve, reject) => {
      const marks = this.marks[kind];
      if (marks.length === 0) setImmediate(() => this.writeMarks(kind));
      marks.push({ call: { workspaceId: send.workspaceId, id: send.id }, resolve, reject });
    });
  }

  /**
   * Writes an attempt's outcome (`Outbox.finishSend`) together with those of every other attempt
   * ending in this turn of the event loop — a batch an ad platform took answers hundreds at once —
   * in one transaction, so one disk flush for all of them.
   */
  private finish(update: SendUpdate): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.finishes.length === 0) setImmediate(() => this.writeFinishes());
      this.finishes.push({ update, resolve, reject });
    });
  }

  private writeFinishes(): void {
    const finishes = this.finishes;
    this.finishes = [];
    this.options.outbox.finishSends(finishes.map((finish) => finish.update)).then(
      () => {
        for (const finish of finishes) finish.resolve();
      },
      (error: unknown) => {
        for (const finish of finishes) finish.reject(error);
      },
    );
  }

  private writeMarks(kind: 'waiting' | 'called'): void {
    const marks = this.marks[kind];
    this.marks[kind] = [];
    const calls = marks.map((mark) => mark.call);
    const { outbox } = this.options;
    (kind === 'called' ? outbox.markCalled(calls, this.options.clock()) : outbox.markWaiting(calls)).then(
      () => {
        for (const mark of marks) mark.resolve();
      },
      (error: unknown) => {
        for (const mark of marks) mark.reject(error);
      },
    );
  }

  private attempted(send: SendRecord, outcome: SendOutcome | { kind: 'dead'; reason: string }): void {
    this.options.onAttempt?.(send, outcome);
    for (const listener of this.attemptListeners) listener(send, outcome);
  }

  /** The workspace channels whose adapter confirms sends by callback. */
  private confirmingChannels(): { workspaceId: string; channel: ProviderChannel }[] {
    const found: { workspaceId: string; channel: ProviderChannel }[] = [];
    for (const workspaceId of this.options.workspaceIds?.() ?? []) {
      for (const channel of PROVIDER_CHANNELS) {
        if (this.options.adapters(workspaceId, channel)?.confirmsByCallback === true)
          found.push({ workspaceId, channel });
      }
    }
    return found;
  }

  private limiter(send: SendRecord): RateLimiter {
    const key = `${send.workspaceId}\u0000${send.channel}`;
    let limiter = this.limiters.get(key);
    if (limiter === undefined) {
      const perSecond = this.options.ratePerSecond?.(send.workspaceId, send.channel) ?? 50;
      limiter = new RateLimiter(perSecond, this.options.clock());
      this.limiters.set(key, limiter);
    }
    return limiter;
  }
}
