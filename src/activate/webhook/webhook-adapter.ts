import { type Clock, systemClock } from '../../clock.ts';
import { isJsonObject } from '../../ingest/merge-objects.ts';
import type { ChannelAdapter, OutboundMessage, SendOutcome } from '../channel.ts';
import { type DestinationGuard, OPEN_DESTINATION_GUARD } from '../outbound/destination-guard.ts';
import {
  describeFetchError,
  parseRetryAfter,
  redirectFailure,
  refusedDestination,
} from '../provider-answer.ts';
import { signWebhookBody, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER } from './webhook-signature.ts';

/** Where and how Tailor posts webhook messages. */
export interface WebhookAdapterOptions {
  /** The receiver's URL. */
  url: string;
  /** The shared secret both sides sign with. Never written to reasons or logs. */
  secret: string;
  /** The fetch to use; the global one unless a test injects another. */
  fetch?: typeof fetch;
  /** How long one call may take before it is abandoned and retried (default 10 s). */
  timeoutMs?: number;
  /** The clock for `sent_at` and the signed timestamp. */
  now?: Clock;
  /** Checked before each call: private addresses and plain http: are refused unless allowed; default: no check (the workspace's adapters always get one). */
  guard?: DestinationGuard;
}

/** The JSON body of one webhook message. */
export interface WebhookPayload {
  /** The idempotency key, also sent as `Idempotency-Key`. */
  id: string;
  /** The message's address on the channel (the subject id the receiver knows the person by). */
  to: string;
  profile_id: string;
  action: string | null;
  content: Record<string, unknown>;
  /** ISO-8601 time of this attempt. */
  sent_at: string;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * A generic signed webhook channel: POSTs each message as JSON `{ id, to, profile_id, action,
 * content, sent_at }` with `X-Tailor-Timestamp` (unix seconds), `X-Tailor-Signature:
 * v1=<hex HMAC-SHA256(secret, timestamp + '.' + body)>` and `Idempotency-Key: <message id>`
 * (the same on every retry, so receivers can drop repeats). A 2xx is `sent` (the answer's JSON
 * `id`, else the message id); 429, 5xx, network errors and timeouts are `retry` (honouring
 * `Retry-After`); 410 Gone is `failed` and `unreachable` (the receiver no longer knows the
 * subject); any other answer is `failed`.
 */
export function createWebhookAdapter(options: WebhookAdapterOptions): ChannelAdapter {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const now = options.now ?? systemClock;
  const guard = options.guard ?? OPEN_DESTINATION_GUARD;
  const redact = (text: string): string =>
    options.secret === '' ? text : text.split(options.secret).join('[redacted]');

  return {
    channel: 'webhook',
    async send(message: OutboundMessage): Promise<SendOutcome> {
      const at = now();
      const payload: WebhookPayload = {
        id: message.id,
        to: message.to,
        profile_id: message.profileId,
        action: message.action ?? null,
        content: message.content,
        sent_at: new Date(at).toISOString(),
      };
      const body = JSON.stringify(payload);
      const timestamp = Math.floor(at / 1000);
      let response: Response;
      try {
        const refused = await guard({ url: options.url });
        if (refused !== undefined) return refusedDestination('webhook receiver', refused);
        response = await doFetch(options.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [WEBHOOK_TIMESTAMP_HEADER]: String(timestamp),
            [WEBHOOK_SIGNATURE_HEADER]: signWebhookBody({ body, timestamp, secret: options.secret }),
            'Idempotency-Key': message.id,
          },
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        return { kind: 'retry', reason: redact(`webhook unreachable: ${describeFetchError(error)}`) };
      }
      const redirected = redirectFailure({ provider: 'webhook receiver', response });
      if (redirected !== undefined) return redirected;
      const text = await readText(response);
      const outcome = classifyWebhookAnswer(response, text, message.id);
      return outcome.kind === 'sent' ? outcome : { ...outcome, reason: redact(outcome.reason) };
    },
  };
}

function classifyWebhookAnswer(response: Response, text: string, messageId: string): SendOutcome {
  const { status } = response;
  if (status >= 200 && status < 300)
    return { kind: 'sent', providerMessageId: answeredId(text) ?? messageId };
  const detail = `HTTP ${status}${text === '' ? '' : ` ${text.slice(0, 200)}`}`;
  if (status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    const reason = `webhook receiver busy or failing: ${detail}`;
    return retryAfterMs === undefined ? { kind: 'retry', reason } : { kind: 'retry', reason, retryAfterMs };
  }
  if (status === 410) return { kind: 'failed', reason: `webhook subject gone: ${detail}`, unreachable: true };
  return { kind: 'failed', reason: `webhook receiver refused the message: ${detail}`, unreachable: false };
}

/** The `id` a receiver answered with, when its answer is JSON with a string or number `id`. */
function answeredId(text: string): string | undefined {
  try {
    const body: unknown = JSON.parse(text);
    if (!isJsonObject(body)) return undefined;
    const id = body['id'];
    if (typeof id === 'string' && id !== '') return id;
    return typeof id === 'number' && Number.isFinite(id) ? String(id) : undefined;
  } catch {
    return undefined;
  }
}

async function readText(response: Response): Promise<string> {
  try {
    return await response.text();
  } catch {
    return '';
  }
}
