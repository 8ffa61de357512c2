import type { ChannelAdapter, OutboundMessage, SendOutcome } from '../channel.ts';
import { type DestinationGuard, OPEN_DESTINATION_GUARD } from '../outbound/destination-guard.ts';
import { describeFetchError, redirectFailure, refusedDestination } from '../provider-answer.ts';
import { isJsonObject, WHATSAPP_API_VERSION } from '../whatsapp/whatsapp-wire.ts';
import { classifyMessengerError } from './messenger-error.ts';

/** Where the adapter sends and with what credentials. */
export interface MessengerAdapterOptions {
  /** `messenger` (a Facebook Page) or `instagram` (an Instagram professional account). */
  channel: 'messenger' | 'instagram';
  /** The Graph API root with its version; default `https://graph.facebook.com/v21.0`. */
  baseUrl?: string;
  /** The Page id (Messenger) or the Instagram account id the messages come from. */
  senderId: string;
  /** A Page access token with the messaging permission. Never logged nor put in a reason. */
  accessToken: string;
  fetch?: typeof fetch;
  /** How long one send may take before it is abandoned as `retry`; default 10 s. */
  timeoutMs?: number;
  guard?: DestinationGuard;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** Page-scoped and Instagram-scoped ids are decimal digits. */
const SCOPED_ID = /^\d{1,32}$/;

/**
 * A Messenger or Instagram adapter over Meta's Send API: `POST {baseUrl}/{senderId}/messages`
 * with a Bearer Page token and `{ recipient: { id }, messaging_type: 'RESPONSE', message: { text } }`,
 * where `to` is the person's page-scoped (Messenger) or Instagram-scoped id. A reply is allowed
 * only within 24 hours of the person's last message: Meta refuses a later one (code 10/2018278),
 * which is a plain failure. A 2xx with `message_id` is `sent`. The API takes no idempotency key.
 */
export function createMessengerAdapter(options: MessengerAdapterOptions): ChannelAdapter {
  const provider = options.channel === 'messenger' ? 'Messenger Send API' : 'Instagram Send API';
  const baseUrl = (options.baseUrl ?? `https://graph.facebook.com/${WHATSAPP_API_VERSION}`).replace(
    /\/+$/,
    '',
  );
  const url = `${baseUrl}/${encodeURIComponent(options.senderId)}/messages`;
  const fetchImpl = options.fetch ?? fetch;
  const guard = options.guard ?? OPEN_DESTINATION_GUARD;
  const redact = (text: string): string =>
    options.accessToken === '' ? text : text.split(options.accessToken).join('[redacted]');

  async function post(body: unknown): Promise<SendOutcome> {
    let response: Response;
    let text: string;
    try {
      const refused = await guard({ url });
      if (refused !== undefined) return refusedDestination(provider, refused);
      response = await fetchImpl(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
      text = await response.text();
    } catch (error) {
      return { kind: 'retry', reason: `${provider} not reached: ${describeFetchError(error)}` };
    }
    const redirected = redirectFailure({ provider, response });
    if (redirected !== undefined) return redirected;
    const parsed = parseJson(text);
    if (response.ok) {
      const id = isJsonObject(parsed) ? parsed.message_id : undefined;
      return typeof id === 'string' && id !== ''
        ? { kind: 'sent', providerMessageId: id }
        : {
            kind: 'failed',
            reason: `${provider} answered HTTP ${response.status} without a message_id`,
            unreachable: false,
          };
    }
    return classifyMessengerError({
      provider,
      status: response.status,
      body: parsed,
      retryAfter: response.headers.get('retry-after'),
    });
  }

  return {
    channel: options.channel,
    async send(message: OutboundMessage): Promise<SendOutcome> {
      if (!SCOPED_ID.test(message.to)) {
        return { kind: 'failed', reason: `not a ${options.channel} id: ${message.to}`, unreachable: true };
      }
      const text = message.content.text;
      if (typeof text !== 'string' || text.trim() === '') {
        return {
          kind: 'failed',
          reason: `${options.channel} content needs a non-empty \`text\``,
          unreachable: false,
        };
      }
      const outcome = await post({
        recipient: { id: message.to },
        messaging_type: 'RESPONSE',
        message: { text },
      });
      return outcome.kind === 'sent' ? outcome : { ...outcome, reason: redact(outcome.reason) };
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
