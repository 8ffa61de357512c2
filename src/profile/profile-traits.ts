import type { TailorEvent } from '../ingest/event.ts';
import { isJsonObject } from '../ingest/merge-objects.ts';
import type { TraitValue } from './profile.ts';
import { isWritableKey, ownEntry } from './profile-maps.ts';

/**
 * Sets the traits an event carries: `context.traits` on every call, then an `identify`'s own
 * `traits` (which win on the same key). A `group` call's `traits` describe the account, not the
 * person, and are left out. Each trait changes only if the event is at least as recent as the
 * one that last set it, so late events never overwrite newer values.
 */
export function applyEventTraits(traits: Record<string, TraitValue>, event: TailorEvent): void {
  const contextTraits = event.context['traits'];
  if (isJsonObject(contextTraits)) setTraits(traits, contextTraits, event.timestamp);
  if (event.type === 'identify') setTraits(traits, event.traits, event.timestamp);
}

function setTraits(traits: Record<string, TraitValue>, values: Record<string, unknown>, at: number): void {
  for (const key in values) {
    if (!isWritableKey(key)) continue;
    const current = ownEntry(traits, key);
    if (current === undefined || at >= current.at) traits[key] = { value: values[key], at };
  }
}
