/**
 * A local WhatsApp Business Cloud API for tests and the demo: an HTTP server on a free port that
 * speaks the Cloud API's wire format, plus Meta's side of the webhooks.
 *
 * - `startLocalWhatsApp()` serves `POST /v21.0/{phone-number-id}/messages`: it checks the Bearer
 *   token and the phone-number id, validates the body as the real API does (unknown keys, a `to`
 *   that is not digits only, an empty text, a template without a language are `400` Graph
 *   errors), records what it accepted and answers `{ messaging_product, contacts, messages: [{ id:
 *   'wamid.…' }] }`. `failNext` makes the next valid send fail like the real API does. With
 *   `statusWebhook`, it then posts a signed `sent` status for each accepted message to the
 *   webhook URL, as Meta does, retrying until the receiver takes it.
 * - `deliverWebhook(url, payload, appSecret)` POSTs a payload signed with `X-Hub-Signature-256`,
 *   as Meta does; `whatsAppStatusWebhook` and `whatsAppReplyWebhook` build the exact payloads of a
 *   status callback and of an inbound reply; `subscribeWebhook` performs the `GET` handshake.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { text as readText } from 'node:stream/consumers';
import {
  isJsonObject,
  WHATSAPP_API_VERSION,
  type WhatsAppChangeValue,
  type WhatsAppErrorResult,
  type WhatsAppSendBody,
  type WhatsAppSendResult,
  type WhatsAppStatus,
  type WhatsAppWebhookError,
  type WhatsAppWebhookPayload,
} from '../whatsapp/whatsapp-wire.ts';
import { CallbackQueue, type CallbackRetry } from './callback-queue.ts';
import type { LocalProvider, ProviderFault } from './local-provider.ts';

/** One message the local API accepted. */
export interface LocalWhatsAppMessage {
  /** The recipient as the API read it: digits only. */
  to: string;
  /** A text's body; for a template its name and the text of its parameters. */
  text: string;
  /** The Cloud API has no idempotency key. */
  idempotencyKey?: undefined;
  /** The `wamid.…` it answered. */
  wamid: string;
  /** The request body, as sent. */
  body: WhatsAppSendBody;
}

/** A running local Cloud API. */
export interface LocalWhatsApp extends LocalProvider {
  /** The API root to give the adapter as `baseUrl`: `http://127.0.0.1:<port>/v21.0`. */
  readonly baseUrl: string;
  readonly phoneNumberId: string;
  readonly accessToken: string;
  accepted(): LocalWhatsAppMessage[];
  /** Every request it answered, accepted or not, in order: for asserting on refusals. */
  requests(): { status: number; body: unknown }[];
  /** The `sent` status webhooks delivered (taken with a 2xx) and still owed; zeros without `statusWebhook`. */
  statusWebhooks(): { delivered: number; owed: number };
}

/** Options of `startLocalWhatsApp`; the defaults suit tests. */
export interface LocalWhatsAppOptions {
  phoneNumberId?: string;
  accessToken?: string;
  /** The port to listen on (127.0.0.1); any free port when left out. */
  port?: number;
  /**
   * Where to post a `sent` status webhook for every accepted message (with its
   * `biz_opaque_callback_data`), signed with `appSecret` as Meta does, retried with `retry`'s
   * back-off until the receiver answers 2xx. Without it no webhook is sent on its own.
   */
  statusWebhook?: { url: string; appSecret: string; retry?: CallbackRetry };
}

const TEXT_KEYS = new Set(['body', 'preview_url']);
const TEMPLATE_KEYS = new Set(['name', 'language', 'components']);
const BODY_KEYS = new Set([
  'messaging_product',
  'recipient_type',
  'to',
  'type',
  'text',
  'template',
  'context',
  'biz_opaque_callback_data',
]);
const MAX_TEXT_LENGTH = 4096;

