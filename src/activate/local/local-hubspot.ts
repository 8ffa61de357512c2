import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { text as readText } from 'node:stream/consumers';
import { signHubSpotRequest } from '../hubspot/hubspot-webhook.ts';
import { isJsonObject } from '../whatsapp/whatsapp-wire.ts';
import { type LocalProvider, type ProviderFault, serveLocally } from './local-provider.ts';

/** One `contact.propertyChange` as HubSpot's webhooks send it. */
export interface HubSpotPropertyChange {
  eventId: number;
  objectId: number;
  propertyName: string;
  propertyValue: string;
  occurredAt: number;
  portalId?: number;
}

/** The portal (HubSpot account) id local deliveries use unless told otherwise. */
export const LOCAL_HUBSPOT_PORTAL_ID = 62515;
/** The app id local deliveries use. */
export const LOCAL_HUBSPOT_APP_ID = 54321;

/** A webhook batch body as HubSpot sends it: a JSON array of events with HubSpot's fields. */
export function hubSpotPropertyChanges(changes: HubSpotPropertyChange[]): Record<string, unknown>[] {
  return changes.map((change) => ({
    eventId: change.eventId,
    subscriptionId: 12345,
    portalId: change.portalId ?? LOCAL_HUBSPOT_PORTAL_ID,
    appId: LOCAL_HUBSPOT_APP_ID,
    occurredAt: change.occurredAt,
    subscriptionType: 'contact.propertyChange',
    attemptNumber: 0,
    objectId: change.objectId,
    propertyName: change.propertyName,
    propertyValue: change.propertyValue,
    changeSource: 'CRM_UI',
    sourceId: 'userId:1234567',
  }));
}

/**
 * POSTs a webhook batch to `url` as HubSpot does: JSON, with `X-HubSpot-Signature-v3` over the
 * method, URL, body and `X-HubSpot-Request-Timestamp` (epoch ms, `timestamp`) under the app's
 * client secret, plus the older headers HubSpot still sends. Returns the receiver's answer.
 */
export async function deliverHubSpotWebhook(input: {
  url: string;
  body: unknown;
  clientSecret: string;
  timestamp: number;
}): Promise<Response> {
  const body = JSON.stringify(input.body);
  const timestamp = String(input.timestamp);
  return fetch(input.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'HubSpot Connect 2.0 (http://dev.hubspot.com/)',
      'x-hubspot-signature-version': 'v3',
      'x-hubspot-request-timestamp': timestamp,
      'x-hubspot-signature-v3': signHubSpotRequest({
        method: 'POST',
        uri: input.url,
        body,
        timestamp,
        clientSecret: input.clientSecret,
      }),
    },
    body,
  });
}

/** A running local HubSpot CRM API (contacts). */
export interface LocalHubSpot extends LocalProvider {
  /** The API root to give the channel as `base_url`: `http://127.0.0.1:<port>`. */
  readonly baseUrl: string;
  /** The private app token it accepts. */
  readonly accessToken: string;
  /** Its contacts now, by email: their id and properties. */
  contacts(): Map<string, { id: string; properties: Record<string, string> }>;
  /** Every upsert request answered: its status and how many inputs it carried. */
  requests(): { status: number; inputs: number }[];
  /** Answers the next `count` requests with a 429 of the ten-secondly policy, and `Retry-After` (seconds) when given. */
  throttle(count: number, retryAfterSeconds?: number): void;
}

const MAX_INPUTS = 100;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
/** Properties HubSpot computes itself: an input may not write them. */
const READ_ONLY = new Set(['hs_object_id', 'createdate', 'lastmodifieddate']);

/**
 * A local HubSpot CRM API for tests and the demo, on 127.0.0.1 and a free port (or `port`):
 * `POST /crm/v3/objects/contacts/batch/upsert` as HubSpot speaks it — `Authorization: Bearer`
 * with the private app token; `{ inputs: [{ idProperty: "email", id, properties }] }`, at most 100,
 * no id twice; answers 200 `{ status: "COMPLETE", results: [{ id, properties, createdAt,
 * updatedAt, archived, new }], startedAt, completedAt }`, or 207 with `errors` (`context.ids`,
 * `INVALID_EMAIL`) and `numErrors` when some inputs were refused. Errors are HubSpot's
 * `{ status: "error", message, correlationId, category }`: 401 `INVALID_AUTHENTICATION`, 400
 * `VALIDATION_ERROR` (a read-only property, a duplicate id, too many inputs), 429 `errorType:
 * RATE_LIMIT` with `policyName: TEN_SECONDLY_ROLLING`, 502 with HubSpot's internal error.
 */
