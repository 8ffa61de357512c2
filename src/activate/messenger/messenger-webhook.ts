import { MESSAGE_DELIVERED, MESSAGE_READ, MESSAGE_REPLIED } from '../../ingest/reserved-events.ts';
import type { FeedbackEvent } from '../channel.ts';
import { isJsonObject } from '../whatsapp/whatsapp-wire.ts';

/** The identifier type of a person on each channel: the id Meta scopes to the Page or account. */
export const SCOPED_ID_TYPE = { messenger: 'messenger_psid', instagram: 'instagram_igsid' } as const;

/** The webhook `object` of each channel. */
const OBJECT = { messenger: 'page', instagram: 'instagram' } as const;

/**
 * Reads a Messenger (`object: 'page'`) or Instagram (`object: 'instagram'`) messaging webhook
 * into feedback: each message a person wrote becomes `Message Replied` (with `text` where it
 * has words and `in_reply_to` when it quotes a message), each delivery receipt `Message
 * Delivered` per message id, each read receipt `Message Read`. The person is the sender's
 * page-scoped id (`messenger_psid`) or Instagram-scoped id (`instagram_igsid`); the Page's own
 * echoes are skipped. Message ids make Meta's redeliveries count once. Anything malformed, or of
 * the other channel, is skipped: this never throws.
 */
export function readMessengerWebhook(payload: unknown, channel: 'messenger' | 'instagram'): FeedbackEvent[] {
  if (!isJsonObject(payload) || payload.object !== OBJECT[channel]) return [];
  const events: FeedbackEvent[] = [];
  for (const entry of list(payload.entry)) {
    if (!isJsonObject(entry)) continue;
    for (const item of list(entry.messaging)) {
      if (!isJsonObject(item) || !isJsonObject(item.sender)) continue;
      const id = item.sender.id;
      if (typeof id !== 'string' || !/^\d{1,32}$/.test(id)) continue;
      const identifier = { type: SCOPED_ID_TYPE[channel], value: id };
      const timestamp =
        typeof item.timestamp === 'number' && item.timestamp >= 0 ? item.timestamp : undefined;
      events.push(...readItem({ item, identifier, channel, timestamp }));
    }
  }
  return events;
}

function readItem(input: {
  item: Record<string, unknown>;
  identifier: { type: string; value: string };
  channel: 'messenger' | 'instagram';
  timestamp: number | undefined;
}): FeedbackEvent[] {
  const { item, identifier, channel, timestamp } = input;
  const { message, delivery, read } = item;
  if (
    isJsonObject(message) &&
    message.is_echo !== true &&
    typeof message.mid === 'string' &&
    timestamp !== undefined
  ) {
    const properties: Record<string, unknown> = { channel, provider_message_id: message.mid };
    if (typeof message.text === 'string' && message.text !== '') properties.text = message.text;
    const quoted = isJsonObject(message.reply_to) ? message.reply_to.mid : undefined;
    if (typeof quoted === 'string' && quoted !== '') properties.in_reply_to = quoted;
    return [{ event: MESSAGE_REPLIED, timestamp, identifier, properties, messageId: message.mid }];
  }
  if (isJsonObject(delivery)) {
    const at = typeof delivery.watermark === 'number' ? delivery.watermark : timestamp;
    if (at === undefined) return [];
    return list(delivery.mids)
      .filter((mid): mid is string => typeof mid === 'string' && mid !== '')
      .map((mid) => ({
        event: MESSAGE_DELIVERED,
        timestamp: at,
        identifier,
        properties: { channel, provider_message_id: mid },
        messageId: `${mid}:delivered`,
      }));
  }
  if (isJsonObject(read)) {
    // Messenger reads carry a watermark (everything before it was read), Instagram's the message id.
    const mid = typeof read.mid === 'string' && read.mid !== '' ? read.mid : undefined;
    const watermark = typeof read.watermark === 'number' ? read.watermark : undefined;
    const at = watermark ?? timestamp;
    if (at === undefined || (mid === undefined && watermark === undefined)) return [];
    const properties: Record<string, unknown> = { channel };
    if (mid !== undefined) properties.provider_message_id = mid;
    const messageId = mid === undefined ? `${channel}-read-${identifier.value}-${watermark}` : `${mid}:read`;
    return [{ event: MESSAGE_READ, timestamp: at, identifier, properties, messageId }];
  }
  return [];
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
