import { createHash } from 'node:crypto';
import { MESSAGE_CLICKED } from '../../ingest/reserved-events.ts';
import type { FeedbackEvent } from '../channel.ts';
import type { ClickClaims, UnsubscribeClaims } from './signed-links.ts';

/**
 * How a person unsubscribed: `one-click` is the RFC 8058 POST a mailbox provider makes from its
 * own button; `link` is the confirmation a person submits on the page the link opens (a plain GET
 * never unsubscribes: link scanners fetch it); `mailto` is a reply to the `mailto:` alternative.
 */
export type UnsubscribeMethod = 'one-click' | 'link' | 'mailto';

/**
 * The `Message-ID` value (with angle brackets) the email adapter gives a message id: `<id@tailor>`,
 * any character an RFC 5322 id may not hold (and `=` and `.`) written `=XX` per UTF-8 byte.
 */
export function emailMessageId(messageId: string): string {
  const left = messageId.replace(/[^A-Za-z0-9!#$%&'*+/?^_`{|}~-]/gu, (character) =>
    [...Buffer.from(character)]
      .map((byte) => `=${byte.toString(16).toUpperCase().padStart(2, '0')}`)
      .join(''),
  );
  return `<${left}@tailor>`;
}

/**
 * The `Message Clicked` event a verified click token becomes, addressed by the email address
 * the message went to. Its `messageId` is the message id and the link, so repeated clicks on
 * one link count once.
 */
export function clickFeedback(claims: ClickClaims, at: number): FeedbackEvent {
  const link = createHash('sha256').update(claims.url).digest('base64url').slice(0, 16);
  return {
    event: MESSAGE_CLICKED,
    timestamp: at,
    identifier: { type: 'email', value: claims.address },
    properties: {
      channel: 'email',
      url: claims.url,
      message_id: claims.messageId,
      provider_message_id: emailMessageId(claims.messageId),
    },
    messageId: `${claims.messageId}:click:${link}`,
  };
}

/**
 * The `Unsubscribed` event a verified unsubscribe token becomes: `properties.channel` is the
 * channel the consent module stops sending on.
 */
export function unsubscribeFeedback(
  claims: UnsubscribeClaims,
  at: number,
  method: UnsubscribeMethod,
): FeedbackEvent {
  return {
    event: 'Unsubscribed',
    timestamp: at,
    identifier: { type: 'email', value: claims.address },
    properties: {
      channel: claims.channel,
      method,
      message_id: claims.messageId,
      provider_message_id: emailMessageId(claims.messageId),
    },
    messageId: `${claims.messageId}:unsubscribe`,
  };
}

/**
 * Whether a POST body is the RFC 8058 one-click request, `List-Unsubscribe=One-Click`, sent
 * form-encoded (a string) or already parsed into fields.
 */
export function isOneClickUnsubscribe(body: unknown): boolean {
  if (typeof body === 'string') return new URLSearchParams(body).get('List-Unsubscribe') === 'One-Click';
  if (typeof body === 'object' && body !== null) {
    return (body as Record<string, unknown>)['List-Unsubscribe'] === 'One-Click';
  }
  return false;
}
