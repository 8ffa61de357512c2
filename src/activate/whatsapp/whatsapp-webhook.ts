import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  MESSAGE_DELIVERED,
  MESSAGE_FAILED,
  MESSAGE_READ,
  MESSAGE_REPLIED,
  MESSAGE_SENT,
} from '../../ingest/reserved-events.ts';
import type { FeedbackEvent, FeedbackName, SendConfirmation } from '../channel.ts';
import { isUnreachableCode } from './whatsapp-error.ts';
import { isJsonObject } from './whatsapp-wire.ts';

/** What the webhook's `GET` answers: the challenge echoed as text/plain, or a refusal. */
export type SubscriptionAnswer = { status: 200; body: string } | { status: 403 };

/**
 * Meta's subscription handshake (`GET` on the webhook URL): when `hub.mode` is `subscribe` and
 * `hub.verify_token` is the token configured in the app dashboard, answer `200` with
 * `hub.challenge` as the plain-text body; otherwise `403`. An empty configured token refuses all.
 */
export function verifySubscription(query: Record<string, unknown>, verifyToken: string): SubscriptionAnswer {
  const mode = query['hub.mode'];
  const token = query['hub.verify_token'];
  const challenge = query['hub.challenge'];
  if (
    mode !== 'subscribe' ||
    typeof token !== 'string' ||
    typeof challenge !== 'string' ||
    challenge === ''
  ) {
    return { status: 403 };
  }
  return verifyToken !== '' && sameText(token, verifyToken)
    ? { status: 200, body: challenge }
    : { status: 403 };
}

const SIGNATURE_HEADER = /^sha256=([0-9a-f]{64})$/i;

/**
 * Whether `X-Hub-Signature-256` (`sha256=<hex>`) is the HMAC-SHA256 of the raw body with the app
 * secret, compared in constant time. It must be the exact bytes received: JSON re-serialized
 * after parsing does not match. A missing or malformed header, or an empty secret, is false.
 */
export function verifySignature(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  if (appSecret === '' || header === undefined) return false;
  const match = SIGNATURE_HEADER.exec(header.trim());
  const hex = match?.[1];
  if (hex === undefined) return false;
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return timingSafeEqual(Buffer.from(hex, 'hex'), expected);
}

const STATUS_EVENTS: Record<string, FeedbackName> = {
  sent: MESSAGE_SENT,
  delivered: MESSAGE_DELIVERED,
  read: MESSAGE_READ,
  failed: MESSAGE_FAILED,
};

/** Inbound types that are notices from WhatsApp, not something the person wrote. */
const NOT_REPLIES = new Set(['system']);

/**
 * Reads a `messages` webhook into feedback events. Each status becomes `Message Sent`,
 * `Message Delivered`, `Message Read` or `Message Failed` (with `reason`, `error_code` and
 * `unreachable`), with `messageId` `<wamid>:<status>` so Meta's redelivery of a callback counts
 * once; each inbound message becomes `Message Replied` (with `text` where it has words, and
 * `in_reply_to` when it quotes one of ours), with its own wamid as `messageId`. People are
 * addressed as `whatsapp` identifiers in E.164 (`+` and the `wa_id`). Anything malformed is
 * skipped: this never throws.
 */
export function readWebhook(payload: unknown): FeedbackEvent[] {
  if (!isJsonObject(payload) || payload.object !== 'whatsapp_business_account') return [];
  const events: FeedbackEvent[] = [];
  for (const value of changeValues(payload.entry)) {
    for (const status of list(value.statuses)) {
      const event = readStatus(status);
      if (event !== undefined) events.push(event);
    }
    for (const message of list(value.messages)) {
      const event = readInbound(message);
      if (event !== undefined) events.push(event);
    }
  }
  return events;
}

/**
 * The sends a `messages` webhook confirms: each status (`sent`, `delivered`, `read`, even
 * `failed` — Meta only reports on messages it accepted) whose `biz_opaque_callback_data` names
 * a send, with the status's wamid. Anything malformed is skipped: this never throws.
 */
export function readSendConfirmations(payload: unknown): SendConfirmation[] {
  if (!isJsonObject(payload) || payload.object !== 'whatsapp_business_account') return [];
  const confirmations: SendConfirmation[] = [];
  for (const value of changeValues(payload.entry)) {
    for (const status of list(value.statuses)) {
      if (!isJsonObject(status)) continue;
      const sendId = nonEmpty(status.biz_opaque_callback_data);
      const wamid = nonEmpty(status.id);
      if (sendId !== undefined && wamid !== undefined)
        confirmations.push({ sendId, providerMessageId: wamid });
    }
  }
  return confirmations;
}

