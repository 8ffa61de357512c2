import type { TailorEvent } from '../ingest/event.ts';
import type { FeedbackEvent } from './channel.ts';

/**
 * A provider callback or inbound message as a track event for the pipeline: addressed by the
 * identifier it carries (in `context.externalIds`, so identity resolution finds the person
 * without setting traits), with an id derived from the provider's, so a callback the provider
 * retries is logged once. When the callback names the send it is about (`send_id`, or an email
 * link's `message_id`), the event is attributed to the decision behind it (`decision_id`):
 * a send's id is its decision's id and its channel.
 */
export function feedbackToEvent(feedback: FeedbackEvent, receivedAt: number): TailorEvent {
  const sendId = feedback.properties['send_id'] ?? feedback.properties['message_id'];
  const decisionId = typeof sendId === 'string' ? decisionOf(sendId) : undefined;
  return {
    type: 'track',
    messageId: `fb-${feedback.messageId}`,
    timestamp: feedback.timestamp,
    receivedAt,
    event: feedback.event,
    properties:
      decisionId === undefined ? feedback.properties : { ...feedback.properties, decision_id: decisionId },
    traits: {},
    context: { externalIds: addressIds(feedback.identifier.type, feedback.identifier.value) },
    integrations: {},
  };
}

/** The decision id in a send id (`<decision message id>:<channel>`), when it has that shape. */
function decisionOf(sendId: string): string | undefined {
  const colon = sendId.lastIndexOf(':');
  return colon > 0 ? sendId.slice(0, colon) : undefined;
}

/**
 * The identifiers an address on a channel stands for, as Segment `externalIds`. A WhatsApp id is
 * also the person's phone number: both are given, so a person known only by phone is found (and
 * gains the WhatsApp id) rather than a new profile being made for the WhatsApp id alone.
 */
export function addressIds(type: string, value: string): Record<string, string>[] {
  const id = (idType: string) => ({ id: value, type: idType, collection: 'users', encoding: 'none' });
  return type === 'whatsapp' ? [id('whatsapp'), id('phone')] : [id(type)];
}