export async function startLocalHubSpot(
  options: { accessToken?: string; port?: number } = {},
): Promise<LocalHubSpot> {
  const accessToken = options.accessToken ?? `pat-na1-${randomBytes(16).toString('hex')}`;
  const contacts = new Map<string, { id: string; properties: Record<string, string> }>();
  const accepted: { to: string; text: string }[] = [];
  const answered: { status: number; inputs: number }[] = [];
  let fault: ProviderFault | undefined;
  let throttled = 0;
  let throttleSeconds: number | undefined;
  let nextId = 51_000;

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const raw = await readText(request);
    let inputs = 0;
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      answered.push({ status, inputs });
      response.writeHead(status, { 'content-type': 'application/json;charset=utf-8', ...headers });
      response.end(JSON.stringify(body));
    };
    const error = (status: number, category: string, message: string, extra: Record<string, unknown> = {}) =>
      answer(status, { status: 'error', message, correlationId: correlation(), category, ...extra });
    if (request.headers.authorization !== `Bearer ${accessToken}`) {
      error(
        401,
        'INVALID_AUTHENTICATION',
        'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
      );
      return;
    }
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (request.method !== 'POST' || url.pathname !== '/crm/v3/objects/contacts/batch/upsert') {
      answer(404, { status: 'error', message: 'Resource not found', correlationId: correlation() });
      return;
    }
    if (throttled > 0 || fault?.kind === 'rate-limited') {
      const seconds = fault?.kind === 'rate-limited' ? fault.retryAfterSeconds : throttleSeconds;
      if (throttled > 0) throttled -= 1;
      else fault = undefined;
      answer(
        429,
        {
          status: 'error',
          message: 'You have reached your ten_secondly_rolling limit.',
          errorType: 'RATE_LIMIT',
          correlationId: correlation(),
          policyName: 'TEN_SECONDLY_ROLLING',
          groupName: 'publicapi:private-app:local',
        },
        seconds === undefined ? {} : { 'retry-after': String(seconds) },
      );
      return;
    }
    if (fault?.kind === 'server-error') {
      fault = undefined;
      error(502, 'INTERNAL_ERROR', 'internal error');
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      error(400, 'VALIDATION_ERROR', 'Invalid input JSON on line 1');
      return;
    }
    const list = isJsonObject(body) && Array.isArray(body.inputs) ? body.inputs : undefined;
    if (list === undefined || list.length === 0) {
      error(400, 'VALIDATION_ERROR', 'Invalid input JSON: inputs must be a non-empty array');
      return;
    }
    inputs = list.length;
    if (list.length > MAX_INPUTS) {
      error(400, 'VALIDATION_ERROR', `Batch input is too large: at most ${MAX_INPUTS} inputs`);
      return;
    }
    const parsed: { id: string; properties: Record<string, string> }[] = [];
    for (const input of list) {
      const properties = isJsonObject(input) && isJsonObject(input.properties) ? input.properties : undefined;
      if (
        !isJsonObject(input) ||
        input.idProperty !== 'email' ||
        typeof input.id !== 'string' ||
        !properties
      ) {
        error(
          400,
          'VALIDATION_ERROR',
          'Invalid input: each input needs idProperty "email", an id and properties',
        );
        return;
      }
      const values: Record<string, string> = {};
      for (const [key, value] of Object.entries(properties)) {
        if (READ_ONLY.has(key) || typeof value !== 'string') {
          error(
            400,
            'VALIDATION_ERROR',
            `Property values were not valid: ${key} is read-only or not a string`,
          );
          return;
        }
        values[key] = value;
      }
      parsed.push({ id: input.id.toLowerCase(), properties: values });
    }
    if (new Set(parsed.map((input) => input.id)).size !== parsed.length) {
      error(400, 'VALIDATION_ERROR', 'Duplicate IDs found in batch input');
      return;
    }
    const invalidAll = fault?.kind === 'invalid-recipient';
    if (invalidAll) fault = undefined;
    const startedAt = new Date().toISOString();
    const results: Record<string, unknown>[] = [];
    const errors: Record<string, unknown>[] = [];
    for (const input of parsed) {
      if (invalidAll || !EMAIL.test(input.id)) {
        const message = `Email address ${input.id} is invalid`;
        errors.push({
          status: 'error',
          category: 'VALIDATION_ERROR',
          message: `Property values were not valid: ${message}`,
          context: { ids: [input.id] },
          errors: [{ message, code: 'INVALID_EMAIL', in: 'email' }],
        });
        continue;
      }
      const known = contacts.get(input.id);
      const now = new Date().toISOString();
      if (known === undefined) nextId += 1;
      const contact = known ?? { id: String(nextId), properties: { email: input.id, createdate: now } };
      for (const [key, value] of Object.entries(input.properties)) contact.properties[key] = value;
      contact.properties.lastmodifieddate = now;
      contacts.set(input.id, contact);
      accepted.push({
        to: input.id,
        text: Object.entries(input.properties)
          .map(([key, value]) => `${key}=${value}`)
          .join(', '),
      });
      results.push({
        id: contact.id,
        properties: { ...contact.properties, hs_object_id: contact.id },
        createdAt: contact.properties.createdate,
        updatedAt: now,
        archived: false,
        new: known === undefined,
      });
    }
    const completedAt = new Date().toISOString();
    if (errors.length > 0)
      answer(207, { status: 'COMPLETE', results, numErrors: errors.length, errors, startedAt, completedAt });
    else answer(200, { status: 'COMPLETE', results, startedAt, completedAt });
  };

  const server = await serveLocally(handle, options.port);
  const port = server.port;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    accessToken,
    contacts: () => new Map(contacts),
    requests: () => [...answered],
    accepted: () => [...accepted],
    failNext(next) {
      fault = next;
    },
    throttle(count, seconds) {
      throttled = count;
      throttleSeconds = seconds;
    },
    close: server.close,
  };
}

function correlation(): string {
  const hex = randomBytes(16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
