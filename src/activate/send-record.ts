import type { ProviderChannel } from './channel.ts';

/** Where a send stands in the outbox. */
export type SendStatus =
  /** Waiting for its attempt at `nextAttemptAt`. */
  | 'pending'
  /** Claimed by the dispatcher and handed to the provider; back to pending if Tailor stopped meanwhile. */
  | 'sending'
  /** The provider accepted it. */
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
  status: SendStatus;
  /** Attempts started so far. */
  attempts: number;
  /** When the next attempt may start (epoch ms). */
  nextAttemptAt: number;
  lastError?: string;
  providerMessageId?: string;
  createdAt: number;
  updatedAt: number;
}

/** The outcome of an attempt, written back to the outbox. */
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
