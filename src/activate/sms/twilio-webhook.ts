import { createHmac, timingSafeEqual } from 'node:crypto';
import { DEFAULT_IDENTITY_RULES } from '../../identity/identity-rules.ts';
import { normalizeIdentifier } from '../../identity/normalize-identifier.ts';
import {
  MESSAGE_DELIVERED,
  MESSAGE_FAILED,
  MESSAGE_READ,
  MESSAGE_REPLIED,
  MESSAGE_SENT,
} from '../../ingest/reserved-events.ts';
import type { FeedbackEvent, FeedbackName, SendConfirmation } from '../channel.ts';

/** Form parameters of a Twilio webhook request, as decoded from its body. */
export type TwilioParams = Record<string, string>;

/** Replies Twilio treats as an opt-out (single word, any case). */
export const TWILIO_STOP_KEYWORDS: readonly string[] = [
  'STOP',
  'STOPALL',
  'UNSUBSCRIBE',
  'CANCEL',
  'END',
  'QUIT',
];

/** Replies Twilio treats as an opt-in after an opt-out (single word, any case). */
export const TWILIO_START_KEYWORDS: readonly string[] = ['START', 'YES', 'UNSTOP'];

/** Twilio's `MessageStatus` values that mean something for the person, and the events they become. */
const STATUS_EVENTS: ReadonlyMap<string, FeedbackName> = new Map([
  // `sent` is Twilio handing the message to the carrier; `delivered` is the carrier's receipt.
  ['sent', MESSAGE_SENT],
  ['delivered', MESSAGE_DELIVERED],
  // Only RCS (and WhatsApp) report reads; SMS never does.
  ['read', MESSAGE_READ],
  ['undelivered', MESSAGE_FAILED],
  ['failed', MESSAGE_FAILED],
]);

/**
 * The `X-Twilio-Signature` Twilio would send for a request: base64 HMAC-SHA1, keyed by the
 * auth token, of the full URL (as configured in Twilio, query string included) followed by
 * every POST parameter's name and value, in alphabetical order of names.
 */
export function signTwilioRequest(input: { url: string; params: TwilioParams; authToken: string }): string {
  let data = input.url;
  for (const name of Object.keys(input.params).sort()) data += `${name}${input.params[name] ?? ''}`;
  return createHmac('sha1', input.authToken).update(data, 'utf8').digest('base64');
}

/**
 * Whether `header` (the `X-Twilio-Signature` value) is Twilio's signature of this request,
 * compared in constant time. `url` must be the exact URL Twilio called (scheme, host, path and
 * query); `params` the decoded form body. A missing or empty header is false.
 */
