import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { text as readText } from 'node:stream/consumers';
import { signTwilioRequest, type TwilioParams } from '../sms/twilio-webhook.ts';
import { CallbackQueue, type CallbackRetry } from './callback-queue.ts';
import type { LocalProvider, ProviderFault } from './local-provider.ts';

/** A fault of the contract, or one of Twilio's own refusals. */
export type TwilioFault =
  | ProviderFault
  /** 400, code 21610: the recipient replied STOP. */
  | { kind: 'unsubscribed' }
  /** 400, code 21614: the recipient is a landline. */
  | { kind: 'not-mobile' }
  /** 400, code 21408: an error the adapter should treat as a plain refusal. */
  | { kind: 'permission-denied' };

/** One message the local Twilio accepted, as it read the form body. */
export interface LocalTwilioMessage {
  sid: string;
  to: string;
  body: string;
  from?: string;
  messagingServiceSid?: string;
  statusCallback?: string;
  /** How it went: `rcs` through the service's RCS sender, else `sms` (a fallback, for an RCS send). */
  transport: 'sms' | 'rcs';
  /** Every form parameter, as sent. */
  params: TwilioParams;
}

/** A local Twilio Messages API (`node:http`, port 0) for tests and the demo. */
export interface LocalTwilio extends LocalProvider {
  /** The base URL to give the adapter as `baseUrl`. */
  url: string;
  accountSid: string;
  authToken: string;
  /** The messages accepted, with every field. */
  messages(): LocalTwilioMessage[];
  failNext(fault: TwilioFault): void;
  /**
   * POSTs a signed status callback for an accepted message to its `StatusCallback` URL (or
   * `url`), as Twilio does, and returns the receiver's answer.
   */
  reportStatus(input: {
    sid: string;
    status: 'queued' | 'sent' | 'delivered' | 'read' | 'undelivered' | 'failed';
    errorCode?: string;
    url?: string;
  }): Promise<Response>;
  /** POSTs a signed inbound message to `url`, as Twilio does when someone texts `to`. */
  sendInbound(input: { url: string; from: string; to: string; body: string }): Promise<Response>;
  /** The `sent` status callbacks delivered (taken with a 2xx) and still owed; zeros without `statusCallbacks`. */
  statusCallbacks(): { delivered: number; owed: number };
}

/** Test credentials: shaped like Twilio's, but not real. */
export const LOCAL_TWILIO_ACCOUNT_SID = 'AC00000000000000000000000000000001';
/** The auth token the local Twilio expects unless told otherwise. */
export const LOCAL_TWILIO_AUTH_TOKEN = 'local-twilio-auth-token';

