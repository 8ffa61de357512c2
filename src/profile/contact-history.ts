import type { TailorEvent } from '../ingest/event.ts';
import {
  DECISION_MADE,
  MESSAGE_CLICKED,
  MESSAGE_FAILED,
  MESSAGE_OPENED,
  MESSAGE_REPLIED,
  MESSAGE_SENT,
} from '../ingest/reserved-events.ts';

/** One contact the person received, as the profile keeps it (newest first). */
export interface ContactRecord {
  /** When it was sent (epoch ms, the event time of `Message Sent`). */
  at: number;
  channel: string;
  /** The action key it carried, when the sender said. */
  action?: string;
  /** Whether the person replied to, clicked or opened it. */
  responded: boolean;
  /** The `Decision Made` that planned it, when Tailor decided it: its send confirms this record. */
  decisionId?: string;
  /** The provider's id of the message once sent (a WhatsApp `wamid`), by which replies quote it. */
  providerMessageId?: string;
}

/** The track events that mark a contact as answered. */
const RESPONSES: ReadonlySet<string> = new Set([MESSAGE_REPLIED, MESSAGE_CLICKED, MESSAGE_OPENED]);

/**
 * Keeps a profile's contact log up to date with one event (mutates `contacts`, newest first,
 * at most `limit` kept): a track `Message Sent` with `properties.channel` (and optionally
 * `properties.action`) adds a contact, placed by its event time. A `Decision Made` that Tailor
 * recorded with an action on a channel counts as a contact from the moment it is decided — so
 * a second decision made before the first is sent sees it and is capped — and the `Message
 * Sent` of its send (`properties.decision_id`) confirms that contact instead of adding one; its
 * `Message Failed` removes it. `Message Replied`,
 * `Message Clicked` or `Message Opened` with `properties.channel` marks the newest contact on
 * that channel sent at or before it as responded (only one carrying `properties.action`, when
 * the response names one). Other events change nothing.
 */
export function recordContact(contacts: ContactRecord[], event: TailorEvent, limit = 100): void {
  if (event.type !== 'track' || event.event === undefined) return;
  const channel = event.properties['channel'];
  if (typeof channel !== 'string' || channel === '') return;
  const action = event.properties['action'];
  const actionKey = typeof action === 'string' && action !== '' ? action : undefined;
  const decisionId = event.properties['decision_id'];
  const planned =
    typeof decisionId === 'string' ? contacts.findIndex((contact) => contact.decisionId === decisionId) : -1;
  if (event.event === MESSAGE_FAILED && planned >= 0) {
    contacts.splice(planned, 1);
    return;
  }
  const decided = event.event === DECISION_MADE && event.properties['outcome'] === 'action';
  if (event.event === MESSAGE_SENT || decided) {
    const providerId = event.properties['provider_message_id'];
    const plannedContact = contacts[planned];
    if (plannedContact !== undefined) {
      if (typeof providerId === 'string') plannedContact.providerMessageId = providerId;
      return;
    }
    const contact: ContactRecord = { at: event.timestamp, channel, responded: false };
    if (actionKey !== undefined) contact.action = actionKey;
    if (decided) contact.decisionId = event.messageId;
    if (typeof providerId === 'string') contact.providerMessageId = providerId;
    const index = contacts.findIndex((existing) => existing.at <= event.timestamp);
    contacts.splice(index === -1 ? contacts.length : index, 0, contact);
    if (contacts.length > limit) contacts.length = Math.max(0, limit);
    return;
  }
  if (!RESPONSES.has(event.event)) return;
  const answered = contacts.find(
    (contact) =>
      contact.at <= event.timestamp &&
      contact.channel === channel &&
      (actionKey === undefined || contact.action === actionKey),
  );
  if (answered !== undefined) answered.responded = true;
}