export function verifyTwilioSignature(input: {
  url: string;
  params: TwilioParams;
  header: string | undefined;
  authToken: string;
}): boolean {
  if (input.header === undefined || input.header === '') return false;
  const expected = Buffer.from(signTwilioRequest(input), 'utf8');
  const given = Buffer.from(input.header, 'utf8');
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * Reads a Twilio status callback (`MessageSid`, `MessageStatus`, `To`, `ErrorCode`) into the
 * person's feedback: `sent` → `Message Sent`, `delivered` → `Message Delivered`, `read` →
 * `Message Read` (RCS), `undelivered` and `failed` → `Message Failed` with the error code as
 * `reason`. Other statuses (`queued`, `sending`, `accepted`) and callbacks without a readable
 * recipient number give nothing. The message id is `MessageSid:status`, so a repeated callback
 * counts once. Twilio's callbacks carry no time, so `timestamp` is when it was received (`now`).
 * `channel` is the send's (`rcs` when its callback URL says so); for RCS, `transport` says
 * whether the message went as RCS (`To` is `rcs:+…`) or fell back to SMS.
 */
export function readTwilioStatus(
  params: TwilioParams,
  now: number = Date.now(),
  channel: 'sms' | 'rcs' = 'sms',
): FeedbackEvent[] {
  const sid = params['MessageSid'] ?? params['SmsSid'];
  const status = (params['MessageStatus'] ?? params['SmsStatus'])?.toLowerCase();
  if (sid === undefined || sid === '' || status === undefined) return [];
  const event = STATUS_EVENTS.get(status);
  const identifier = phoneIdentifier(params['To']);
  if (event === undefined || identifier === undefined) return [];
  const properties: Record<string, unknown> = { channel, provider_message_id: sid, status };
  if (channel === 'rcs') properties['transport'] = isRcsAddress(params['To']) ? 'rcs' : 'sms';
  const errorCode = params['ErrorCode'];
  if (event === MESSAGE_FAILED) {
    properties['reason'] = errorCode !== undefined && errorCode !== '' ? `twilio ${errorCode}` : status;
    if (errorCode !== undefined && errorCode !== '') properties['error_code'] = errorCode;
  }
  return [{ event, timestamp: now, identifier, properties, messageId: `${sid}:${status}` }];
}

/**
 * The send a Twilio status callback confirms: the `send_id` Tailor put in the message's
 * `StatusCallback` URL (read from the query string of the URL called) with the `MessageSid`.
 * Any status counts — Twilio only reports on messages it created. Undefined without either.
 */
export function readTwilioSendConfirmation(input: {
  params: TwilioParams;
  sendId: unknown;
}): SendConfirmation | undefined {
  const sid = input.params['MessageSid'] ?? input.params['SmsSid'];
  if (typeof input.sendId !== 'string' || input.sendId === '' || sid === undefined || sid === '')
    return undefined;
  return { sendId: input.sendId, providerMessageId: sid };
}

/**
 * Reads an inbound SMS or RCS message (`MessageSid`, `From`, `To`, `Body`; an RCS sender is
 * `rcs:+…`, and its feedback has `channel: 'rcs'`) into the sender's feedback: a STOP
 * keyword (or Twilio's `OptOutType: STOP`) → `Unsubscribed` with `channel: 'sms'`, a START
 * keyword (or `OptOutType: START`) → `Subscribed`, anything else → `Message Replied` with the
 * `text`. Keywords count only as the whole message, any case, as Twilio reads them. The sender
 * is `{ type: 'phone', value }` in E.164; a sender that is not a valid number gives nothing.
 */
export function readTwilioInbound(params: TwilioParams, now: number = Date.now()): FeedbackEvent[] {
  const sid = params['MessageSid'] ?? params['SmsSid'];
  const identifier = phoneIdentifier(params['From']);
  if (sid === undefined || sid === '' || identifier === undefined) return [];
  const text = params['Body'] ?? '';
  const channel = isRcsAddress(params['From']) ? 'rcs' : 'sms';
  const properties: Record<string, unknown> = { channel, provider_message_id: sid };
  const keyword = text.trim().toUpperCase();
  const optOutType = params['OptOutType']?.toUpperCase();
  let event: FeedbackName;
  if (optOutType === 'STOP' || TWILIO_STOP_KEYWORDS.includes(keyword)) {
    event = 'Unsubscribed';
  } else if (optOutType === 'START' || TWILIO_START_KEYWORDS.includes(keyword)) {
    event = 'Subscribed';
  } else {
    event = MESSAGE_REPLIED;
    properties['text'] = text;
  }
  return [{ event, timestamp: now, identifier, properties, messageId: sid }];
}

/** Whether a Twilio address is an RCS one (`rcs:+14155552671`), not a plain number. */
function isRcsAddress(raw: string | undefined): boolean {
  return raw?.startsWith('rcs:') === true;
}

/**
 * A Twilio address (`+14155552671`, or `rcs:+14155552671` for RCS) as a phone identifier in
 * E.164, as identity resolution normalizes phones.
 */
function phoneIdentifier(raw: string | undefined): { type: string; value: string } | undefined {
  if (raw === undefined) return undefined;
  const number = isRcsAddress(raw) ? raw.slice('rcs:'.length) : raw;
  const identifier = normalizeIdentifier({ type: 'phone', raw: number, rules: DEFAULT_IDENTITY_RULES });
  return identifier === undefined ? undefined : { type: identifier.type, value: identifier.value };
}
