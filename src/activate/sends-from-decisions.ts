import { type LoggedEvent, recordedByTailor, type TailorEvent } from '../ingest/event.ts';
import { MESSAGE_FAILED, MESSAGE_SENT } from '../ingest/reserved-events.ts';
import type { ProfileState } from '../profile/profile.ts';
import { isDataChannel, PROVIDER_CHANNELS, type ProviderChannel } from './channel.ts';
import { addressIds } from './feedback-to-event.ts';
import type { SendRecord } from './send-record.ts';

/**
 * Whether a decided channel carries a message through a provider (`in_app` is shown through
 * placements instead; ad platforms are fed by segments and events, never by decisions).
 */
function isProviderChannel(channel: unknown): channel is ProviderChannel {
  return (
    typeof channel === 'string' &&
    PROVIDER_CHANNELS.some((known) => known === channel) &&
    !isDataChannel(channel)
  );
}

/** The identifier type a channel's address is, as identity resolution knows it. */
export const ADDRESS_TYPE: Readonly<Record<ProviderChannel, string>> = {
  email: 'email',
  whatsapp: 'whatsapp',
  sms: 'phone',
  rcs: 'phone',
  messenger: 'messenger_psid',
  instagram: 'instagram_igsid',
  webhook: 'user_id',
  meta_audiences: 'email',
  google_customer_match: 'email',
  meta_conversions: 'email',
  hubspot: 'email',
};

/**
 * The send a `Decision Made` event asks for, if any: only one Tailor recorded itself
 * (`recordedByTailor`) — never one that reached the log from a client — with an `action` outcome on a provider channel,
 * addressed from the profile's identifiers (WhatsApp falls back to the phone number), due at
 * once or at `send_at` for a delayed one, carrying the decision's `trigger`. Its id is the
 * decision's message id and the channel, the outbox's idempotency key, so replaying the
 * decision never records it twice.
 */
export function sendFromDecision(input: {
  profile: ProfileState;
  decision: LoggedEvent;
  now: number;
}): SendRecord | undefined {
  const { profile, decision, now } = input;
  const { outcome, channel, action, content, trigger, send_at: sendAt } = decision.properties;
  if (!recordedByTailor(decision) || outcome !== 'action' || !isProviderChannel(channel)) return undefined;
  const to = addressOf(profile, channel);
  if (to === undefined) return undefined;
  const due = typeof sendAt === 'string' ? Date.parse(sendAt) : Number.NaN;
  return {
    workspaceId: decision.workspaceId,
    id: `${decision.messageId}:${channel}`,
    profileId: profile.id,
    channel,
    to,
    content: typeof content === 'object' && content !== null && !Array.isArray(content) ? { ...content } : {},
    ...(typeof action === 'string' ? { action } : {}),
    decisionId: decision.messageId,
    ...(typeof trigger === 'string' && trigger !== '' ? { trigger } : {}),
    status: 'pending',
    attempts: 0,
    nextAttemptAt: Number.isNaN(due) ? decision.timestamp : due,
    createdAt: now,
    updatedAt: now,
  };
}

/** The profile's address on a channel, if it has one (a webhook names the person by their user id). */
export function addressOf(profile: ProfileState, channel: ProviderChannel): string | undefined {
  const ids = profile.identifiers;
  if (channel === 'email') return ids['email']?.[0];
  if (channel === 'whatsapp') return ids['whatsapp']?.[0] ?? ids['phone']?.[0];
  if (channel === 'sms' || channel === 'rcs') return ids['phone']?.[0];
  if (channel === 'messenger' || channel === 'instagram') return ids[ADDRESS_TYPE[channel]]?.[0];
  return ids['user_id']?.[0];
}

/**
 * The event that records what a provider made of a send, on the person's profile: `Message
 * Sent` once accepted (which the contact policy counts), `Message Failed` otherwise. Addressed
 * by the channel's identifier, so identity resolution finds the person; the id derives from the
 * send's, so repeated attempts record it once.
 */
export function sendOutcomeEvent(input: {
  send: SendRecord;
  outcome:
    | { kind: 'sent'; providerMessageId: string }
    | { kind: 'failed' | 'dead'; reason: string; unreachable?: boolean };
  now: number;
}): TailorEvent {
  const { send, outcome, now } = input;
  const sent = outcome.kind === 'sent';
  return {
    type: 'track',
    messageId: `${sent ? 'sent' : 'failed'}-${send.id}`,
    timestamp: now,
    receivedAt: now,
    event: sent ? MESSAGE_SENT : MESSAGE_FAILED,
    properties: {
      channel: send.channel,
      send_id: send.id,
      ...(send.action === undefined ? {} : { action: send.action }),
      ...(send.decisionId === undefined ? {} : { decision_id: send.decisionId }),
      ...(sent
        ? { provider_message_id: outcome.providerMessageId }
        : { reason: outcome.reason, unreachable: outcome.unreachable === true }),
    },
    traits: {},
    context: {
      externalIds: addressIds(ADDRESS_TYPE[send.channel], send.to),
      tailor: { recorded: true, profile_id: send.profileId },
    },
    integrations: {},
  };
}