/** The `value` of every `messages` change of every entry. */
function changeValues(entries: unknown): Record<string, unknown>[] {
  const values: Record<string, unknown>[] = [];
  for (const entry of list(entries)) {
    if (!isJsonObject(entry)) continue;
    for (const change of list(entry.changes)) {
      if (isJsonObject(change) && change.field === 'messages' && isJsonObject(change.value)) {
        values.push(change.value);
      }
    }
  }
  return values;
}

function readStatus(status: unknown): FeedbackEvent | undefined {
  if (!isJsonObject(status) || typeof status.status !== 'string') return undefined;
  const event = Object.hasOwn(STATUS_EVENTS, status.status) ? STATUS_EVENTS[status.status] : undefined;
  const id = nonEmpty(status.id);
  const identifier = whatsappIdentifier(status.recipient_id);
  const timestamp = unixSeconds(status.timestamp);
  if (event === undefined || id === undefined || identifier === undefined || timestamp === undefined) {
    return undefined;
  }
  const properties: Record<string, unknown> = { channel: 'whatsapp', provider_message_id: id };
  const sendId = nonEmpty(status.biz_opaque_callback_data);
  if (sendId !== undefined) properties.send_id = sendId;
  if (event === MESSAGE_FAILED) Object.assign(properties, failure(status.errors));
  return { event, timestamp, identifier, properties, messageId: `${id}:${status.status}` };
}

/** `reason`, and where the error has a code `error_code` and `unreachable`, of a failed status. */
function failure(errors: unknown): Record<string, unknown> {
  const first: unknown = list(errors)[0];
  if (!isJsonObject(first)) return { reason: 'WhatsApp reported the message failed', unreachable: false };
  const code = typeof first.code === 'number' ? first.code : undefined;
  const title = nonEmpty(first.title) ?? nonEmpty(first.message) ?? 'failed';
  const details = isJsonObject(first.error_data) ? nonEmpty(first.error_data.details) : undefined;
  const head = code === undefined ? title : `${title} (code ${code})`;
  return {
    reason: details === undefined || details === title ? head : `${head}: ${details}`,
    ...(code === undefined ? {} : { error_code: code }),
    unreachable: code !== undefined && isUnreachableCode(code),
  };
}

function readInbound(message: unknown): FeedbackEvent | undefined {
  if (!isJsonObject(message)) return undefined;
  const id = nonEmpty(message.id);
  const identifier = whatsappIdentifier(message.from);
  const timestamp = unixSeconds(message.timestamp);
  const type = nonEmpty(message.type) ?? 'unknown';
  if (id === undefined || identifier === undefined || timestamp === undefined || NOT_REPLIES.has(type)) {
    return undefined;
  }
  const properties: Record<string, unknown> = {
    channel: 'whatsapp',
    provider_message_id: id,
    message_type: type,
  };
  const text = inboundText(message, type);
  if (text !== undefined) properties.text = text;
  const inReplyTo = isJsonObject(message.context) ? nonEmpty(message.context.id) : undefined;
  if (inReplyTo !== undefined) properties.in_reply_to = inReplyTo;
  return { event: MESSAGE_REPLIED, timestamp, identifier, properties, messageId: id };
}

/** The words of an inbound message: a text's body, a quick-reply button's or list row's title, a caption. */
function inboundText(message: Record<string, unknown>, type: string): string | undefined {
  const part = message[type];
  if (!isJsonObject(part)) return undefined;
  if (type === 'text') return nonEmpty(part.body);
  if (type === 'button') return nonEmpty(part.text);
  if (type === 'interactive') {
    const reply = isJsonObject(part.button_reply) ? part.button_reply : part.list_reply;
    return isJsonObject(reply) ? nonEmpty(reply.title) : undefined;
  }
  return nonEmpty(part.caption);
}

/** A `wa_id` (digits, country code first) as the E.164 `whatsapp` identifier identity uses. */
function whatsappIdentifier(waId: unknown): { type: string; value: string } | undefined {
  if (typeof waId !== 'string') return undefined;
  const digits = waId.trim().replace(/^\+/, '');
  return /^\d{7,15}$/.test(digits) ? { type: 'whatsapp', value: `+${digits}` } : undefined;
}

/** Unix seconds (a string of digits, or a number) as epoch milliseconds. */
function unixSeconds(value: unknown): number | undefined {
  const seconds =
    typeof value === 'string' && /^\d{1,12}$/.test(value)
      ? Number(value)
      : typeof value === 'number'
        ? value
        : NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Constant-time equality of two strings (their lengths may leak, their contents do not). */
function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
