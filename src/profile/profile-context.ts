import type { CompiledScores } from '../intent/compile-scores.ts';
import { scoreValue } from '../intent/score-value.ts';
import type { CompiledComputedTraits } from './computed/compile-computed-traits.ts';
import { computedValue } from './computed/computed-value.ts';
import type { ProfileState } from './profile.ts';

/**
 * The profile as conditions read it (docs/conditions.md): `traits` and `computed` by name,
 * `identifiers`, `consent` as granted booleans, `scores` valued at `now` (only when `scores` is
 * given), `first_seen`/`last_seen` in epoch ms, and the audience as last evaluated: `segments`
 * (key → entry time), `risks` (key → `{ at, since }`) and `lifecycle_stage`. Windowed traits and decaying scores are read
 * at `now`, so pass the event time while applying an event and the clock when deciding.
 */
export function profileContext(input: {
  profile: ProfileState;
  compiled: CompiledComputedTraits;
  now: number;
  scores?: CompiledScores;
}): Record<string, unknown> {
  const { profile, compiled, now } = input;
  const traits: Record<string, unknown> = {};
  for (const [key, trait] of Object.entries(profile.traits)) traits[key] = trait.value;
  const computed: Record<string, unknown> = {};
  for (const trait of compiled.traits)
    computed[trait.key] = computedValue(profile.computed[trait.key], trait, now);
  const consent: Record<string, boolean> = {};
  for (const [key, state] of Object.entries(profile.consent)) consent[key] = state.granted;
  const scores: Record<string, number> = {};
  for (const score of input.scores?.scores ?? [])
    scores[score.key] = scoreValue(profile.scores?.[score.key], score, now);
  const audience = profile.audience;
  return {
    traits,
    computed,
    identifiers: profile.identifiers,
    consent,
    scores,
    first_seen: profile.firstSeen,
    last_seen: profile.lastSeen,
    segments: audience?.segments ?? {},
    risks: audience?.risks ?? {},
    lifecycle_stage: audience?.stage ?? null,
    unreachable: unreachableView(profile.unreachable),
    inbox: profile.inbox ?? null,
  };
}

/** Channels marked unreachable, with the time as ISO-8601, as conditions and channel choice read them. */
function unreachableView(unreachable: Record<string, number> | undefined): Record<string, string> {
  const view: Record<string, string> = {};
  for (const [channel, at] of Object.entries(unreachable ?? {})) view[channel] = new Date(at).toISOString();
  return view;
}
