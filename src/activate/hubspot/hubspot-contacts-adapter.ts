import { callPlatform, callSetupOf, redactOutcome } from '../ads/provider-call.ts';
import { SendBatcher } from '../ads/send-batcher.ts';
import type { ChannelAdapter, OutboundMessage, SendOutcome } from '../channel.ts';
import type { DestinationGuard } from '../outbound/destination-guard.ts';
import { isJsonObject } from '../whatsapp/whatsapp-wire.ts';
import { classifyHubSpotError, describe } from './hubspot-error.ts';

/** HubSpot takes at most 100 inputs in one batch request. */
export const HUBSPOT_MAX_BATCH = 100;

/** The path of the batch upsert of contacts. */
export const HUBSPOT_UPSERT_PATH = '/crm/v3/objects/contacts/batch/upsert';

/** Where the adapter sends and with what credentials. */
export interface HubSpotContactsAdapterOptions {
  /** HubSpot's API root; default `https://api.hubapi.com`. */
  baseUrl?: string;
  /** A private app's access token with `crm.objects.contacts.write`. Never logged nor put in a reason. */
  accessToken: string;
  fetch?: typeof fetch;
  /** How long one request may take before its sends are retried; default 30 s. */
  timeoutMs?: number;
  /** How long a send waits for others to fill its batch (ms); default 50. */
  batchWindowMs?: number;
  guard?: DestinationGuard;
}

/** One contact upsert: the send's email (HubSpot's id) and the properties to write. */
interface Upsert {
  email: string;
  properties: Record<string, string>;
}

/** What an upsert send carries: `{ email, properties }`, or undefined when it is not that. */
export function contactUpsertOf(content: Record<string, unknown>): Upsert | undefined {
  const { email, properties } = content;
  if (typeof email !== 'string' || email.trim() === '' || !isJsonObject(properties)) return undefined;
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(properties)) if (typeof value === 'string') values[key] = value;
  return { email: email.trim().toLowerCase(), properties: values };
}

/**
 * HubSpot contacts kept in step with profiles: each send `{ email, properties }` becomes one
 * input of `POST {baseUrl}/crm/v3/objects/contacts/batch/upsert` (`idProperty: email`, so a
 * contact is created or updated by its email), batched up to 100 (HubSpot's limit) with
 * `Authorization: Bearer <private app token>`. Two sends of one email in a batch become one input
 * (the later values win: HubSpot refuses a batch naming an id twice). A 200 or 201 makes every
 * send `sent` under its contact's id; a 207 fails the inputs its `errors` name (`context.ids`;
 * unreachable when HubSpot refuses the address, `INVALID_EMAIL`) and sends the others. Errors are classified as `classifyHubSpotError` says.
 */
export function createHubSpotContactsAdapter(options: HubSpotContactsAdapterOptions): ChannelAdapter {
  const baseUrl = (options.baseUrl ?? 'https://api.hubapi.com').replace(/\/+$/, '');
  const setup = callSetupOf(options, 'HubSpot CRM API');
  const batcher = new SendBatcher<Upsert>({
    maxSize: HUBSPOT_MAX_BATCH,
    windowMs: options.batchWindowMs ?? 50,
    flush: async (_key, upserts) => {
      const outcomes = await upsert(upserts);
      return Array.isArray(outcomes)
        ? outcomes.map((outcome) => redactOutcome(outcome, [options.accessToken]))
        : redactOutcome(outcomes, [options.accessToken]);
    },
  });

  async function upsert(upserts: Upsert[]): Promise<SendOutcome | SendOutcome[]> {
    const inputs = new Map<string, Record<string, string>>();
    for (const { email, properties } of upserts)
      inputs.set(email, { ...(inputs.get(email) ?? {}), ...properties });
    const answer = await callPlatform(setup, {
      url: `${baseUrl}${HUBSPOT_UPSERT_PATH}`,
      method: 'POST',
      headers: { authorization: `Bearer ${options.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        inputs: [...inputs].map(([email, properties]) => ({ idProperty: 'email', id: email, properties })),
      }),
    });
    if (answer.kind === 'outcome') return answer.outcome;
    if (!answer.ok) return classifyHubSpotError(answer);
    const body = isJsonObject(answer.body) ? answer.body : {};
    const contactIds = new Map<string, string>();
    for (const result of Array.isArray(body.results) ? body.results : []) {
      if (!isJsonObject(result) || typeof result.id !== 'string') continue;
      const email = isJsonObject(result.properties) ? result.properties.email : undefined;
      if (typeof email === 'string') contactIds.set(email.toLowerCase(), result.id);
    }
    const refused = new Map<string, SendOutcome>();
    for (const error of Array.isArray(body.errors) ? body.errors : []) {
      if (!isJsonObject(error)) continue;
      const ids = isJsonObject(error.context) && Array.isArray(error.context.ids) ? error.context.ids : [];
      const category = typeof error.category === 'string' ? error.category : undefined;
      const details = Array.isArray(error.errors) ? error.errors : [];
      // An address HubSpot refuses as an email can never be a contact: the person is unreachable there.
      const badEmail = details.some((detail) => isJsonObject(detail) && detail.code === 'INVALID_EMAIL');
      const reason = describe(answer.status, category, error.message);
      for (const id of ids)
        if (typeof id === 'string')
          refused.set(id.toLowerCase(), { kind: 'failed', reason, unreachable: badEmail });
    }
    return upserts.map(({ email }): SendOutcome => {
      const failed = refused.get(email);
      if (failed !== undefined) return failed;
      return { kind: 'sent', providerMessageId: `contact:${contactIds.get(email) ?? email}` };
    });
  }

  return {
    channel: 'hubspot',
    async send(message: OutboundMessage): Promise<SendOutcome> {
      const upsert = contactUpsertOf(message.content);
      if (upsert === undefined)
        return {
          kind: 'failed',
          reason: 'a HubSpot contact send needs `email` and `properties`',
          unreachable: false,
        };
      return batcher.add('contacts', upsert);
    },
  };
}
