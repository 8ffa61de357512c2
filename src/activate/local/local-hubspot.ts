import { signHubSpotRequest } from '../hubspot/hubspot-webhook.ts';

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
