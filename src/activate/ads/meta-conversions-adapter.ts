import type { ChannelAdapter, OutboundMessage, SendOutcome } from '../channel.ts';
import type { DestinationGuard } from '../outbound/destination-guard.ts';
import { isJsonObject } from '../whatsapp/whatsapp-wire.ts';
import { classifyGraphAdsError } from './graph-ads-error.ts';
import { matchIdentifiers, metaEmail, metaPhone, sha256Hex } from './match-keys.ts';
import { META_MARKETING_API_VERSION } from './meta-audiences-adapter.ts';
import { callPlatform, callSetupOf, redactOutcome } from './provider-call.ts';
import { SendBatcher } from './send-batcher.ts';

/** Meta takes at most 1,000 events in one Conversions API request. */
export const META_MAX_EVENTS_PER_REQUEST = 1_000;

/** Where the adapter sends and with what credentials. */
export interface MetaConversionsAdapterOptions {
  baseUrl?: string;
  pixelId: string;
  accessToken: string;
  testEventCode?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
  batchWindowMs?: number;
  guard?: DestinationGuard;
}

/** The Conversions API's subcode for events with too little customer information to match. */
export const INSUFFICIENT_CUSTOMER_INFORMATION = 2804050;

/**
 * Meta's Conversions API: each send (a chosen event, `adsSends`) becomes one server event in
 * `POST {baseUrl}/{pixelId}/events` — `event_name`, `event_time` (seconds), `event_id` (the
 * event's messageId, which the browser pixel sends as its `eventID`, so Meta counts the two
 * once), `action_source: "website"`, `user_data` with `em` / `ph` / `external_id` hashed as Meta
 * specifies, and `custom_data` `{ value, currency }` when the event has them. Sends arriving
 * together go in one request (up to 1,000). Meta accepts or refuses a request as a whole; a
 * refusal for too little customer information (subcode 2804050) marks the people unreachable.
 */
export function createMetaConversionsAdapter(options: MetaConversionsAdapterOptions): ChannelAdapter {
  const baseUrl = (options.baseUrl ?? `https://graph.facebook.com/${META_MARKETING_API_VERSION}`).replace(
    /\/+$/,
    '',
  );
  const setup = callSetupOf(options, 'Meta Conversions API');
  const batcher = new SendBatcher<Record<string, unknown>>({
    maxSize: META_MAX_EVENTS_PER_REQUEST,
    windowMs: options.batchWindowMs ?? 50,
    flush: async (_key, events) => redactOutcome(await post(events), [options.accessToken]),
  });

  async function post(events: Record<string, unknown>[]): Promise<SendOutcome> {
    const answer = await callPlatform(setup, {
      url: `${baseUrl}/${encodeURIComponent(options.pixelId)}/events`,
      method: 'POST',
      headers: { authorization: `Bearer ${options.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        data: events,
        ...(options.testEventCode === undefined ? {} : { test_event_code: options.testEventCode }),
      }),
    });
    if (answer.kind === 'outcome') return answer.outcome;
    if (!answer.ok) {
      const outcome = classifyGraphAdsError({ ...answer, provider: setup.provider });
      const error = isJsonObject(answer.body) && isJsonObject(answer.body.error) ? answer.body.error : {};
      // Meta could match no one by the user data: those people cannot be reached on this channel.
      return outcome.kind === 'failed' && error.error_subcode === INSUFFICIENT_CUSTOMER_INFORMATION
        ? { ...outcome, unreachable: true }
        : outcome;
    }
    const body = isJsonObject(answer.body) ? answer.body : {};
    const trace = typeof body.fbtrace_id === 'string' ? body.fbtrace_id : 'accepted';
    if (typeof body.events_received !== 'number')
      return {
        kind: 'failed',
        reason: 'Meta Conversions API answered without events_received',
        unreachable: false,
      };
    return { kind: 'sent', providerMessageId: `fbtrace:${trace}` };
  }

  return {
    channel: 'meta_conversions',
    async send(message: OutboundMessage): Promise<SendOutcome> {
      const { event_name: name, event_time: time, event_id: id, external_id: externalId } = message.content;
      const { value, currency } = message.content;
      if (typeof name !== 'string' || typeof time !== 'number' || typeof id !== 'string')
        return {
          kind: 'failed',
          reason: 'a conversion needs `event_name`, `event_time` and `event_id`',
          unreachable: false,
        };
      const { email, phone } = matchIdentifiers(message.content);
      const em = email === undefined ? undefined : metaEmail(email);
      const ph = phone === undefined ? undefined : metaPhone(phone);
      const userData: Record<string, string[]> = {};
      if (em !== undefined) userData.em = [sha256Hex(em)];
      if (ph !== undefined) userData.ph = [sha256Hex(ph)];
      if (typeof externalId === 'string' && externalId !== '') userData.external_id = [sha256Hex(externalId)];
      if (Object.keys(userData).length === 0)
        return { kind: 'failed', reason: 'no customer information Meta can match', unreachable: true };
      const customData = {
        ...(typeof value === 'number' ? { value } : {}),
        ...(typeof currency === 'string' ? { currency } : {}),
      };
      return batcher.add('events', {
        event_name: name,
        event_time: time,
        event_id: id,
        action_source: 'website',
        user_data: userData,
        ...(Object.keys(customData).length === 0 ? {} : { custom_data: customData }),
      });
    },
  };
}
