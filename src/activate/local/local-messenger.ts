import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { text as readText } from 'node:stream/consumers';
import { isJsonObject } from '../whatsapp/whatsapp-wire.ts';
import type { LocalProvider, ProviderFault } from './local-provider.ts';
import { signWebhook } from './local-whatsapp.ts';

/** A fault of the contract, or Meta's refusal of a reply outside the 24-hour window. */
export type MessengerFault = ProviderFault | { kind: 'outside-window' };

/** One message the local Send API accepted. */
export interface LocalMessengerMessage {
  mid: string;
  /** The Page or Instagram account id in the path. */
  senderId: string;
  recipientId: string;
  text: string;
  /** The whole JSON body, as sent. */
  body: Record<string, unknown>;
}

/** A local Send API (Messenger and Instagram) on `node:http`, port 0, for tests and the demo. */
export interface LocalMessenger extends LocalProvider {
  /** The Graph API root to give the adapter as `baseUrl`. */
  baseUrl: string;
  senderId: string;
  accessToken: string;
  messages(): LocalMessengerMessage[];
  failNext(fault: MessengerFault): void;
}

/** The Page id the local Send API expects unless told otherwise. */
export const LOCAL_MESSENGER_PAGE_ID = '104000000000001';
/** The Page access token it expects. */
export const LOCAL_MESSENGER_ACCESS_TOKEN = 'local-messenger-page-token';

function graphError(input: {
  code: number;
  subcode?: number;
  message: string;
  type?: string;
}): Record<string, unknown> {
  return {
    error: {
      message: input.message,
      type: input.type ?? 'OAuthException',
      code: input.code,
      ...(input.subcode === undefined ? {} : { error_subcode: input.subcode }),
      fbtrace_id: `A${randomBytes(8).toString('hex')}`,
    },
  };
}

/**
 * Starts a local server speaking the Send API's wire format: `POST /v21.0/{senderId}/messages`
 * with `Authorization: Bearer <page token>` (401, code 190 otherwise), a JSON body with
 * `recipient.id` and `message.text` (400, code 100 without), answering `{ recipient_id,
 * message_id }`; faults answer with Meta's Graph error bodies (429 code 613 with Retry-After, 500
 * code 2, 400 code 100/2018001 for an unknown person, 400 code 10/2018278 outside the window).
 */
export async function startLocalMessenger(
  input: { senderId?: string; accessToken?: string } = {},
): Promise<LocalMessenger> {
  const senderId = input.senderId ?? LOCAL_MESSENGER_PAGE_ID;
  const accessToken = input.accessToken ?? LOCAL_MESSENGER_ACCESS_TOKEN;
  const accepted: LocalMessengerMessage[] = [];
  const faults: MessengerFault[] = [];
  let closed = false;

  const answer = (response: ServerResponse, status: number, body: unknown, headers = {}): void => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const raw = await readText(request);
    const path = (request.url ?? '').split('?')[0] ?? '';
    if (request.method !== 'POST' || path !== `/v21.0/${senderId}/messages`) {
      answer(
        response,
        400,
        graphError({
          code: 100,
          message: `Unsupported post request. Object with ID '${path}' does not exist`,
          type: 'GraphMethodException',
        }),
      );
      return;
    }
    if (request.headers.authorization !== `Bearer ${accessToken}`) {
      answer(
        response,
        401,
        graphError({ code: 190, message: 'Invalid OAuth access token - Cannot parse access token' }),
      );
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      answer(response, 400, graphError({ code: 100, message: '(#100) Invalid JSON' }));
      return;
    }
    const recipient = isJsonObject(body) && isJsonObject(body.recipient) ? body.recipient.id : undefined;
    const text = isJsonObject(body) && isJsonObject(body.message) ? body.message.text : undefined;
    if (!isJsonObject(body) || typeof recipient !== 'string' || typeof text !== 'string') {
      answer(
        response,
        400,
        graphError({ code: 100, message: '(#100) The parameter recipient and message are required' }),
      );
      return;
    }
    const fault = faults.shift();
    if (fault !== undefined) {
      answerFault(response, fault);
      return;
    }
    const message: LocalMessengerMessage = {
      mid: `m_${randomBytes(16).toString('base64url')}`,
      senderId,
      recipientId: recipient,
      text,
      body,
    };
    accepted.push(message);
    answer(response, 200, { recipient_id: recipient, message_id: message.mid });
  };

  const answerFault = (response: ServerResponse, fault: MessengerFault): void => {
    switch (fault.kind) {
      case 'server-error':
        answer(
          response,
          500,
          graphError({
            code: 2,
            message: 'An unexpected error has occurred. Please retry your request later.',
          }),
        );
        return;
      case 'rate-limited':
        answer(
          response,
          429,
          graphError({ code: 613, message: 'Calls to this api have exceeded the rate limit.' }),
          {
            'retry-after': String(fault.retryAfterSeconds),
          },
        );
        return;
      case 'invalid-recipient':
        answer(
          response,
          400,
          graphError({ code: 100, subcode: 2018001, message: '(#100) No matching user found' }),
        );
        return;
      case 'outside-window':
        answer(
          response,
          400,
          graphError({
            code: 10,
            subcode: 2018278,
            message: '(#10) This message is sent outside of allowed window.',
          }),
        );
        return;
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent)
        answer(response, 500, graphError({ code: 2, message: 'Service temporarily unavailable' }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v21.0`,
    senderId,
    accessToken,
    accepted: () => accepted.map((message) => ({ to: message.recipientId, text: message.text })),
    messages: () => accepted.map((message) => ({ ...message })),
    failNext: (fault) => {
      faults.push(fault);
    },
    async close() {
      if (closed) return;
      closed = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * POSTs a messaging webhook to `url` as Meta does: JSON, signed with `X-Hub-Signature-256`
 * (`sha256=` and the hex HMAC-SHA256 of the body under the app secret).
 */
export async function deliverMessengerWebhook(
  url: string,
  payload: unknown,
  appSecret: string,
): Promise<Response> {
  const body = JSON.stringify(payload);
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhook(body, appSecret) },
    body,
  });
}
