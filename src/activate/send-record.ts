import type { ProviderChannel } from './channel.ts';

/** Where a send stands in the outbox. */
export type SendStatus =
  /** Waiting for its attempt at `nextAttemptAt`. */
  | 'pending'
  /**
   * Claimed by the dispatcher: waiting for its rate-limit slot, then handed to the provider
   * (`calledAt` says when). Left so by a stop, it is released to pending at the next start: at
   * once if it was never handed over; in doubt if it was, and then after the reconcile window on
   * a channel whose provider confirms sends by callback, so a confirmation can arrive first.
   */
  | 'sending'
  /** The provider accepted it: its answer said so, or a status callback naming the send did. */
  | 'sent'
  /** The provider refused it for good (an invalid number, a hard bounce). */
  | 'failed'
  /** Retries ran out; visible through the admin API and re-drivable. */
  | 'dead';

/**
 * One message in the outbox: recorded durably before any provider is called, under an
 * idempotency key (the decision's id and the channel), so a retry, a crash or a replay never
 * records it twice.
 */
export interface SendRecord {
  workspaceId: string;
  /** The idempotency key. */
  id: string;
  profileId: string;
  channel: ProviderChannel;
  /** The address on the channel. */
  to: string;
  /** The rendered content. */
  content: Record<string, unknown>;
  action?: string;
  /** The `Decision Made` event's message id. */
  decisionId?: string;
  /**
   * What asked for the decision: the `Decision Made` event's `trigger` (`event:Checkout
   * Abandoned`, `journey:checkout_recovery:remind`), for counting sends by trigger.
   */
  trigger?: string;
  status: SendStatus;
  /** Attempts started so far. */
  attempts: number;
  /** When the next attempt may start (epoch ms). */
  nextAttemptAt: number;
  lastError?: string;
  providerMessageId?: string;
  /**
   * When the latest attempt was handed to its provider (epoch ms), written durably just before
   * the call; absent until then (a claim clears it). A send left `sending` without it never
   * reached its provider.
   */
  calledAt?: number;
  createdAt: number;
  updatedAt: number;
}

/**
 * The outcome of an attempt, written back to the outbox. It only applies to a send still
 * `sending`: a send a provider callback confirmed meanwhile stays `sent`.
 */
export interface SendUpdate {
  workspaceId: string;
  id: string;
  status: 'pending' | 'sent' | 'failed' | 'dead';
  /** For `pending`: when to try again. */
  nextAttemptAt?: number;
  lastError?: string;
  providerMessageId?: string;
  at: number;
}
