/**
 * The WhatsApp Business Cloud API's wire format, as far as Tailor speaks it: the body of
 * `POST /{phone-number-id}/messages`, its answers, and the `messages` webhook. Field names are
 * the API's own (snake case), so these types read like Meta's reference.
 */

/** The Graph API version Tailor is written against. */
export const WHATSAPP_API_VERSION = 'v21.0';

/** A text message: `preview_url` asks WhatsApp to render a preview of the first link. */
export interface WhatsAppTextBody {
  messaging_product: 'whatsapp';
  recipient_type: 'individual';
  /** The recipient's number, digits only (country code first, no `+`). */
  to: string;
  type: 'text';
  text: { body: string; preview_url?: boolean };
  /** An opaque string WhatsApp hands back on every status webhook of this message (≤ 512 characters). */
  biz_opaque_callback_data?: string;
}

/** A template message: a pre-approved template by name and language, with its parameters. */
export interface WhatsAppTemplateBody {
  messaging_product: 'whatsapp';
  recipient_type: 'individual';
  to: string;
  type: 'template';
  template: { name: string; language: { code: string }; components?: unknown[] };
  biz_opaque_callback_data?: string;
}

/** The body of a send. */
export type WhatsAppSendBody = WhatsAppTextBody | WhatsAppTemplateBody;

/** A `200` answer to a send: `messages[0].id` is the `wamid.…` status webhooks refer to. */
export interface WhatsAppSendResult {
  messaging_product: 'whatsapp';
  contacts: { input: string; wa_id: string }[];
  messages: { id: string; message_status?: string }[];
}

/** A Graph API error answer: act on `error.code`, never on the message text. */
export interface WhatsAppErrorResult {
  error: {
    message: string;
    type: string;
    code: number;
    error_subcode?: number;
    error_data?: { messaging_product?: 'whatsapp'; details?: string };
    fbtrace_id: string;
  };
}

/** An error inside a webhook (a failed status or an unprocessable inbound message). */
export interface WhatsAppWebhookError {
  code: number;
  title: string;
  message?: string;
  error_data?: { details?: string };
}

/** A status webhook of one sent message. */
export interface WhatsAppStatus {
  /** The `wamid.…` the send answered. */
  id: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  /** Unix seconds, as a string. */
  timestamp: string;
  /** The recipient's WhatsApp id: their number, digits only. */
  recipient_id: string;
  biz_opaque_callback_data?: string;
  errors?: WhatsAppWebhookError[];
}

/** An inbound message from a person. Only `text` is read for its words; other types still count as replies. */
export interface WhatsAppInboundMessage {
  /** The sender's WhatsApp id: their number, digits only. */
  from: string;
  id: string;
  /** Unix seconds, as a string. */
  timestamp: string;
  type: string;
  text?: { body: string };
  /** Present when the person replied to (quoted) one of our messages. */
  context?: { from?: string; id: string };
}

/** The value of one `messages` change: inbound messages and/or statuses of one business number. */
export interface WhatsAppChangeValue {
  messaging_product: 'whatsapp';
  metadata: { display_phone_number: string; phone_number_id: string };
  contacts?: { profile: { name: string }; wa_id: string }[];
  messages?: WhatsAppInboundMessage[];
  statuses?: WhatsAppStatus[];
}

/** A webhook POST body: one or more business accounts, each with one or more changes. */
export interface WhatsAppWebhookPayload {
  object: 'whatsapp_business_account';
  entry: { id: string; changes: { field: 'messages'; value: WhatsAppChangeValue }[] }[];
}

/** A JSON object (not an array, not null): how every field of the wire is read before it is trusted. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
