import type { TailorEvent } from '../ingest/event.ts';
import { isJsonObject } from '../ingest/merge-objects.ts';
import type { ConsentState } from './profile.ts';
import { isWritableKey, ownEntry } from './profile-maps.ts';

/** Event names that grant (true) or withdraw (false) consent for `properties.channel`. */
const SUBSCRIPTION_EVENTS: ReadonlyMap<string, boolean> = new Map([
  ['Subscribed', true],
  ['Channel Subscribed', true],
  ['Unsubscribed', false],
  ['Channel Unsubscribed', false],
]);

/** The `source` of consent taken from `context.consent`. */
const CONTEXT_CONSENT_SOURCE = 'context.consent';

/**
 * Records the consent an event carries: `context.consent` in Segment's shape
 * (`{ categoryPreferences: { email: true, 'email.marketing': false } }`) or as a plain map
 * (`{ email: true }`), and `Subscribed` / `Unsubscribed` (also `Channel …`) track events with
 * `properties.channel` and optional `properties.purpose` (key `channel.purpose`). Keys are
 * lower-cased; non-boolean preferences are ignored. The most recent event time wins.
 */
export function applyConsent(consent: Record<string, ConsentState>, event: TailorEvent): void {
  const at = event.timestamp;
  const fromContext = event.context['consent'];
  if (isJsonObject(fromContext)) {
    const preferences = fromContext['categoryPreferences'];
    const map = isJsonObject(preferences) ? preferences : fromContext;
    for (const key in map) {
      const granted = map[key];
      if (typeof granted === 'boolean') {
        setConsent(consent, consentKey(key), { granted, at, source: CONTEXT_CONSENT_SOURCE });
      }
    }
  }
  if (event.type !== 'track' || event.event === undefined) return;
  const granted = SUBSCRIPTION_EVENTS.get(event.event);
  const channel = event.properties['channel'];
  if (granted === undefined || typeof channel !== 'string' || channel.trim() === '') return;
  const purpose = event.properties['purpose'];
  const key =
    typeof purpose === 'string' && purpose.trim() !== ''
      ? `${consentKey(channel)}.${consentKey(purpose)}`
      : consentKey(channel);
  setConsent(consent, key, { granted, at, source: event.event });
}

/** Sets one consent unless the one held is more recent; equal times take the new one. */
function setConsent(consent: Record<string, ConsentState>, key: string, state: ConsentState): void {
  if (!isWritableKey(key)) return;
  const current = ownEntry(consent, key);
  if (current === undefined || state.at >= current.at) consent[key] = state;
}

function consentKey(text: string): string {
  return text.trim().toLowerCase();
}
