import { describe, expect, it } from 'vitest';
import type { TailorEvent } from '../../src/ingest/event.ts';
import { type ContactRecord, recordContact } from '../../src/profile/contact-history.ts';
import { MINUTE, NOW, track } from './decision-fixtures.ts';

const REMINDER = 'send_personalized_checkout_reminder';

/** A `Decision Made` Tailor recorded: the reminder on WhatsApp, decided at `at`. */
function decided(at: number): TailorEvent {
  return track('Decision Made', at, {
    outcome: 'action',
    action: REMINDER,
    channel: 'whatsapp',
    timing: 'immediate',
  });
}

/** A contact log with one planned contact, and the decision that planned it. */
function planned(): { contacts: ContactRecord[]; decision: TailorEvent } {
  const contacts: ContactRecord[] = [];
  const decision = decided(NOW);
  recordContact(contacts, decision);
  return { contacts, decision };
}

describe('planned contacts', () => {
  it('counts a decision with an action as a contact from the moment it is decided', () => {
    const { contacts, decision } = planned();
    expect(contacts).toEqual([
      { at: NOW, channel: 'whatsapp', action: REMINDER, responded: false, decisionId: decision.messageId },
    ]);
  });

  it('confirms the planned contact with the Message Sent of its send, adding none', () => {
    const { contacts, decision } = planned();
    recordContact(
      contacts,
      track('Message Sent', NOW + MINUTE, {
        channel: 'whatsapp',
        action: REMINDER,
        decision_id: decision.messageId,
      }),
    );
    expect(contacts).toEqual([
      { at: NOW, channel: 'whatsapp', action: REMINDER, responded: false, decisionId: decision.messageId },
    ]);
  });

  it('removes the planned contact when its send failed', () => {
    const { contacts, decision } = planned();
    recordContact(
      contacts,
      track('Message Failed', NOW + MINUTE, { channel: 'whatsapp', decision_id: decision.messageId }),
    );
    expect(contacts).toEqual([]);
  });

  it("keeps the planned contact when another decision's send failed", () => {
    const { contacts } = planned();
    recordContact(
      contacts,
      track('Message Failed', NOW + MINUTE, { channel: 'whatsapp', decision_id: 'some-other-decision' }),
    );
    expect(contacts).toHaveLength(1);
  });

  it('adds nothing for a decision without an action', () => {
    const contacts: ContactRecord[] = [];
    recordContact(
      contacts,
      track('Decision Made', NOW, { outcome: 'no_action', action: null, channel: null, timing: null }),
    );
    expect(contacts).toEqual([]);
  });

  it('adds a contact for a Message Sent without a decision_id, as before', () => {
    const { contacts, decision } = planned();
    recordContact(
      contacts,
      track('Message Sent', NOW + MINUTE, { channel: 'email', campaign: 'flash-sale' }),
    );
    expect(contacts).toEqual([
      { at: NOW + MINUTE, channel: 'email', responded: false },
      { at: NOW, channel: 'whatsapp', action: REMINDER, responded: false, decisionId: decision.messageId },
    ]);
  });
});
