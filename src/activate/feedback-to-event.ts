import type { TailorEvent } from '../ingest/event.ts';
import type { FeedbackEvent } from './channel.ts';

/**
 * A provider callback or inbound message as a track event for the pipeline: addressed by the
 * identifier it carries (in `context.externalIds`, so identity resolution finds the person
 * without setting traits), with an id derived from the provider's, so a callback the provider
 * retries is logged once.
 */
export function feedbackToEvent(feedback: FeedbackEvent, receivedAt: number): TailorEvent {
  return {
    type: 'track',
    messageId: `fb-${feedback.messageId}`,
    timestamp: feedback.timestamp,
    receivedAt,
    event: feedback.event,
    properties: feedback.properties,
    traits: {},
    context: {
      externalIds: [
        {
          id: feedback.identifier.value,
          type: feedback.identifier.type,
          collection: 'users',
          encoding: 'none',
        },
      ],
    },
    integrations: {},
  };
}
