import type { Identifier } from '../identity/identifier.ts';
import type { LoggedEvent } from '../ingest/event.ts';
import type { CompiledComputedTraits } from './computed/compile-computed-traits.ts';
import { updateComputed } from './computed/update-computed.ts';
import { applyConsent } from './consent.ts';
import { recordContact } from './contact-history.ts';
import { recordInbox } from './inbox.ts';
import type { ProfileState } from './profile.ts';
import { addIdentifier } from './profile-identifiers.ts';
import { applyEventTraits } from './profile-traits.ts';
import { recordReachability } from './reachability.ts';
import { addRecent } from './recent-events.ts';
import { applyTouch } from './touch-context.ts';

/**
 * Applies one event to a profile, in place: identifiers, traits, consent, first/last touch,
 * recent events, counters, computed traits and the contact log (`Message Sent` and answers). Events may arrive out of order; every part is
 * kept by event time, so the outcome does not depend on arrival order (except the order of
 * identifiers, which is first-seen, and traits or consent set at the very same time).
 * This is the hot path: nothing is compiled or parsed here.
 */
export function applyEvent(input: {
  profile: ProfileState;
  event: LoggedEvent;
  identifiers: Identifier[];
  compiled: CompiledComputedTraits;
  recentLimit: number;
}): void {
  const { profile, event, compiled, recentLimit } = input;
  for (const identifier of input.identifiers) addIdentifier(profile.identifiers, identifier);
  if (event.timestamp < profile.firstSeen) profile.firstSeen = event.timestamp;
  if (event.timestamp > profile.lastSeen) profile.lastSeen = event.timestamp;
  profile.eventCount += 1;
  applyEventTraits(profile.traits, event);
  applyConsent(profile.consent, event);
  applyTouch(profile, event);
  addRecent({ recent: profile.recent, event, limit: recentLimit });
  updateComputed({ computed: profile.computed, event, compiled });
  if (typeof event.properties['channel'] === 'string') {
    profile.contacts ??= [];
    recordContact(profile.contacts, event);
    recordReachability(profile, event);
    recordInbox(profile, event);
  }
}