/** Starts a local Cloud API on `127.0.0.1` and a free port. */
export async function startLocalWhatsApp(options: LocalWhatsAppOptions = {}): Promise<LocalWhatsApp> {
  const phoneNumberId = options.phoneNumberId ?? '106540352242922';
  const accessToken = options.accessToken ?? `EAAlocal${randomBytes(12).toString('hex')}`;
  const accepted: LocalWhatsAppMessage[] = [];
  const answered: { status: number; body: unknown }[] = [];
  let fault: ProviderFault | undefined;
  const webhooks = new CallbackQueue(options.statusWebhook?.retry);
  const reportSent = (message: LocalWhatsAppMessage): void => {
    const target = options.statusWebhook;
    if (target === undefined) return;
    const callbackData = message.body.biz_opaque_callback_data;
    const payload = whatsAppStatusWebhook({
      phoneNumberId,
      wamid: message.wamid,
      status: 'sent',
      recipient: message.to,
      timestamp: Date.now(),
      ...(callbackData === undefined ? {} : { callbackData }),
    });
    webhooks.deliver(() => deliverWebhook(target.url, payload, target.appSecret));
  };

  const answer = (
    response: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void => {
    answered.push({ status, body });
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const raw = await readText(request);
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const match = /^\/(v\d+\.\d+)\/([^/]+)\/messages$/.exec(path);
    if (request.method !== 'POST' || match === null) {
      answer(
        response,
        404,
        graphError({ status: 404, code: 100, message: `Unknown path components: ${path}` }),
      );
      return;
    }
    if (request.headers.authorization !== `Bearer ${accessToken}`) {
      answer(response, 401, graphError({ status: 401, code: 190, message: 'Invalid OAuth access token.' }));
      return;
    }
    if (decodeURIComponent(match[2] ?? '') !== phoneNumberId) {
      const message = `Unsupported post request. Object with ID '${match[2]}' does not exist`;
      const error = graphError({
        status: 400,
        code: 100,
        subcode: 33,
        message,
        type: 'GraphMethodException',
      });
      answer(response, 400, error);
      return;
    }
    const body = parseJson(raw);
    if (!isSendBody(body)) {
      const details = body === undefined ? 'the body is not JSON' : (bodyProblem(body) ?? 'invalid body');
      answer(response, 400, graphError({ status: 400, code: 100, message: 'Invalid parameter', details }));
      return;
    }
    const current = fault;
    fault = undefined;
    if (current?.kind === 'server-error') {
      answer(response, 500, graphError({ status: 500, code: 131000, message: 'Something went wrong' }));
      return;
    }
    if (current?.kind === 'rate-limited') {
      const error = graphError({ status: 429, code: 130429, message: '(#130429) Rate limit hit' });
      answer(response, 429, error, { 'retry-after': String(current.retryAfterSeconds) });
      return;
    }
    if (current?.kind === 'invalid-recipient') {
      const details = 'The recipient is not a WhatsApp user or cannot receive messages';
      answer(
        response,
        400,
        graphError({ status: 400, code: 131026, message: 'Message undeliverable', details }),
      );
      return;
    }
    const wamid = `wamid.${randomBytes(24).toString('base64')}`;
    const message: LocalWhatsAppMessage = { to: body.to, text: carriedText(body), wamid, body };
    accepted.push(message);
    const result: WhatsAppSendResult = {
      messaging_product: 'whatsapp',
      contacts: [{ input: body.to, wa_id: body.to }],
      messages: [{ id: wamid, message_status: 'accepted' }],
    };
    answer(response, 200, result);
    reportSent(message);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent)
        answer(response, 500, graphError({ status: 500, code: 1, message: 'Unknown' }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the local WhatsApp API has no port');
  const port = address.port;
  let closed = false;

  return {
    baseUrl: `http://127.0.0.1:${port}/${WHATSAPP_API_VERSION}`,
    phoneNumberId,
    accessToken,
    accepted: () => [...accepted],
    requests: () => [...answered],
    statusWebhooks: () => webhooks.counts(),
    failNext(next: ProviderFault) {
      fault = next;
    },
    async close() {
      if (closed) return;
      closed = true;
      webhooks.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/**
 * POSTs a webhook payload to `url` as Meta does: the JSON body signed with the app secret in
 * `X-Hub-Signature-256: sha256=<hex>`. Returns the receiver's answer.
 */
export async function deliverWebhook(
  url: string,
  payload: WhatsAppWebhookPayload,
  appSecret: string,
): Promise<Response> {
  const body = JSON.stringify(payload);
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhook(body, appSecret) },
    body,
  });
}

/** The `X-Hub-Signature-256` header value Meta sends for this exact body. */
export function signWebhook(body: string | Buffer, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

/** Meta's subscription handshake: `GET url?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`. */
export async function subscribeWebhook(
  url: string,
  verifyToken: string,
  challenge = '1158201444',
): Promise<Response> {
  const target = new URL(url);
  target.searchParams.set('hub.mode', 'subscribe');
  target.searchParams.set('hub.verify_token', verifyToken);
  target.searchParams.set('hub.challenge', challenge);
  return fetch(target);
}

/** Where a webhook came from: the business number and its account. */
export interface WebhookOrigin {
  phoneNumberId?: string;
  displayPhoneNumber?: string;
  businessAccountId?: string;
}

/** The webhook Meta sends when a sent message changes status; `timestamp` is epoch ms. */
export function whatsAppStatusWebhook(
  input: WebhookOrigin & {
    wamid: string;
    status: WhatsAppStatus['status'];
    /** The recipient's number, with or without `+`. */
    recipient: string;
    timestamp: number;
    /** The send's `biz_opaque_callback_data`, echoed back. */
    callbackData?: string;
    /** For `failed`; default one `131026 Message undeliverable`. */
    errors?: WhatsAppWebhookError[];
  },
): WhatsAppWebhookPayload {
  const status: WhatsAppStatus = {
    id: input.wamid,
    status: input.status,
    timestamp: unixSeconds(input.timestamp),
    recipient_id: digits(input.recipient),
  };
  if (input.callbackData !== undefined) status.biz_opaque_callback_data = input.callbackData;
  if (input.status === 'failed') {
    status.errors = input.errors ?? [
      {
        code: 131026,
        title: 'Message undeliverable',
        message: 'Message undeliverable',
        error_data: { details: 'Message Undeliverable.' },
      },
    ];
  }
  return envelope(input, { statuses: [status] });
}

/** The webhook Meta sends when a person writes to the business number; `timestamp` is epoch ms. */
export function whatsAppReplyWebhook(
  input: WebhookOrigin & {
    /** The sender's number, with or without `+`. */
    from: string;
    text: string;
    timestamp: number;
    /** The inbound message's wamid; default a fresh one. */
    id?: string;
    /** The wamid of our message the person replied to (quoted). */
    contextId?: string;
    /** The sender's profile name. */
    name?: string;
  },
): WhatsAppWebhookPayload {
  const from = digits(input.from);
  const message: NonNullable<WhatsAppChangeValue['messages']>[number] = {
    from,
    id: input.id ?? `wamid.${randomBytes(24).toString('base64')}`,
    timestamp: unixSeconds(input.timestamp),
    type: 'text',
    text: { body: input.text },
  };
  if (input.contextId !== undefined) message.context = { from: displayNumber(input), id: input.contextId };
  return envelope(input, {
    contacts: [{ profile: { name: input.name ?? 'Local Tester' }, wa_id: from }],
    messages: [message],
  });
}

function envelope(
  origin: WebhookOrigin,
  content: Pick<WhatsAppChangeValue, 'contacts' | 'messages' | 'statuses'>,
): WhatsAppWebhookPayload {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: origin.businessAccountId ?? '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: {
                display_phone_number: displayNumber(origin),
                phone_number_id: origin.phoneNumberId ?? '106540352242922',
              },
              ...content,
            },
          },
        ],
      },
    ],
  };
}

