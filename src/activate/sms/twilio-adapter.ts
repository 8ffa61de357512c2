import { TailorError } from '../../errors.ts';
import { isJsonObject } from '../../ingest/merge-objects.ts';
import type { ChannelAdapter, OutboundMessage, SendOutcome } from '../channel.ts';
import { type DestinationGuard, OPEN_DESTINATION_GUARD } from '../outbound/destination-guard.ts';
import {
  describeFetchError,
  parseRetryAfter,
  redirectFailure,
  refusedDestination,
} from '../provider-answer.ts';

/** How Tailor reaches one Twilio account's Messages API. */
export interface TwilioAdapterOptions {
  /**
   * `sms` (the default), or `rcs`: then the Messaging Service must hold an RCS sender, Twilio
   * tries RCS first and falls back to SMS, and status callbacks carry `channel=rcs`.
   */
  channel?: 'sms' | 'rcs';
  /** The API root; `https://api.twilio.com` unless a test points it at a local server. */
  baseUrl?: string;
  /** The account SID (`AC…`): the HTTP Basic user and the account in the path. */
  accountSid: string;
  /** The account's auth token: the HTTP Basic password. Never written to reasons or logs. */
  authToken: string;
  /** The sender number (E.164); one of `from` and `messagingServiceSid` is required. */
  from?: string;
  /** A Messaging Service (`MG…`) that picks the sender; takes precedence over `from`. */
  messagingServiceSid?: string;
  /** RCS only: the SMS sender of the fallback (`FallbackFrom`, which Twilio takes only with a Messaging Service). */
  fallbackFrom?: string;
  /**
   * Where Twilio should POST status callbacks for each message. Each message's URL gets its
   * send's id as `send_id` in the query string (Twilio signs the whole URL, so the callback
   * still verifies), and the adapter then confirms sends by callback.
   */
  statusCallbackUrl?: string;
  /** The fetch to use; the global one unless a test injects another. */
  fetch?: typeof fetch;
  /** How long one call may take before it is abandoned and retried (default 10 s). */
  timeoutMs?: number;
  /** Checked before each call: private addresses and plain http: are refused unless allowed; default: no check (the workspace's adapters always get one). */
  guard?: DestinationGuard;
}

const DEFAULT_BASE_URL = 'https://api.twilio.com';
const DEFAULT_TIMEOUT_MS = 10_000;

/** Twilio error codes that say the recipient's number cannot take SMS: the address is bad. */
const UNREACHABLE_CODES: ReadonlyMap<number, string> = new Map([
  [21211, "invalid 'To' number"],
  [21614, "'To' is not a mobile number"],
  [21610, 'the recipient opted out (replied STOP) and must text START to receive SMS again'],
]);

/** Twilio's code for too many requests, sent with HTTP 429. */
const TOO_MANY_REQUESTS = 20429;
/** Twilio's code for failed authentication, sent with HTTP 401. */
const AUTHENTICATE = 20003;

/**
 * An SMS or RCS adapter speaking Twilio's Messages API: `POST
 * /2010-04-01/Accounts/{sid}/Messages.json`, HTTP Basic auth, a form-encoded `To`, `From` (or
 * `MessagingServiceSid`), `Body` and optional `StatusCallback`. RCS is the same call through a
 * Messaging Service holding an RCS sender, with the fallback's SMS sender as `FallbackFrom`:
 * Twilio tries RCS, and sends SMS to a phone that cannot take it. Content is `{ text }`. A 201 with a `sid` is `sent`; 429 (or code 20429),
 * 5xx, network errors and timeouts are `retry` (honouring `Retry-After`); codes 21211, 21614
 * and 21610 (opted out) are `failed` and `unreachable`; other 4xx, auth failures included, are
 * `failed` only. Twilio takes no idempotency key, so a retry after a timeout may send twice;
 * with a status callback URL, its callbacks name the send so the outbox can confirm it.
 */
