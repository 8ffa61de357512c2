import type { ProviderChannel } from '../../activate/channel.ts';
import type { SendRecord, SendStatus, SendUpdate } from '../../activate/send-record.ts';

/**
 * The outbox: sends recorded durably before any provider is called, claimed by the dispatcher,
 * finished by the provider's answer or confirmed by its callback, released after a stop, listed
 * and re-driven by the admin API.
 */
export interface Outbox {
  /**
   * Records sends in the outbox, durably, in one transaction. A send whose (workspace, id) is
   * already recorded is left as it is. Returns how many were new.
   */
  enqueueSends(sends: SendRecord[]): Promise<number>;
  /**
   * Claims up to `limit` pending sends due by `at` (earliest first, across workspaces): marks
   * them `sending`, counts the attempt, sets `calledAt` to `at` (a claimed send is taken to be on
   * its way to its provider, unless `markWaiting` says otherwise), and returns them as claimed.
   * Atomic: two claims never return the same send.
   */
  claimSends(at: number, limit: number): Promise<SendRecord[]>;
  /**
   * Clears `calledAt` of claimed sends that wait for their rate-limit slot, in one transaction:
   * one left `sending` so by a stop never reached its provider (see `releaseSending`). Only
   * sends still `sending` are changed.
   */
  markWaiting(calls: { workspaceId: string; id: string }[]): Promise<void>;
  /**
   * Records durably that claimed sends whose slot came are being handed to their providers
   * (`calledAt`), in one transaction, just before the calls. Only sends still `sending` are marked.
   */
  markCalled(calls: { workspaceId: string; id: string }[], at: number): Promise<void>;
  /**
   * Writes an attempt's outcome to a send still `sending`; a send that is not (a provider
   * callback confirmed it `sent` meanwhile) is left as it is, so a late timeout never makes a
   * confirmed send pending again.
   */
  finishSend(update: SendUpdate): Promise<void>;
  /**
   * `finishSend` for many sends in one transaction (one disk flush): the dispatcher writes the
   * outcomes of attempts that end together (a batch an ad platform took) at once.
   */
  finishSends(updates: SendUpdate[]): Promise<void>;
  /**
   * Marks a send `sent` with the provider's message id because a verified provider callback
   * named it, whatever attempt it was at (a send already `sent` is left as it is). Returns the
   * send as it now is when this changed it, undefined otherwise (unknown or already sent).
   */
  confirmSend(confirmation: {
    workspaceId: string;
    id: string;
    providerMessageId: string;
    at: number;
  }): Promise<SendRecord | undefined>;
  /**
   * Puts sends left `sending` by a stop back to `pending`, due at `at` — except those handed to
   * their provider (`calledAt` set) on the workspace channels `awaiting` lists (providers that
   * confirm sends by callback), which are due at `awaiting.until` with `awaiting.reason` as
   * their last error, so a callback for a send the provider took just before the stop can mark
   * it `sent` first. A send never handed over cannot have gone out: it is due at `at` whatever
   * its channel.
   */
  releaseSending(release: { at: number; awaiting?: AwaitingConfirmation }): Promise<ReleasedSends>;
  /** The earliest `nextAttemptAt` of a pending send, if any. */
  nextSendDue(): Promise<number | undefined>;
  /** A workspace's sends, newest first (by creation, then id), optionally of one status, after a cursor id. */
  listSends(query: {
    workspaceId: string;
    status?: SendStatus;
    before?: { createdAt: number; id: string };
    limit: number;
  }): Promise<SendRecord[]>;
  /** One send by id. */
  getSend(workspaceId: string, id: string): Promise<SendRecord | undefined>;
  /** Makes a `dead` or `failed` send pending again, due at `at`, with its attempts reset; false when it is neither. */
  redriveSend(workspaceId: string, id: string, at: number): Promise<boolean>;
  /**
   * How many of a workspace's sends each trigger starting with `prefix` asked for, by status
   * (`journey:` gives every journey step's), ordered by trigger then status. Sends without a
   * trigger are not counted.
   */
  sendCountsByTrigger(workspaceId: string, prefix: string): Promise<TriggerSendCount[]>;
  /**
   * For each profile with sends of exactly `trigger`, its latest one (by creation, then id) that
   * is `pending`, `sending` or `sent`: what its provider was last told of the person, or is about
   * to be. A `failed` or `dead` send told it nothing and is passed over. Ordered by profile id
   * (binary order), those after `after`, at most `limit`: the audience reconciliation pages
   * through them to compare them with a segment's members.
   */
  latestSendsByProfile(query: LatestSendsQuery): Promise<SendRecord[]>;
  /**
   * How many of a workspace's `failed` sends each trigger starting with `prefix` has whose last
   * error starts with `reason` (like `superseded: `), ordered by trigger: what `/v1/audiences`
   * tells apart from true failures.
   */
  failedCountsByReason(query: {
    workspaceId: string;
    prefix: string;
    reason: string;
  }): Promise<ReasonCount[]>;
}

/** A count of `failedCountsByReason`. */
export interface ReasonCount {
  trigger: string;
  count: number;
}

/** A page of `latestSendsByProfile`: a workspace's trigger, the profiles after `after`, at most `limit`. */
export interface LatestSendsQuery {
  workspaceId: string;
  trigger: string;
  after?: string;
  limit: number;
}

/** The sends in doubt after a stop that wait for their provider's confirmation (see `releaseSending`). */
export interface AwaitingConfirmation {
  /** The workspace channels whose provider confirms sends by callback. */
  channels: { workspaceId: string; channel: ProviderChannel }[];
  /** When they fall due if no callback came. */
  until: number;
  /** Their last error meanwhile, saying what they wait for. */
  reason: string;
}

/** What `releaseSending` did: sends due again at once, and sends waiting for a confirmation. */
export interface ReleasedSends {
  /** Sends due again at once: `neverCalled` of them, and those in doubt on channels that do not confirm. */
  released: number;
  /** Of `released`, the sends never handed to their provider (no `calledAt`): they did not go out. */
  neverCalled: number;
  /** Sends in doubt (handed to a provider that confirms by callback), due at `awaiting.until`. */
  awaiting: number;
}

/** A count of `sendCountsByTrigger`. */
export interface TriggerSendCount {
  trigger: string;
  status: SendStatus;
  count: number;
}
