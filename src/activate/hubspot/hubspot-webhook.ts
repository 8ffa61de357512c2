import { createHmac, timingSafeEqual } from 'node:crypto';
import type { TailorEvent } from '../../ingest/event.ts';
import { isJsonObject } from '../../ingest/merge-objects.ts';
import { replaceInvalidCharacters } from '../../ingest/replace-invalid-characters.ts';

/** How old (or how far ahead of Tailor's clock) a signed request may be: HubSpot's five minutes. */
export const HUBSPOT_MAX_AGE_MS = 5 * 60_000;

/**
 * Characters HubSpot decodes in the request URI before signing it: the signature is over
 * `https://host/path?query` with these escapes turned back into the characters they stand for.
 */
const DECODED_ESCAPES: Readonly<Record<string, string>> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

/** The request URI as HubSpot signs it: the listed escapes decoded, any case, everything else as sent. */
export function hubSpotSignedUri(uri: string): string {
  return uri.replace(
    /%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi,
    (encoded) => DECODED_ESCAPES[encoded.toUpperCase()] ?? encoded,
  );
}

/**
 * The `X-HubSpot-Signature-v3` HubSpot sends: base64 HMAC-SHA256, keyed by the app's client
 * secret, of the method, the request URI (see `hubSpotSignedUri`), the raw body and the
 * `X-HubSpot-Request-Timestamp` value (epoch milliseconds), concatenated as UTF-8.
 */
export function signHubSpotRequest(input: {
  method: string;
  uri: string;
  body: Buffer | string;
  timestamp: string;
  clientSecret: string;
}): string {
  return createHmac('sha256', input.clientSecret)
    .update(`${input.method.toUpperCase()}${hubSpotSignedUri(input.uri)}`, 'utf8')
    .update(input.body)
    .update(input.timestamp, 'utf8')
    .digest('base64');
}

/** Why a HubSpot request is refused, or `ok`. */
export type HubSpotCheck = 'ok' | 'bad-signature' | 'stale';

/**
 * Checks a HubSpot request's v3 signature in constant time, then its timestamp: a request
 * signed more than five minutes before `now` (or that far after it) is `stale`, so a captured
 * request cannot be replayed later; inside the window a replay carries the same event ids and
 * is stored once. A missing header, a timestamp that is not a number, or an empty secret is
 * `bad-signature`.
 */
export function verifyHubSpotRequest(input: {
  method: string;
  uri: string;
  body: Buffer;
  signature: string | undefined;
  timestamp: string | undefined;
  clientSecret: string;
  now: number;
}): HubSpotCheck {
  const { signature, timestamp } = input;
  if (input.clientSecret === '' || signature === undefined || timestamp === undefined) return 'bad-signature';
  if (!/^\d{1,16}$/.test(timestamp)) return 'bad-signature';
  const expected = Buffer.from(signHubSpotRequest({ ...input, timestamp }), 'utf8');
  const given = Buffer.from(signature.trim(), 'utf8');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'bad-signature';
  return Math.abs(input.now - Number(timestamp)) > HUBSPOT_MAX_AGE_MS ? 'stale' : 'ok';
}

/**
 * Reads a HubSpot webhook batch (a JSON array of events) into identify calls: each
 * `contact.propertyChange` of a property the workspace maps (`properties`: trait → HubSpot
 * property; `email` is always read, as the `email` trait unless mapped) sets that trait, with
 * an empty value clearing it (`null`). The contact is the `hubspot_id` identifier (its
 * `objectId`), so the person a CSV import or an earlier change linked to it is found, and a
 * changed email links it to a profile known by email. The event's time is `occurredAt`; its
 * messageId `hubspot-<portalId>-<eventId>`, so a retried or replayed delivery is stored once.
 * Other subscription types, unmapped properties and malformed entries give nothing; this never
 * throws.
 */
export function readHubSpotWebhook(input: {
  payload: unknown;
  properties: Readonly<Record<string, string>>;
  receivedAt: number;
}): TailorEvent[] {
  if (!Array.isArray(input.payload)) return [];
  const traitOf = new Map<string, string>([['email', 'email']]);
  for (const [trait, property] of Object.entries(input.properties)) traitOf.set(property, trait);
  const events: TailorEvent[] = [];
  for (const entry of input.payload) {
    if (!isJsonObject(entry) || entry.subscriptionType !== 'contact.propertyChange') continue;
    const { objectId, eventId, portalId, occurredAt, propertyName, propertyValue } = entry;
    const trait = typeof propertyName === 'string' ? traitOf.get(propertyName) : undefined;
    if (
      trait === undefined ||
      !isId(objectId) ||
      !isId(eventId) ||
      !isId(portalId) ||
      typeof occurredAt !== 'number' ||
      !Number.isFinite(occurredAt) ||
      (propertyValue !== undefined && typeof propertyValue !== 'string')
    )
      continue;
    events.push({
      type: 'identify',
      messageId: `hubspot-${portalId}-${eventId}`,
      timestamp: occurredAt,
      receivedAt: input.receivedAt,
      properties: {},
      // NUL and lone surrogate halves become U+FFFD, so any store can keep the value.
      traits: {
        [trait]:
          propertyValue === undefined || propertyValue === ''
            ? null
            : replaceInvalidCharacters(propertyValue),
      },
      context: {
        externalIds: [{ id: String(objectId), type: 'hubspot_id', collection: 'users', encoding: 'none' }],
      },
      integrations: {},
    });
  }
  return events;
}

function isId(value: unknown): value is number | string {
  return (
    (typeof value === 'number' && Number.isSafeInteger(value)) ||
    (typeof value === 'string' && /^\d{1,20}$/.test(value))
  );
}