export function createTwilioAdapter(options: TwilioAdapterOptions): ChannelAdapter {
  const channel = options.channel ?? 'sms';
  if (options.from === undefined && options.messagingServiceSid === undefined) {
    throw new TailorError('INVALID_WORKSPACE', 'The sms channel needs `from` or `messagingServiceSid`');
  }
  if (channel === 'rcs' && options.messagingServiceSid === undefined) {
    throw new TailorError(
      'INVALID_WORKSPACE',
      'The rcs channel needs the `messagingServiceSid` of its RCS sender',
    );
  }
  const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  const endpoint = `${baseUrl}/2010-04-01/Accounts/${encodeURIComponent(options.accountSid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const guard = options.guard ?? OPEN_DESTINATION_GUARD;
  const redact = (text: string): string =>
    options.authToken === '' ? text : text.split(options.authToken).join('[redacted]');

  return {
    channel,
    confirmsByCallback: options.statusCallbackUrl !== undefined,
    async send(message: OutboundMessage): Promise<SendOutcome> {
      const text = message.content['text'];
      if (typeof text !== 'string' || text === '') {
        return {
          kind: 'failed',
          reason: `${channel} content needs a non-empty \`text\``,
          unreachable: false,
        };
      }
      const form = new URLSearchParams({ To: message.to, Body: text });
      if (options.messagingServiceSid !== undefined) {
        form.set('MessagingServiceSid', options.messagingServiceSid);
      } else if (options.from !== undefined) {
        form.set('From', options.from);
      }
      if (channel === 'rcs' && options.fallbackFrom !== undefined)
        form.set('FallbackFrom', options.fallbackFrom);
      if (options.statusCallbackUrl !== undefined) {
        const callback = new URL(options.statusCallbackUrl);
        callback.searchParams.set('send_id', message.id);
        if (channel === 'rcs') callback.searchParams.set('channel', 'rcs');
        form.set('StatusCallback', callback.toString());
      }
      let response: Response;
      try {
        const refused = await guard({ url: endpoint });
        if (refused !== undefined) return refusedDestination('Twilio', refused);
        response = await doFetch(endpoint, {
          method: 'POST',
          headers: {
            authorization,
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
          },
          body: form.toString(),
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        return { kind: 'retry', reason: redact(`Twilio unreachable: ${describeFetchError(error)}`) };
      }
      const redirected = redirectFailure({ provider: 'Twilio', response });
      if (redirected !== undefined) return redirected;
      const outcome = classifyTwilioAnswer(response.status, await readJson(response), response.headers);
      return outcome.kind === 'sent' ? outcome : { ...outcome, reason: redact(outcome.reason) };
    },
  };
}

/** Reads what Twilio answered to a create-message call into a send outcome. */
function classifyTwilioAnswer(status: number, body: unknown, headers: Headers): SendOutcome {
  const fields = isJsonObject(body) ? body : {};
  if (status >= 200 && status < 300) {
    const sid = fields['sid'];
    if (typeof sid === 'string' && sid !== '') return { kind: 'sent', providerMessageId: sid };
    // Accepted but unreadable: retrying could send twice, so it is not retried.
    return { kind: 'failed', reason: `Twilio answered ${status} without a message sid`, unreachable: false };
  }
  const code = typeof fields['code'] === 'number' ? fields['code'] : undefined;
  const detail = describeTwilioError(status, code, fields['message']);
  if (status === 429 || code === TOO_MANY_REQUESTS) {
    return withRetryAfter({ kind: 'retry', reason: `Twilio rate limit: ${detail}` }, headers);
  }
  if (status >= 500)
    return withRetryAfter({ kind: 'retry', reason: `Twilio server error: ${detail}` }, headers);
  const unreachable = code === undefined ? undefined : UNREACHABLE_CODES.get(code);
  if (unreachable !== undefined)
    return { kind: 'failed', reason: `${unreachable}: ${detail}`, unreachable: true };
  if (status === 401 || code === AUTHENTICATE) {
    return {
      kind: 'failed',
      reason: `Twilio rejected the account credentials: ${detail}`,
      unreachable: false,
    };
  }
  return { kind: 'failed', reason: `Twilio refused the message: ${detail}`, unreachable: false };
}

function describeTwilioError(status: number, code: number | undefined, message: unknown): string {
  const text = typeof message === 'string' && message !== '' ? ` ${message}` : '';
  return code === undefined ? `HTTP ${status}${text}` : `HTTP ${status} code ${code}${text}`;
}

function withRetryAfter(outcome: { kind: 'retry'; reason: string }, headers: Headers): SendOutcome {
  const retryAfterMs = parseRetryAfter(headers.get('retry-after'));
  return retryAfterMs === undefined ? outcome : { ...outcome, retryAfterMs };
}

async function readJson(response: Response): Promise<unknown> {
  try {
    const text = await response.text();
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}