function displayNumber(origin: WebhookOrigin): string {
  return origin.displayPhoneNumber ?? '15550783881';
}

function digits(number: string): string {
  return number.replace(/^\+/, '');
}

function unixSeconds(ms: number): string {
  return String(Math.floor(ms / 1000));
}

/** Why the real API would refuse this body, or undefined when it is a valid text or template send. */
function bodyProblem(body: unknown): string | undefined {
  if (!isJsonObject(body)) return 'the body must be a JSON object';
  const unknown = Object.keys(body).find((key) => !BODY_KEYS.has(key));
  if (unknown !== undefined) return `Unexpected key "${unknown}" on param "messages"`;
  if (body.messaging_product !== 'whatsapp') return 'messaging_product must be "whatsapp"';
  if (body.recipient_type !== undefined && body.recipient_type !== 'individual') {
    return 'recipient_type must be "individual"';
  }
  if (typeof body.to !== 'string' || !/^\d{7,15}$/.test(body.to)) {
    return 'to must be the phone number in digits only, country code first';
  }
  if (body.biz_opaque_callback_data !== undefined && typeof body.biz_opaque_callback_data !== 'string') {
    return 'biz_opaque_callback_data must be a string';
  }
  if (body.type === 'text') return textProblem(body.text);
  if (body.type === 'template') return templateProblem(body.template);
  return 'type must be "text" or "template" here';
}

