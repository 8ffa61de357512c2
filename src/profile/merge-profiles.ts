import type { CompiledScores } from '../intent/compile-scores.ts';
import { mergeScores } from '../intent/merge-scores.ts';
import type { CompiledComputedTraits } from './computed/compile-computed-traits.ts';
import { mergeComputed } from './computed/merge-computed.ts';
import { mergeContacts } from './merge-contacts.ts';
import type { ProfileState } from './profile.ts';
import { addIdentifier } from './profile-identifiers.ts';
import { mergeLatest } from './profile-maps.ts';
import { mergeRecent } from './recent-events.ts';
import { mergeTouches } from './touch-context.ts';

/**
 * Absorbs the profile `from` into `into` (mutated) when identity resolution finds they are one
 * person. The result is what one profile would hold had it seen the events of both: computed
 * traits merge bucket by bucket, scores add up at the later time, timed
 * values keep the latest, counts add up. `from` is left as it was; the caller retires it.
 */
export function mergeProfiles(input: {
  into: ProfileState;
  from: ProfileState;
  compiled: CompiledComputedTraits;
  scores: CompiledScores;
  recentLimit: number;
}): void {
  const { into, from, compiled, recentLimit } = input;
  for (const [type, values] of Object.entries(from.identifiers)) {
    for (const value of values) addIdentifier(into.identifiers, { type, value });
  }
  mergeLatest(into.traits, from.traits);
  mergeLatest(into.consent, from.consent);
  mergeComputed({ into: into.computed, from: from.computed, compiled });
  if (from.scores !== undefined) {
    into.scores ??= {};
    mergeScores({ into: into.scores, from: from.scores, compiled: input.scores });
  }
  into.firstSeen = Math.min(into.firstSeen, from.firstSeen);
  into.lastSeen = Math.max(into.lastSeen, from.lastSeen);
  mergeTouches(into, from);
  into.recent = mergeRecent({ into: into.recent, from: from.recent, limit: recentLimit });
  for (const id of [from.id, ...from.mergedIds]) {
    if (id !== into.id && !into.mergedIds.includes(id)) into.mergedIds.push(id);
  }
  into.eventCount += from.eventCount;
  for (const [channel, at] of Object.entries(from.unreachable ?? {})) {
    into.unreachable ??= {};
    into.unreachable[channel] = Math.max(into.unreachable[channel] ?? at, at);
  }
  if (from.contacts !== undefined) into.contacts = mergeContacts(into.contacts ?? [], from.contacts);
}
