import type {
  MESSAGE_CLICKED,
  MESSAGE_DELIVERED,
  MESSAGE_FAILED,
  MESSAGE_OPENED,
  MESSAGE_READ,
  MESSAGE_REPLIED,
  MESSAGE_SENT,
} from '../ingest/reserved-events.ts';
/** The channels that carry a message to a person (decisions choose among them). */
export type MessageChannel = 'email' | 'whatsapp' | 'sms' | 'rcs' | 'messenger' | 'instagram' | 'webhook';

/**
 * The channels that carry data about a person to an ad platform: audience memberships (Meta
 * Custom Audiences, Google Ads Customer Match) and conversions (Meta's Conversions API). Segments
 * and events feed them, never decisions.
 */
export type AdsChannel = 'meta_audiences' | 'google_customer_match' | 'meta_conversions';

/** The channel that keeps a CRM's contacts in step with profiles: HubSpot's contact upserts. */
export type CrmChannel = 'hubspot';

/** The channels Tailor sends on through a provider, each behind a `ChannelAdapter`. */
export type ProviderChannel = MessageChannel | AdsChannel | CrmChannel;

/** Every ads channel. */
export const ADS_CHANNELS: readonly AdsChannel[] = [
  'meta_audiences',
  'google_customer_match',
  'meta_conversions',
];

/** Every provider channel. */
export const PROVIDER_CHANNELS: readonly ProviderChannel[] = [
  'email',
  'whatsapp',
  'sms',
  'rcs',
  'messenger',
  'instagram',
  'webhook',
  ...ADS_CHANNELS,
  'hubspot',
];

/**
 * Whether a channel carries data about a person (to an ad platform or a CRM) rather than a
 * message to them: its sends are no contact, put no `Message Sent` on the timeline.
 */
export function isDataChannel(channel: string): channel is AdsChannel | CrmChannel {
  return isAdsChannel(channel) || channel === 'hubspot';
}

/** Whether a channel carries data to an ad platform rather than a message to a person. */
export function isAdsChannel(channel: string): channel is AdsChannel {
  return (
    channel === 'meta_audiences' || channel === 'google_customer_match' || channel === 'meta_conversions'
  );
}

/** One message to send, rendered and addressed. */
export interface OutboundMessage {
  /**
   * The idempotency key (decision id + channel): a send is recorded under it before the provider
   * is called, and passed to providers that accept one, so a retry never sends twice.
   */
  id: string;
  channel: ProviderChannel;
  /** The address on the channel: an email address, an E.164 number, a WhatsApp id, a webhook URL's subject id. */
  to: string;
  /**
   * The rendered content: email `{ subject, text?, html? }`; WhatsApp `{ text }` or
   * `{ template: { name, language, components? } }`; SMS and RCS `{ text }`; webhook any JSON object.
   */
  content: Record<string, unknown>;
  profileId: string;
  /** The action that decided it, for attribution. */
  action?: string;
  /** The `Decision Made` event it came from. */
  decisionId?: string;
}

/** What a provider made of a send. */
export type SendOutcome =
  /** Accepted: the provider's message id, by which its callbacks refer to the message. */
  | { kind: 'sent'; providerMessageId: string }
  /** A temporary failure (network, 5xx, 429): try again, after `retryAfterMs` when the provider said. */
  | { kind: 'retry'; reason: string; retryAfterMs?: number }
  /** A permanent failure (invalid number, hard bounce): never retried; `unreachable` marks the address bad. */
  | { kind: 'failed'; reason: string; unreachable: boolean };

/**
 * A channel adapter: sends one message through its provider's real API and classifies the
 * answer. It never throws for a provider's answer or a network error: those are outcomes.
 */
export interface ChannelAdapter {
  readonly channel: ProviderChannel;
  /**
   * Whether the provider's status callbacks name the send they are about (WhatsApp's
   * `biz_opaque_callback_data`, the `send_id` in Twilio's `StatusCallback` URL), so Tailor
   * learns of an accepted send even when it missed the answer. A send of such a channel left in
   * doubt by a crash waits the reconcile window for that callback before it is sent again.
   * Absent means false.
   */
  readonly confirmsByCallback?: boolean;
  send(message: OutboundMessage): Promise<SendOutcome>;
}

/** A provider callback saying it accepted a send: the send's id and the provider's message id. */
export interface SendConfirmation {
  sendId: string;
  providerMessageId: string;
}

/** The events provider callbacks and inbound messages become on the person's profile. */
export type FeedbackName =
  | typeof MESSAGE_SENT
  | typeof MESSAGE_DELIVERED
  | typeof MESSAGE_READ
  | typeof MESSAGE_OPENED
  | typeof MESSAGE_CLICKED
  | typeof MESSAGE_REPLIED
  | typeof MESSAGE_FAILED
  | 'Unsubscribed'
  | 'Subscribed';

/**
 * A provider callback or inbound message, read into what it means for a person: a track event
 * for the pipeline, addressed by an identifier (`phone`, `whatsapp`, `email`) so identity
 * resolution finds the profile.
 */
export interface FeedbackEvent {
  event: FeedbackName;
  /** When it happened, by the provider's clock (epoch ms). */
  timestamp: number;
  identifier: { type: string; value: string };
  /** `channel`, and where known `provider_message_id`, `text`, `reason`, `url`. */
  properties: Record<string, unknown>;
  /** A stable id for deduplication (the provider's event or message id), so a retried callback counts once. */
  messageId: string;
}
