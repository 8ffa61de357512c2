import type { ChannelAdapter, OutboundMessage, SendOutcome } from '../channel.ts';
import { type DestinationGuard, OPEN_DESTINATION_GUARD } from '../outbound/destination-guard.ts';
import { describeFetchError, redirectFailure, refusedDestination } from '../provider-answer.ts';
import { classifyWhatsAppError } from './whatsapp-error.ts';
import {
  isJsonObject,
  WHATSAPP_API_VERSION,
  type WhatsAppSendBody,
  type WhatsAppTemplateBody,
  type WhatsAppTextBody,
} from './whatsapp-wire.ts';

/** Where the adapter sends and with what credentials. */
export interface WhatsAppAdapterOptions {
  /** The Graph API root with its version; default `https://graph.facebook.com/v21.0`. */
  baseUrl?: string;
  /** The business phone number's id (not the number itself). */
  phoneNumberId: string;
  /** A system-user access token with `whatsapp_business_messaging`. Never logged nor put in a reason. */
  accessToken: string;
  /** The fetch to use (tests, proxies); default the global `fetch`. */
  fetch?: typeof fetch;
  /** How long one send may take before it is abandoned as `retry`; default 10 s. */
  timeoutMs?: number;
  /** Checked before each call: private addresses and plain http: are refused unless allowed; default: no check (the workspace's adapters always get one). */
  guard?: DestinationGuard;
}

const DEFAULT_BASE_URL = `https://graph.facebook.com/${WHATSAPP_API_VERSION}`;
const DEFAULT_TIMEOUT_MS = 10_000;
/** E.164 allows at most 15 digits; the shortest country code plus number is well above 6. */
const WHATSAPP_NUMBER = /^\d{7,15}$/;
/** WhatsApp caps `biz_opaque_callback_data` at 512 characters. */
const MAX_CALLBACK_DATA = 512;

/**
 * A WhatsApp adapter over the Business Cloud API: `POST {baseUrl}/{phoneNumberId}/messages` with
 * a Bearer token. `{ text }` content is a text message (only inside the 24-hour window after the
 * person last wrote), `{ template: { name, language, components? } }` a template message. `to`
 * is an E.164 number with or without `+` (the API takes digits only). The message id rides along
 * as `biz_opaque_callback_data`, so status webhooks name the send and confirm it; the API has
 * no idempotency key.
 */
export function createWhatsAppAdapter(options: WhatsAppAdapterOptions): ChannelAdapter {
  const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  const url = `${baseUrl}/${encodeURIComponent(options.phoneNumberId)}/messages`;
  const fetchImpl = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const guard = options.guard ?? OPEN_DESTINATION_GUARD;
  const redact = (text: string): string =>
    options.accessToken === '' ? text : text.split(options.accessToken).join('[redacted]');

  async function post(body: WhatsAppSendBody): Promise<SendOutcome> {
    let response: Response;
    let text: string;
    try {
      const refused = await guard({ url });
      if (refused !== undefined) return refusedDestination('WhatsApp API', refused);
      response = await fetchImpl(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      return { kind: 'retry', reason: `WhatsApp API not reached: ${describeFetchError(error)}` };
    }
    const redirected = redirectFailure({ provider: 'WhatsApp API', response });
    if (redirected !== undefined) return redirected;
    const parsed = parseJson(text);
    if (response.ok) return readSuccess(response.status, parsed);
    return classifyWhatsAppError({
      status: response.status,
      body: parsed,
      retryAfter: response.headers.get('retry-after'),
    });
  }

  return {
    channel: 'whatsapp',
    confirmsByCallback: true,
    async send(message: OutboundMessage): Promise<SendOutcome> {
      const to = digitsOnly(message.to);
      if (to === undefined) {
        return { kind: 'failed', reason: `not a WhatsApp number: ${message.to}`, unreachable: true };
      }
      const body = buildBody({ to, message });
      if (typeof body === 'string') return { kind: 'failed', reason: body, unreachable: false };
      const outcome = await post(body);
      return outcome.kind === 'sent' ? outcome : { ...outcome, reason: redact(outcome.reason) };
    },
  };
}

/** `+91 98765-43210` → `919876543210`; undefined when what is left is not an international number. */
function digitsOnly(to: string): string | undefined {
  const digits = to
    .trim()
    .replace(/^\+/, '')
    .replace(/[\s\-().]/g, '');
  return WHATSAPP_NUMBER.test(digits) ? digits : undefined;
}

/** The send body for the message's content, or why the content cannot be sent. */
function buildBody(input: { to: string; message: OutboundMessage }): WhatsAppSendBody | string {
  const { to, message } = input;
  const content = message.content;
  const envelope: Omit<WhatsAppTextBody, 'type' | 'text'> = {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to,
  };
  if (message.id.length <= MAX_CALLBACK_DATA) envelope.biz_opaque_callback_data = message.id;
  if (content.template !== undefined) {
    const template = readTemplate(content.template);
    if (typeof template === 'string') return template;
    return { ...envelope, type: 'template', template };
  }
  if (typeof content.text === 'string' && content.text.trim() !== '') {
    const previewUrl = content.preview_url;
    return {
      ...envelope,
      type: 'text',
      text:
        typeof previewUrl === 'boolean'
          ? { body: content.text, preview_url: previewUrl }
          : { body: content.text },
    };
  }
  return 'WhatsApp content needs a non-empty `text` or a `template`';
}

/** `{ name, language: 'en' | { code: 'en' }, components? }` as the API's template object. */
function readTemplate(value: unknown): WhatsAppTemplateBody['template'] | string {
  if (!isJsonObject(value) || typeof value.name !== 'string' || value.name === '') {
    return 'a WhatsApp template needs a `name`';
  }
  const language = value.language;
  const code = typeof language === 'string' ? language : isJsonObject(language) ? language.code : undefined;
  if (typeof code !== 'string' || code === '') {
    return `WhatsApp template ${value.name} needs a \`language\` code such as \`en_US\``;
  }
  const components = value.components;
  if (components !== undefined && !Array.isArray(components)) {
    return `WhatsApp template ${value.name}: \`components\` must be a list`;
  }
  return components === undefined
    ? { name: value.name, language: { code } }
    : { name: value.name, language: { code }, components };
}

/** A `2xx`: sent with `messages[0].id`; without one the send is in doubt and is not repeated. */
function readSuccess(status: number, body: unknown): SendOutcome {
  const messages = isJsonObject(body) ? body.messages : undefined;
  const first: unknown = Array.isArray(messages) ? messages[0] : undefined;
  const id = isJsonObject(first) ? first.id : undefined;
  if (typeof id === 'string' && id !== '') return { kind: 'sent', providerMessageId: id };
  return {
    kind: 'failed',
    reason: `WhatsApp answered HTTP ${status} without a message id`,
    unreachable: false,
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