function textProblem(text: unknown): string | undefined {
  if (!isJsonObject(text)) return 'text is required for a text message';
  const unknown = Object.keys(text).find((key) => !TEXT_KEYS.has(key));
  if (unknown !== undefined) return `Unexpected key "${unknown}" on param "text"`;
  if (typeof text.body !== 'string' || text.body.trim() === '') return 'text.body is required';
  if (text.body.length > MAX_TEXT_LENGTH) return `text.body is longer than ${MAX_TEXT_LENGTH} characters`;
  if (text.preview_url !== undefined && typeof text.preview_url !== 'boolean') {
    return 'text.preview_url must be a boolean';
  }
  return undefined;
}

function templateProblem(template: unknown): string | undefined {
  if (!isJsonObject(template)) return 'template is required for a template message';
  const unknown = Object.keys(template).find((key) => !TEMPLATE_KEYS.has(key));
  if (unknown !== undefined) return `Unexpected key "${unknown}" on param "template"`;
  if (typeof template.name !== 'string' || template.name === '') return 'template.name is required';
  if (!isJsonObject(template.language) || typeof template.language.code !== 'string') {
    return 'template.language.code is required';
  }
  if (template.components !== undefined && !Array.isArray(template.components)) {
    return 'template.components must be a list';
  }
  return undefined;
}

/** What a message says: a text's body, or a template's name followed by its text parameters. */
function carriedText(body: WhatsAppSendBody): string {
  if (body.type === 'text') return body.text.body;
  const words: string[] = [body.template.name];
  for (const component of body.template.components ?? []) {
    if (!isJsonObject(component) || !Array.isArray(component.parameters)) continue;
    for (const parameter of component.parameters) {
      if (isJsonObject(parameter) && typeof parameter.text === 'string') words.push(parameter.text);
    }
  }
  return words.join(' ');
}

function graphError(input: {
  status: number;
  code: number;
  message: string;
  subcode?: number;
  details?: string;
  type?: string;
}): WhatsAppErrorResult {
  return {
    error: {
      message: input.message,
      type: input.type ?? 'OAuthException',
      code: input.code,
      ...(input.subcode === undefined ? {} : { error_subcode: input.subcode }),
      error_data: { messaging_product: 'whatsapp', details: input.details ?? input.message },
      fbtrace_id: `A${randomBytes(11).toString('base64url')}`,
    },
  };
}

function isSendBody(body: unknown): body is WhatsAppSendBody {
  return bodyProblem(body) === undefined;
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