/** The shape of Twilio's error answers. */
function twilioError(status: number, code: number, message: string): Record<string, unknown> {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

/** A Twilio-shaped id: two letters and 32 hex digits. */
function twilioSid(prefix: string): string {
  return `${prefix}${randomBytes(16).toString('hex')}`;
}

/**
 * Starts a local server speaking Twilio's Messages API wire format: `POST
 * /2010-04-01/Accounts/{AccountSid}/Messages.json` with HTTP Basic auth (401 / 20003 when
 * wrong, 404 / 20404 for another account), a form-encoded body (400 / 21604 without `To`,
 * 21602 without `Body`, 21603 without `From` or `MessagingServiceSid`, 21211 for a `To` that
 * is not E.164), answering 201 with a `SM…` sid and `status: 'queued'`.
 */
export async function startLocalTwilio(
  input: {
    accountSid?: string;
    authToken?: string;
    port?: number;
    /**
     * Post a signed `sent` status callback to the `StatusCallback` URL of every accepted message
     * that has one, as Twilio does, retried with `retry`'s back-off until the receiver answers 2xx.
     */
    statusCallbacks?: { retry?: CallbackRetry };
    /**
     * Every Messaging Service holds the RCS sender `rcs:<senderId>`: a message sent through one
     * goes as RCS to phones `capable` says can take it (default all), else falls back to SMS from
     * `FallbackFrom`. Without this, `FallbackFrom` is refused (21667) as Twilio does when the
     * service has no RCS sender.
     */
    rcs?: { senderId: string; capable?: (to: string) => boolean };
  } = {},
): Promise<LocalTwilio> {
  const accountSid = input.accountSid ?? LOCAL_TWILIO_ACCOUNT_SID;
  const authToken = input.authToken ?? LOCAL_TWILIO_AUTH_TOKEN;
  const messagesPath = `/2010-04-01/Accounts/${accountSid}/Messages.json`;
  const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
  const accepted: LocalTwilioMessage[] = [];
  const faults: TwilioFault[] = [];
  let closed = false;
  const callbacks = new CallbackQueue(input.statusCallbacks?.retry);

  /** The form Twilio posts to a message's status callback URL. */
  const statusParams = (
    message: LocalTwilioMessage,
    status: string,
    errorCode: string | undefined,
  ): TwilioParams => {
    const rcs = message.transport === 'rcs';
    const params: TwilioParams = {
      AccountSid: accountSid,
      ApiVersion: '2010-04-01',
      From: rcs ? `rcs:${input.rcs?.senderId ?? ''}` : (message.from ?? message.params['FallbackFrom'] ?? ''),
      MessageSid: message.sid,
      MessageStatus: status,
      SmsSid: message.sid,
      SmsStatus: status,
      To: rcs ? `rcs:${message.to}` : message.to,
    };
    if (message.messagingServiceSid !== undefined)
      params['MessagingServiceSid'] = message.messagingServiceSid;
    if (errorCode !== undefined) params['ErrorCode'] = errorCode;
    return params;
  };

  const answer = (response: ServerResponse, status: number, body: unknown, headers = {}): void => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const raw = await readText(request);
    const path = (request.url ?? '').split('?')[0] ?? '';
    if (request.method !== 'POST' || !/^\/2010-04-01\/Accounts\/[^/]+\/Messages\.json$/.test(path)) {
      answer(response, 404, twilioError(404, 20404, 'The requested resource was not found'));
      return;
    }
    if (request.headers.authorization !== expectedAuth) {
      answer(response, 401, twilioError(401, 20003, 'Authenticate'));
      return;
    }
    if (path !== messagesPath) {
      answer(response, 404, twilioError(404, 20404, `The requested resource ${path} was not found`));
      return;
    }
    const params = Object.fromEntries(new URLSearchParams(raw));
    const to = params['To'];
    const body = params['Body'];
    if (to === undefined || to === '') {
      answer(response, 400, twilioError(400, 21604, "A 'To' phone number is required."));
      return;
    }
    if (body === undefined || body === '') {
      answer(response, 400, twilioError(400, 21602, 'Message body is required.'));
      return;
    }
    if (params['From'] === undefined && params['MessagingServiceSid'] === undefined) {
      answer(
        response,
        400,
        twilioError(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required"),
      );
      return;
    }
    const fallbackFrom = params['FallbackFrom'];
    if (fallbackFrom !== undefined && params['From'] !== undefined) {
      answer(response, 400, twilioError(400, 21664, "'FallbackFrom' cannot be used with a 'From' sender"));
      return;
    }
    if (fallbackFrom !== undefined && params['MessagingServiceSid'] === undefined) {
      answer(response, 400, twilioError(400, 21666, "'FallbackFrom' requires MessagingServiceSid"));
      return;
    }
    if (fallbackFrom !== undefined && input.rcs === undefined) {
      answer(
        response,
        400,
        twilioError(400, 21667, "'FallbackFrom' requires the Messaging Service to have an RCS Sender"),
      );
      return;
    }
    const fault = faults.shift();
    if (fault !== undefined) {
      answerFault(response, fault, to);
      return;
    }
    if (!/^\+[1-9]\d{6,14}$/.test(to)) {
      answer(response, 400, twilioError(400, 21211, `Invalid 'To' Phone Number: ${to}`));
      return;
    }
    const viaRcs =
      input.rcs !== undefined &&
      params['MessagingServiceSid'] !== undefined &&
      (input.rcs.capable?.(to) ?? true);
    const message: LocalTwilioMessage = {
      sid: twilioSid('SM'),
      to,
      body,
      transport: viaRcs ? 'rcs' : 'sms',
      params,
    };
    if (params['From'] !== undefined) message.from = params['From'];
    if (params['MessagingServiceSid'] !== undefined)
      message.messagingServiceSid = params['MessagingServiceSid'];
    const statusCallback = params['StatusCallback'];
    if (statusCallback !== undefined) message.statusCallback = statusCallback;
    accepted.push(message);
    if (input.statusCallbacks !== undefined && statusCallback !== undefined) {
      const sent = statusParams(message, 'sent', undefined);
      callbacks.deliver(() => postSignedTwilioForm({ url: statusCallback, params: sent, authToken }));
    }
    answer(response, 201, {
      sid: message.sid,
      account_sid: accountSid,
      to,
      from: message.from ?? null,
      messaging_service_sid: message.messagingServiceSid ?? null,
      body,
      status: 'queued',
      direction: 'outbound-api',
      api_version: '2010-04-01',
      error_code: null,
      error_message: null,
      uri: `/2010-04-01/Accounts/${accountSid}/Messages/${message.sid}.json`,
    });
  };

  const answerFault = (response: ServerResponse, fault: TwilioFault, to: string): void => {
    switch (fault.kind) {
      case 'server-error':
        answer(response, 500, twilioError(500, 20500, 'Internal Server Error'));
        return;
      case 'rate-limited':
        answer(response, 429, twilioError(429, 20429, 'Too Many Requests'), {
          'retry-after': String(fault.retryAfterSeconds),
        });
        return;
      case 'invalid-recipient':
        answer(response, 400, twilioError(400, 21211, `Invalid 'To' Phone Number: ${to}`));
        return;
      case 'unsubscribed':
        answer(response, 400, twilioError(400, 21610, 'Attempt to send to unsubscribed recipient'));
        return;
      case 'not-mobile':
        answer(response, 400, twilioError(400, 21614, `'To' number ${to} is not a valid mobile number`));
        return;
      case 'permission-denied':
        answer(response, 400, twilioError(400, 21408, 'Permission to send an SMS has not been enabled'));
        return;
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) answer(response, 500, twilioError(500, 20500, 'Internal Server Error'));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(input.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    accountSid,
    authToken,
    accepted: () => accepted.map((message) => ({ to: message.to, text: message.body })),
    messages: () => accepted.map((message) => ({ ...message })),
    failNext: (fault) => {
      faults.push(fault);
    },
    async reportStatus({ sid, status, errorCode, url }) {
      const message = accepted.find((candidate) => candidate.sid === sid);
      const target = url ?? message?.statusCallback;
      if (message === undefined || target === undefined) {
        throw new Error(`no message ${sid} with a status callback URL`);
      }
      return postSignedTwilioForm({
        url: target,
        params: statusParams(message, status, errorCode),
        authToken,
      });
    },
    sendInbound({ url, from, to, body }) {
      const sid = twilioSid('SM');
      const params: TwilioParams = {
        AccountSid: accountSid,
        ApiVersion: '2010-04-01',
        Body: body,
        From: from,
        MessageSid: sid,
        NumMedia: '0',
        NumSegments: '1',
        SmsMessageSid: sid,
        SmsSid: sid,
        SmsStatus: 'received',
        To: to,
      };
      return postSignedTwilioForm({ url, params, authToken });
    },
    statusCallbacks: () => callbacks.counts(),
    async close() {
      if (closed) return;
      closed = true;
      callbacks.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * POSTs `params` form-encoded to `url` with the `X-Twilio-Signature` Twilio would compute
 * with `authToken`, as Twilio delivers status callbacks and inbound messages.
 */
export async function postSignedTwilioForm(input: {
  url: string;
  params: TwilioParams;
  authToken: string;
}): Promise<Response> {
  return fetch(input.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signTwilioRequest(input),
      'user-agent': 'TwilioProxy/1.1',
    },
    body: new URLSearchParams(input.params).toString(),
  });
}
