import { describe, expect, it } from 'vitest';
import type { FeedbackEvent } from '../../src/activate/channel.ts';
import { feedbackToEvent } from '../../src/activate/feedback-to-event.ts';
import type { TailorEvent } from '../../src/ingest/event.ts';
import { type ContactRecord, recordContact } from '../../src/profile/contact-history.ts';

const AT = Date.parse('2026-06-01T12:00:00Z');

function feedback(properties: Record<string, unknown>): FeedbackEvent {
  return {
    event: 'Message Delivered',
    timestamp: AT,
    identifier: { type: 'whatsapp', value: '+919820155555' },
    properties: { channel: 'whatsapp', ...properties },
    messageId: 'wamid.1:delivered',
  };
}

describe('feedback attribution', () => {
  it.each([
    ['a WhatsApp status naming its send', { send_id: 'dec-abc-123:whatsapp' }, 'dec-abc-123'],
    ['an email link naming its message', { message_id: 'dcd-req-9-decision:email' }, 'dcd-req-9-decision'],
    ['a callback that names no send', {}, undefined],
  ])('attributes %s to the decision behind it', (_name, properties, decisionId) => {
    const event = feedbackToEvent(feedback(properties), AT + 5);
    expect(event.properties['decision_id']).toBe(decisionId);
    expect(event.messageId).toBe('fb-wamid.1:delivered');
    // A WhatsApp id is also the phone number: both, so a person known by phone is found.
    expect(event.context['externalIds']).toEqual([
      { id: '+919820155555', type: 'whatsapp', collection: 'users', encoding: 'none' },
      { id: '+919820155555', type: 'phone', collection: 'users', encoding: 'none' },
    ]);
  });

  it('keeps the provider id of a planned contact once sent, so a quoted reply finds its decision', () => {
    const contacts: ContactRecord[] = [];
    const track = (name: string, messageId: string, properties: Record<string, unknown>): TailorEvent => ({
      type: 'track',
      event: name,
      messageId,
      timestamp: AT,
      receivedAt: AT,
      properties,
      traits: {},
      context: {},
      integrations: {},
    });
    recordContact(
      contacts,
      track('Decision Made', 'dec-x-decision', { outcome: 'action', channel: 'whatsapp', action: 'remind' }),
    );
    recordContact(
      contacts,
      track('Message Sent', 'sent-1', {
        channel: 'whatsapp',
        decision_id: 'dec-x-decision',
        provider_message_id: 'wamid.Q',
      }),
    );
    expect(contacts).toEqual([
      {
        at: AT,
        channel: 'whatsapp',
        action: 'remind',
        responded: false,
        decisionId: 'dec-x-decision',
        providerMessageId: 'wamid.Q',
      },
    ]);
  });
});
